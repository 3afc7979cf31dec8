package io.blobrepair.reference;

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

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.IntPredicate;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A store-all node with an archive bucket (issue 10 item 8, issue 17 item 5), end to end on a real
 * s3proxy, PostgreSQL and HTTP peers; R=1 among seven hosts, so rank 0 belongs in the primary
 * bucket and every later rank in the archive. Blobs are pulled into their routed bucket, both
 * buckets are listed and served, nothing is deleted from the archive as over-replicated, and a
 * blob in the wrong bucket is never pulled: a cleanup cycle relocates it, checked, source deleted.
 */
@Timeout(value = 5, unit = TimeUnit.MINUTES)
class ArchiveBucketTest {

    private static final int PEERS = 6;
    private static TestS3 s3;
    private static final List<TestPeer> peers = new ArrayList<>();
    private static int nodes;

    @BeforeAll
    static void start() throws Exception {
        s3 = TestS3.start();
        for (int i = 0; i < PEERS; i++) {
            peers.add(TestPeer.start());
        }
    }

    @AfterAll
    static void stop() throws Exception {
        peers.forEach(TestPeer::close);
        s3.close();
    }

    /** A fresh store-all node: its primary and archive buckets and its database. */
    private static final class Node {
        final String primary = "archive-test-" + (++nodes);
        final String archive = primary + "-archive";
        final String self;
        final TestDb db;
        final Map<String, String> settings;
        final List<String> hosts = new ArrayList<>();

        Node() throws Exception {
            int port = TestNode.freePort();
            self = "http://127.0.0.1:" + port;
            s3.createBucket(primary);
            s3.createBucket(archive);
            db = TestDb.create();
            db.createSchema();
            List<String> peerUrls = peers.stream().map(TestPeer::url).toList();
            settings = TestNode.settings(s3, primary, db, port, peerUrls);
            settings.put("repair.replication-factor", "1");
            settings.put("repair.max-delete-fraction", "1");
            settings.put("repair.store-all", "true");
            settings.put("repair.s3.archive-bucket", archive);
            hosts.addAll(peerUrls);
            hosts.add(self);
        }

        /** A v1 blob whose 0-based rank here is accepted by {@code rank}, listed as an audio preview. */
        Blob preview(String name, IntPredicate rank) throws Exception {
            for (int i = 0; ; i++) {
                Blob b = Blob.of(name + " " + primary + " " + i);
                if (rank.test(RendezvousRanking.rank(b.cid(), hosts).indexOf(self))) {
                    db.addRows("audio_previews", "cid", List.of(b.cid()));
                    return b;
                }
            }
        }

        TestNode start() throws Exception {
            MutableClock clock = new MutableClock();
            clock.advance(Duration.ofDays(8)); // what is written now counts as old
            return TestNode.start(settings, clock);
        }
    }

    private static IntPredicate archived() {
        return rank -> rank >= 1;
    }

    private static IntPredicate primary() {
        return rank -> rank == 0;
    }

    private static void servedByEveryPeer(Blob blob) {
        peers.forEach(p -> p.serve(blob.cid(), blob.content()));
    }

    private static long requestsFor(Blob blob) {
        return peers.stream().mapToLong(p -> p.blobRequests().stream().filter(blob.cid()::equals).count()).sum();
    }

