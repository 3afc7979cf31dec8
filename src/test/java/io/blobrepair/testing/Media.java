package io.blobrepair.testing;

import javax.imageio.ImageIO;
import javax.sound.sampled.AudioFileFormat;
import javax.sound.sampled.AudioFormat;
import javax.sound.sampled.AudioInputStream;
import javax.sound.sampled.AudioSystem;
import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;

/** Real media files for content-type tests: images and WAV written by the JDK, an ID3-tagged MP3 stream. */
public final class Media {

    private Media() {
    }

    public static byte[] png() throws IOException {
        return image("png");
    }

    public static byte[] jpeg() throws IOException {
        return image("jpg");
    }

    public static byte[] gif() throws IOException {
        return image("gif");
    }

    private static byte[] image(String format) throws IOException {
        BufferedImage image = new BufferedImage(8, 8, BufferedImage.TYPE_INT_RGB);
        image.setRGB(3, 4, 0x336699);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        if (!ImageIO.write(image, format, out)) {
            throw new IOException("no " + format + " writer");
        }
        return out.toByteArray();
    }

    public static byte[] wav() throws IOException {
        byte[] samples = new byte[800];
        AudioFormat format = new AudioFormat(8000, 8, 1, true, false);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        AudioSystem.write(new AudioInputStream(new ByteArrayInputStream(samples), format, samples.length),
                AudioFileFormat.Type.WAVE, out);
        return out.toByteArray();
    }

    /**
     * An MP3 as encoders write it: an ID3v2.4 tag (a TSSE frame naming the encoder) followed by
     * MPEG-1 Layer III frames (128 kbit/s, 44.1 kHz: 417 bytes each) of silence.
     */
    public static byte[] mp3() throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        byte[] encoder = "\u0003Lavf60.16.100".getBytes(java.nio.charset.StandardCharsets.ISO_8859_1);
        int frameSize = 10 + encoder.length;
        out.write(new byte[] {'I', 'D', '3', 4, 0, 0, 0, 0, 0, (byte) frameSize});
        out.write(new byte[] {'T', 'S', 'S', 'E', 0, 0, 0, (byte) encoder.length, 0, 0});
        out.write(encoder);
        for (int i = 0; i < 4; i++) {
            byte[] frame = new byte[417];
            frame[0] = (byte) 0xFF;
            frame[1] = (byte) 0xFB;
            frame[2] = (byte) 0x90;
            frame[3] = (byte) 0x64;
            out.write(frame);
        }
        return out.toByteArray();
    }
}
