package io.blobrepair.peer;

import io.blobrepair.testing.Media;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;

/** The type stored for a blob: what the peer served, else what Go's sniffer would call its first bytes. */
class BlobContentTypeTest {

    @Test
    void contentIsDetectedAsTheReferenceWriterDetectsIt() throws Exception {
        assertThat(BlobContentType.detect(Media.mp3())).isEqualTo("audio/mpeg");
        assertThat(BlobContentType.detect(Media.png())).isEqualTo("image/png");
        assertThat(BlobContentType.detect(Media.jpeg())).isEqualTo("image/jpeg");
        assertThat(BlobContentType.detect(Media.gif())).isEqualTo("image/gif");
        assertThat(BlobContentType.detect(Media.wav())).isEqualTo("audio/wave");
        assertThat(BlobContentType.detect("just some words\n".getBytes(StandardCharsets.UTF_8))).isEqualTo("text/plain; charset=utf-8");
        byte[] noise = new byte[2048];
        new Random(7).nextBytes(noise);
        noise[0] = 0;
        noise[1] = (byte) 0xEE;
        assertThat(BlobContentType.detect(noise)).isEqualTo("application/octet-stream");
        assertThat(BlobContentType.detect(new byte[0])).isEqualTo("application/octet-stream");
    }

    @Test
    void aServedTypeIsKeptUnlessItSaysNothing() throws Exception {
        byte[] mp3 = Media.mp3();
        assertThat(BlobContentType.toStore("audio/mp4", mp3)).isEqualTo("audio/mp4");
        assertThat(BlobContentType.toStore(" image/webp ", mp3)).isEqualTo("image/webp");
        assertThat(BlobContentType.toStore("application/octet-stream", mp3)).isEqualTo("audio/mpeg");
        assertThat(BlobContentType.toStore("Application/Octet-Stream; charset=binary", mp3)).isEqualTo("audio/mpeg");
        assertThat(BlobContentType.toStore(null, mp3)).isEqualTo("audio/mpeg");
        assertThat(BlobContentType.toStore("", mp3)).isEqualTo("audio/mpeg");
        assertThat(BlobContentType.toStore("not a type", mp3)).isEqualTo("audio/mpeg");
        assertThat(BlobContentType.toStore("audio/" + "x".repeat(300), mp3)).isEqualTo("audio/mpeg");
    }

    @Test
    void onlyTheFirst512BytesOfAFileAreRead() throws Exception {
        Path file = Files.createTempFile("blob", ".bin");
        try {
            byte[] png = Media.png();
            byte[] big = new byte[1 << 20];
            System.arraycopy(png, 0, big, 0, png.length);
            Files.write(file, big);
            assertThat(BlobContentType.toStore("application/octet-stream", file)).isEqualTo("image/png");
        } finally {
            Files.delete(file);
        }
    }
}