    @Test
    void whatRanksAtOrAfterRIsPulledIntoTheArchiveServedFromItAndNeverDeletedAsOverReplicated() throws Exception {
        Node n = new Node();
        Blob hot = n.preview("hot", primary());
        Blob cold = n.preview("cold", archived());
        // rank 6 of 7: a non-store-all node would delete this copy as over-replicated (R=1, T=3)
        Blob coldHeld = n.preview("cold held", rank -> rank == 6);
        servedByEveryPeer(hot);
        servedByEveryPeer(cold);
        s3.put(n.archive, coldHeld.key(), coldHeld.content());

        try (TestNode node = n.start()) {
            CycleReport normal = node.runCycle();

            assertThat(normal.counters()).containsEntry("pull_mine_success", 2L);
            assertThat(s3.read(n.primary, hot.key())).isEqualTo(hot.content());
            assertThat(s3.exists(n.archive, hot.key())).isFalse();
            assertThat(s3.read(n.archive, cold.key())).isEqualTo(cold.content());
            assertThat(s3.exists(n.primary, cold.key())).isFalse();
            // both buckets listed: the held archive copy was found there, not looked up or pulled
            assertThat(normal.counters()).containsEntry("presence_index_hit", 1L).containsEntry("head_fallback_keys", 0L);
            assertThat(requestsFor(coldHeld)).isZero();

            // the peer API serves what is in either bucket
            HttpClient http = HttpClient.newHttpClient();
            for (Blob b : List.of(hot, cold, coldHeld)) {
                HttpResponse<byte[]> got = http.send(HttpRequest.newBuilder(URI.create(node.url() + "/internal/blobs/" + b.cid())).build(),
                        HttpResponse.BodyHandlers.ofByteArray());
                assertThat(got.statusCode()).as(b.cid()).isEqualTo(200);
                assertThat(got.body()).isEqualTo(b.content());
            }

            CycleReport cleanup = node.runCleanupCycle();

            assertThat(cleanup.counters()).containsEntry("delete_over_replicated_needed", 0L)
                    .containsEntry("delete_invalid_needed", 0L);
            assertThat(cleanup.s3Requests()).containsEntry("DeleteObject", 0L).containsEntry("CopyObject", 0L);
            assertThat(s3.exists(n.archive, cold.key())).isTrue();
            assertThat(s3.exists(n.archive, coldHeld.key())).isTrue();
        }
    }

    @Test
    void aBlobInTheWrongBucketIsNeverPulledAndACleanupRelocatesItCheckedThere() throws Exception {
        Node n = new Node();
        Blob coldInPrimary = n.preview("cold in primary", archived());
        Blob hotInArchive = n.preview("hot in archive", primary());
        Blob corruptInPrimary = n.preview("corrupt in primary", archived());
        Blob inBoth = n.preview("in both", archived());
        s3.put(n.primary, coldInPrimary.key(), coldInPrimary.content());
        s3.put(n.archive, hotInArchive.key(), hotInArchive.content());
        byte[] corrupt = "not what the CID says".getBytes(StandardCharsets.UTF_8);
        s3.put(n.primary, corruptInPrimary.key(), corrupt);
        s3.put(n.primary, inBoth.key(), inBoth.content());
        s3.put(n.archive, inBoth.key(), inBoth.content());
        List.of(coldInPrimary, hotInArchive, corruptInPrimary, inBoth).forEach(ArchiveBucketTest::servedByEveryPeer);

        try (TestNode node = n.start()) {
            CycleReport normal = node.runCycle();

            // a normal cycle leaves them where they are: nothing pulled, copied or deleted
            assertThat(normal.counters()).containsEntry("other_bucket_only", 3L).containsEntry("pull_mine_needed", 0L);
            assertThat(normal.s3Requests()).containsEntry("CopyObject", 0L).containsEntry("DeleteObject", 0L)
                    .containsEntry("HeadObject", 0L);

            CycleReport cleanup = node.runCleanupCycle();

            assertThat(s3.read(n.archive, coldInPrimary.key())).isEqualTo(coldInPrimary.content());
            assertThat(s3.exists(n.primary, coldInPrimary.key())).isFalse();
            assertThat(s3.read(n.primary, hotInArchive.key())).isEqualTo(hotInArchive.content());
            assertThat(s3.exists(n.archive, hotInArchive.key())).isFalse();
            assertThat(s3.read(n.archive, inBoth.key())).isEqualTo(inBoth.content());
            assertThat(s3.exists(n.primary, inBoth.key())).isFalse();
            // the corrupt source's copy failed its check: deleted, the blob pulled from a peer; the source stays
            assertThat(s3.read(n.archive, corruptInPrimary.key())).isEqualTo(corruptInPrimary.content());
            assertThat(s3.read(n.primary, corruptInPrimary.key())).isEqualTo(corrupt);
            assertThat(cleanup.counters()).containsEntry("relocated_between_buckets", 2L)
                    .containsEntry("relocate_between_buckets_fail", 1L)
                    .containsEntry("delete_invalid_success", 1L)
                    .containsEntry("archive_primary_duplicate_needed", 1L)
                    .containsEntry("archive_primary_duplicate_deleted", 1L)
                    .containsEntry("pull_mine_success", 1L);
            assertThat(cleanup.s3Requests()).containsEntry("CopyObject", 3L);
            for (Blob relocated : List.of(coldInPrimary, hotInArchive, inBoth)) {
                assertThat(requestsFor(relocated)).as(relocated.cid()).isZero();
            }

            // the next cleanup finds the corrupt primary copy a duplicate of a valid archive copy
            CycleReport next = node.runCleanupCycle();

            assertThat(next.counters()).containsEntry("archive_primary_duplicate_deleted", 1L)
                    .containsEntry("relocated_between_buckets", 0L);
            assertThat(s3.exists(n.primary, corruptInPrimary.key())).isFalse();
            assertThat(s3.read(n.archive, corruptInPrimary.key())).isEqualTo(corruptInPrimary.content());
        }
    }

