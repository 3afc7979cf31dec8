package io.blobrepair.cleanup;

import io.blobrepair.placement.RendezvousRanking;
import io.blobrepair.repair.CycleReport;
import io.blobrepair.testing.Blob;
import io.blobrepair.testing.MutableClock;
import io.blobrepair.testing.TestDb;
import io.blobrepair.testing.TestNode;
import io.blobrepair.testing.TestPeer;
import io.blobrepair.testing.TestS3;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.sql.PreparedStatement;
import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * What a cleanup keeps beyond the replica set, on eight hosts (this node and seven real peers that
 * all hold the blob), R = 3, so #202's spill-over threshold is R+2 = 5: store-recent keeps a recent
 * upload whatever its rank, and {@code repair.over-replication} picks #202's rule or the newer
 * replica-set rule. The node's clock runs eight days ahead, so the copies it holds are old enough
 * to delete.
 */
@Timeout(value = 5, unit = TimeUnit.MINUTES)
class RetentionTest {

    private static final int PEERS = 7;
    private static TestS3 s3;
    private static final List<TestPeer> peers = new ArrayList<>();
    private static int buckets;

    @BeforeAll
    static void start() throws Exception {
        s3 = TestS3.start();
        for (int i = 0; i < PEERS; i++) {
            peers.add(i % 2 == 0 ? TestPeer.start().likeReference() : TestPeer.start());
        }
    }

    @AfterAll
    static void stop() throws Exception {
        peers.forEach(TestPeer::close);
        s3.close();
    }

    /** A node whose upload's blob ranks it {@code rank} of 8, created {@code age} before now, held or not. */
    private record Node(Map<String, String> settings, String bucket, Blob blob) {
    }

    private static Node node(int rank, Duration uploadAge, boolean held) throws Exception {
        String bucket = "retention-" + (++buckets);
        s3.createBucket(bucket);
        TestDb db = TestDb.create();
        db.createSchema();
        int port = TestNode.freePort();
        String self = "http://127.0.0.1:" + port;
        List<String> hosts = new ArrayList<>(peers.stream().map(TestPeer::url).toList());
        hosts.add(self);
        Blob blob = null;
        for (int i = 0; blob == null; i++) {
            Blob candidate = Blob.of(bucket + " upload " + i);
            if (RendezvousRanking.rank(candidate.cid(), hosts).indexOf(self) == rank) {
                blob = candidate;
            }
        }
        Blob theBlob = blob;
        peers.forEach(p -> p.serve(theBlob.cid(), theBlob.content()));
        if (held) {
            s3.put(bucket, blob.key(), blob.content());
        }
        try (var c = db.dataSource().getConnection(); PreparedStatement ps = c.prepareStatement(
                "INSERT INTO uploads (id, template, orig_file_cid, created_at) VALUES ('upload-1', 'img_square', ?, ?)")) {
            ps.setString(1, blob.cid());
            // the node's clock is eight days ahead: the upload is that much older to it
            ps.setTimestamp(2, Timestamp.from(Instant.now().minus(uploadAge)));
            ps.executeUpdate();
        }
        Map<String, String> settings = TestNode.settings(s3, bucket, db, port, peers.stream().map(TestPeer::url).toList());
        settings.put("repair.max-delete-fraction", "1");
        return new Node(settings, bucket, blob);
    }

    private static TestNode start(Node n) throws Exception {
        MutableClock clock = new MutableClock();
        clock.advance(Duration.ofDays(8));
        return TestNode.start(n.settings(), clock);
    }

    @ParameterizedTest(name = "store-recent {0}: kept {1}")
    @CsvSource({"true, true", "false, false"})
    void anAgedCopyOfARecentUploadAtRankSevenOfEightIsKeptOnlyWithStoreRecent(boolean storeRecent, boolean kept) throws Exception {
        Node n = node(7, Duration.ZERO, true);
        n.settings().put("repair.store-recent", String.valueOf(storeRecent));
        try (TestNode node = start(n)) {
            CycleReport cleanup = node.runCleanupCycle();

            assertThat(s3.exists(n.bucket(), n.blob().key())).isEqualTo(kept);
            assertThat(cleanup.counters()).containsEntry("delete_over_replicated_success", kept ? 0L : 1L)
                    .containsEntry("already_have", 1L);
        }
    }

    @Test
    void anUploadOlderThanTheTtlIsNotKept() throws Exception {
        Node n = node(7, Duration.ofDays(30), true);
        n.settings().put("repair.store-recent", "true");
        n.settings().put("repair.store-recent-ttl", "30d");
        try (TestNode node = start(n)) {
            CycleReport cleanup = node.runCleanupCycle();

            assertThat(cleanup.counters()).containsEntry("delete_over_replicated_success", 1L);
            assertThat(s3.exists(n.bucket(), n.blob().key())).isFalse();
        }
    }

    @ParameterizedTest(name = "store-recent {0}: pulled {1}")
    @CsvSource({"true, 1", "false, 0"})
    void aMissingRecentUploadAtTheLastRankIsPulledOnlyWithStoreRecent(boolean storeRecent, long pulled) throws Exception {
        Node n = node(7, Duration.ZERO, false);
        n.settings().put("repair.store-recent", String.valueOf(storeRecent));
        try (TestNode node = start(n)) {
            CycleReport cycle = node.runCycle();

            assertThat(cycle.counters()).containsEntry("pull_mine_needed", pulled).containsEntry("pull_mine_success", pulled);
            assertThat(s3.exists(n.bucket(), n.blob().key())).isEqualTo(pulled == 1);
        }
    }

    /** A copy at rank R (= 3, inside #202's threshold of 5): the replica-set rule deletes it, spill-over keeps it. */
    @ParameterizedTest(name = "{0}: kept {1}")
    @CsvSource({"spill-over, true", "replica-set, false"})
    void theOverReplicationRuleDecidesACopyAtRankR(String rule, boolean kept) throws Exception {
        Node n = node(3, Duration.ofDays(400), true);
        n.settings().put("repair.over-replication", rule);
        try (TestNode node = start(n)) {
            CycleReport cleanup = node.runCleanupCycle();

            assertThat(s3.exists(n.bucket(), n.blob().key())).isEqualTo(kept);
            assertThat(cleanup.counters()).containsEntry("delete_over_replicated_success", kept ? 0L : 1L);
        }
    }
}
