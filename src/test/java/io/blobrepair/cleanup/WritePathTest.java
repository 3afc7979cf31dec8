package io.blobrepair.cleanup;

import io.blobrepair.repair.CycleReport;
import io.blobrepair.testing.Blob;
import io.blobrepair.testing.Multipart;
import io.blobrepair.testing.TestDb;
import io.blobrepair.testing.TestNode;
import io.blobrepair.testing.TestPeer;
import io.blobrepair.testing.TestS3;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/** POST /internal/blobs: verified replicas land in the bucket and in the running cycle's view. */
class WritePathTest {

    private static TestS3 s3;
    private static TestPeer peer;

    @BeforeAll
    static void start() throws Exception {
        s3 = TestS3.start();
        peer = TestPeer.start();
    }

    @AfterAll
    static void stop() throws Exception {
        peer.close();
        s3.close();
    }

    private static Map<String, String> node(String bucket) throws Exception {
        s3.createBucket(bucket);
        TestDb db = TestDb.create();
        db.createSchema();
        return TestNode.settings(s3, bucket, db, TestNode.freePort(), List.of(peer.url()));
    }

    @Test
    void verifiedBlobIsStoredAndAMismatchIsRefused() throws Exception {
        Map<String, String> settings = node("write-path");
        settings.put("repair.max-blob-bytes", "4096");
        try (TestNode node = TestNode.start(settings)) {
            Blob good = Blob.of("pushed replica");
            HttpResponse<String> ok = Multipart.postBlobs(node.url(), Map.of(good.cid(), good.content()));
            assertThat(ok.statusCode()).as(ok.body()).isEqualTo(200);
            assertThat(s3.read("write-path", good.key())).isEqualTo(good.content());

            Blob claimed = Blob.of("what the CID says");
            HttpResponse<String> mismatch = Multipart.postBlobs(node.url(),
                    Map.of(claimed.cid(), "other bytes".getBytes(StandardCharsets.UTF_8)));
            assertThat(mismatch.statusCode()).isEqualTo(400);
            assertThat(mismatch.body()).contains("does not match");
            assertThat(s3.exists("write-path", claimed.key())).isFalse();

            HttpResponse<String> notACid = Multipart.postBlobs(node.url(), Map.of("../../escape", good.content()));
            assertThat(notACid.statusCode()).isEqualTo(400);

            Blob big = Blob.of("x".repeat(10_000));
            HttpResponse<String> tooBig = Multipart.postBlobs(node.url(), Map.of(big.cid(), big.content()));
            assertThat(tooBig.statusCode()).isEqualTo(413);
            assertThat(s3.exists("write-path", big.key())).isFalse();
        }
    }

    @Test
    void blobPostedAfterTheListingIsNotPulledAgainInTheSameCycle() throws Exception {
        Map<String, String> settings = node("write-during-cycle");
        // one CID at a time, so the second one's turn comes after the push
        settings.put("repair.pull.concurrency", "1");
        // two missing blobs this node holds (R=3 > 2 hosts): the first one's pull hangs while the second is pushed
        List<Blob> missing = new ArrayList<>(List.of(Blob.of("first missing"), Blob.of("second missing")));
        missing.sort((a, b) -> a.cid().compareTo(b.cid()));
        Blob first = missing.get(0);
        Blob second = missing.get(1);
        TestDb.at(settings.get("repair.db.url")).addRows("audio_previews", "cid", List.of(first.cid(), second.cid()));
        peer.serve(first.cid(), first.content());
        peer.serve(second.cid(), second.content());
        TestPeer.Hold hold = peer.hold(first.cid());

        try (TestNode node = TestNode.start(settings)) {
            CompletableFuture<CycleReport> cycle = CompletableFuture.supplyAsync(node::runCycle);
            assertThat(hold.reached().await(30, TimeUnit.SECONDS)).isTrue();
            assertThat(Multipart.postBlobs(node.url(), Map.of(second.cid(), second.content())).statusCode()).isEqualTo(200);
            hold.release().countDown();
            CycleReport report = cycle.get(60, TimeUnit.SECONDS);

            // both were absent from the listing; the second was pushed before its turn came, so it
            // costs neither a HeadObject nor a pull
            assertThat(report.counters()).containsEntry("repair_known_present", 1L)
                    .containsEntry("pull_mine_needed", 1L).containsEntry("head_confirm_absent", 1L);
            assertThat(report.s3Requests()).containsEntry("HeadObject", 1L);
            assertThat(peer.blobRequests()).doesNotContain(second.cid());
            assertThat(s3.read("write-during-cycle", second.key())).isEqualTo(second.content());
        }
    }
}