    @Test
    void aLegacyBlobIsRelocatedWhenItsCopyHasTheSourcesSize() throws Exception {
        Node n = new Node();
        String legacy = null;
        for (int i = 0; legacy == null; i++) {
            String base58 = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz";
            String candidate = "QmP8Wuu1kN9iHBoBptB4UrTN3orna3Z6ZW2xevNkoE2y" + base58.charAt(i / 58) + base58.charAt(i % 58);
            if (RendezvousRanking.rank(candidate, n.hosts).indexOf(n.self) >= 1) {
                legacy = candidate;
            }
        }
        String key = io.blobrepair.cid.Cid.parse(legacy).orElseThrow().storageKey();
        byte[] content = "a legacy blob".getBytes(StandardCharsets.UTF_8);
        s3.put(n.primary, key, content);
        n.db.addRows("qm_cids", "key", List.of(legacy));

        try (TestNode node = n.start()) {
            CycleReport cleanup = node.runCleanupCycle();

            assertThat(cleanup.counters()).containsEntry("relocated_between_buckets", 1L);
            // its copy checked by one HeadObject: the size matches the source's
            assertThat(cleanup.s3Requests()).containsEntry("CopyObject", 1L).containsEntry("HeadObject", 1L);
            assertThat(s3.read(n.archive, key)).isEqualTo(content);
            assertThat(s3.exists(n.primary, key)).isFalse();
        }
    }

    @Test
    void aFailedCopyKeepsTheSourceAndCostsOnlyItsCid() throws Exception {
        Node n = new Node();
        Blob unlucky = n.preview("copy fails", archived());
        Blob lucky = n.preview("copy works", archived());
        s3.put(n.primary, unlucky.key(), unlucky.content());
        s3.put(n.primary, lucky.key(), lucky.content());
        servedByEveryPeer(unlucky);
        s3.store().failPutsOf(unlucky.key());
        try (TestNode node = n.start()) {
            CycleReport cleanup = node.runCleanupCycle();

            assertThat(cleanup.counters()).containsEntry("relocate_between_buckets_fail", 1L)
                    .containsEntry("relocated_between_buckets", 1L).containsEntry("pull_mine_needed", 0L);
            assertThat(s3.read(n.primary, unlucky.key())).isEqualTo(unlucky.content());
            assertThat(s3.exists(n.archive, unlucky.key())).isFalse();
            assertThat(requestsFor(unlucky)).isZero();
            assertThat(s3.read(n.archive, lucky.key())).isEqualTo(lucky.content());
            assertThat(s3.exists(n.primary, lucky.key())).isFalse();
        } finally {
            s3.store().healPutsOf(unlucky.key());
        }
    }

    @Test
    void aDryRunOnlyLogsTheRelocation() throws Exception {
        Node n = new Node();
        Blob coldInPrimary = n.preview("cold in primary", archived());
        s3.put(n.primary, coldInPrimary.key(), coldInPrimary.content());
        n.settings.put("repair.dry-run", "true");

        try (TestNode node = n.start()) {
            CycleReport cleanup = node.runCleanupCycle();

            assertThat(cleanup.counters()).containsEntry("dry_run_skipped", 1L).containsEntry("relocated_between_buckets", 0L);
            assertThat(cleanup.s3Requests()).containsEntry("CopyObject", 0L).containsEntry("DeleteObject", 0L);
            assertThat(s3.exists(n.primary, coldInPrimary.key())).isTrue();
            assertThat(s3.exists(n.archive, coldInPrimary.key())).isFalse();
        }
    }
}
