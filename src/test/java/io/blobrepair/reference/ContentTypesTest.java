package io.blobrepair.reference;

import io.blobrepair.cid.ContentHash;
import io.blobrepair.cid.StorageKey;
import io.blobrepair.testing.Media;
import io.blobrepair.testing.Multipart;
import io.blobrepair.testing.TestDb;
import io.blobrepair.testing.TestNode;
import io.blobrepair.testing.TestPeer;
import io.blobrepair.testing.TestS3;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.s3.model.HeadObjectRequest;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Blobs are stored with the type the reference network serves them with: the peer's, else detected
 * from the content; pulls and POSTs alike, and GET answers with the stored type.
 */
class ContentTypesTest {

    private static String cid(byte[] content) {
        return ContentHash.v1CidOf(content);
    }

    private static String storedType(TestS3 s3, String bucket, byte[] content) {
        return s3.client().headObject(HeadObjectRequest.builder().bucket(bucket).key(StorageKey.of(cid(content))).build())
                .contentType();
    }

    @Test
    void pulledAndPostedBlobsKeepOrGainTheirTypeAndAreServedWithIt() throws Exception {
        byte[] mp3 = Media.mp3();
        byte[] png = Media.png();
        byte[] jpeg = Media.jpeg();
        byte[] text = "plain words".getBytes(StandardCharsets.UTF_8);
        try (TestS3 s3 = TestS3.start(); TestPeer peer = TestPeer.start()) {
            s3.createBucket("types");
            TestDb db = TestDb.create();
            db.createSchema();
            db.addRows("audio_previews", "cid", List.of(cid(mp3), cid(png), cid(jpeg), cid(text)));
            peer.serve(cid(mp3), mp3, "application/octet-stream");
            peer.serve(cid(png), png, "application/octet-stream");
            peer.serve(cid(jpeg), jpeg, "image/x-kept-as-served");
            peer.serve(cid(text), text); // no Content-Type at all
            Map<String, String> settings = TestNode.settings(s3, "types", db, TestNode.freePort(), List.of(peer.url()));
            settings.put("repair.store-all", "true");
            try (TestNode node = TestNode.start(settings)) {
                assertThat(node.runCycle().counters()).containsEntry("pull_mine_success", 4L);

                assertThat(storedType(s3, "types", mp3)).isEqualTo("audio/mpeg");
                assertThat(storedType(s3, "types", png)).isEqualTo("image/png");
                assertThat(storedType(s3, "types", jpeg)).isEqualTo("image/x-kept-as-served");
                // s3proxy drops the space before the parameter; real S3 keeps the type as sent
                assertThat(storedType(s3, "types", text).replace(" ", "")).isEqualTo("text/plain;charset=utf-8");

                // POST: detected from the content, as the reference's writer does whatever type a part carries
                byte[] gif = Media.gif();
                byte[] wav = Media.wav();
                assertThat(Multipart.postBlobs(node.url(), Map.of(cid(gif), gif)).statusCode()).isEqualTo(200);
                assertThat(Multipart.postBlobs(node.url(), Map.of(cid(wav), wav), "audio/x-ignored").statusCode()).isEqualTo(200);
                assertThat(storedType(s3, "types", gif)).isEqualTo("image/gif");
                assertThat(storedType(s3, "types", wav)).isEqualTo("audio/wave");

                // GET answers with the stored type, whoever stored it
                for (Map.Entry<byte[], String> e : Map.of(mp3, "audio/mpeg", png, "image/png", gif, "image/gif",
                        wav, "audio/wave", jpeg, "image/x-kept-as-served").entrySet()) {
                    HttpResponse<byte[]> served = get(node.url() + "/internal/blobs/" + cid(e.getKey()));
                    assertThat(served.statusCode()).isEqualTo(200);
                    assertThat(served.headers().firstValue("Content-Type")).hasValue(e.getValue());
                    assertThat(served.body()).isEqualTo(e.getKey());
                }
            }
        }
    }

    private static HttpResponse<byte[]> get(String url) throws Exception {
        return HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(url)).build(), HttpResponse.BodyHandlers.ofByteArray());
    }
}
