package io.blobrepair.cycle;

import io.blobrepair.repair.CycleReport;
import io.blobrepair.testing.Blob;
import io.blobrepair.testing.TestDb;
import io.blobrepair.testing.TestNode;
import io.blobrepair.testing.TestPeer;
import io.blobrepair.testing.TestS3;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** Pulls from real HTTP peers: content is verified against the CID before it lands in the bucket. */
class PullTest {

    private static TestS3 s3;
    private static TestPeer corrupt;
    private static TestPeer good;

    @BeforeAll
    static void start() throws Exception {
        s3 = TestS3.start();
        corrupt = TestPeer.start();
        good = TestPeer.start();
    }

    @AfterAll
    static void stop() throws Exception {
        corrupt.close();
        good.close();
        s3.close();
    }

    private static Map<String, String> node(String bucket, Blob blob, List<String> placementHosts, int port) throws Exception {
        s3.createBucket(bucket);
        TestDb db = TestDb.create();
        db.createSchema();
        String self = "http://127.0.0.1:" + port;
        String hosts = "[\"" + self + "\",\"" + String.join("\",\"", placementHosts) + "\"]";
        db.addUpload("upload-1", "img_square", blob.cid(), hosts, null);
        return TestNode.settings(s3, bucket, db, port, List.of(corrupt.url(), good.url()));
    }

    @Test
    void corruptedBytesAreNotStoredAndTheNextRankedPeerIsTried() throws Exception {
        Blob blob = Blob.of("pulled blob");
        corrupt.serve(blob.cid(), "other bytes".getBytes(StandardCharsets.UTF_8));
        good.serve(blob.cid(), blob.content());
        // placement_hosts fix the order: this node, then the corrupt peer, then the good one
        try (TestNode node = TestNode.start(node("pull-corrupt-then-good", blob, List.of(corrupt.url(), good.url()), TestNode.freePort()))) {
            CycleReport report = node.runCycle();

            assertThat(report.counters()).containsEntry("pull_mine_needed", 1L).containsEntry("pull_mine_fail", 1L)
                    .containsEntry("pull_mine_success", 1L);
            assertThat(corrupt.blobRequests()).contains(blob.cid());
            assertThat(s3.read("pull-corrupt-then-good", blob.key())).isEqualTo(blob.content());
        }
    }

    @Test
    void onlyCorruptPeersMeansNothingIsStored() throws Exception {
        Blob blob = Blob.of("blob only served corrupted");
        corrupt.serve(blob.cid(), "not it".getBytes(StandardCharsets.UTF_8));
        try (TestNode node = TestNode.start(node("pull-corrupt-only", blob, List.of(corrupt.url()), TestNode.freePort()))) {
            CycleReport report = node.runCycle();

            assertThat(report.counters()).containsEntry("pull_mine_needed", 1L).containsEntry("pull_mine_fail", 1L)
                    .containsEntry("pull_mine_success", 0L);
            assertThat(report.s3Requests()).containsEntry("PutObject", 0L);
            assertThat(s3.exists("pull-corrupt-only", blob.key())).isFalse();
        }
    }

    @Test
    void noHealthyPeerAbortsBeforeAnyS3Request() throws Exception {
        Blob blob = Blob.of("unreachable network");
        Map<String, String> settings = node("pull-no-peer", blob, List.of(), TestNode.freePort());
        settings.put("repair.peers", "http://127.0.0.1:" + TestNode.freePort()); // nobody listens there
        try (TestNode node = TestNode.start(settings)) {
            CycleReport report = node.runCycle();

            assertThat(report.abortedReason()).isEqualTo("NOT_ENOUGH_PEERS");
            assertThat(report.s3Requests().values()).allMatch(n -> n == 0L);
            // the aborted attempt keeps its number: the next run is still cycle 1
            assertThat(node.runCycle().cycle()).isEqualTo(1);
        }
    }
}
