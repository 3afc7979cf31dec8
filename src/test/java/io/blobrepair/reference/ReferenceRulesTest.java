package io.blobrepair.reference;

import io.blobrepair.placement.RendezvousRanking;
import io.blobrepair.repair.CycleReport;
import io.blobrepair.testing.Blob;
import io.blobrepair.testing.MutableClock;
import io.blobrepair.testing.ReferenceNode;
import io.blobrepair.testing.TestDb;
import io.blobrepair.testing.TestNode;
import io.blobrepair.testing.TestPeer;
import io.blobrepair.testing.TestS3;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.IntPredicate;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The per-CID rules of the reference network (issue 10), end to end on a real s3proxy, a real
 * PostgreSQL and real HTTP peers: derived variants are never pulled; placement_hosts that do not
 * name this node make a CID none of its business, ones that name it make it this node's;
 * over-replication at 0-based rank above T (R=1, T=3 here); one HeadObject before each pull finds
 * what the node wrote since the listing; a changed host list keeps a cleanup from deleting.
 */
@Timeout(value = 5, unit = TimeUnit.MINUTES)
class ReferenceRulesTest {

    private static final int PEERS = 6;
    private static final int T = 3;
    private static TestS3 s3;
    private static final List<TestPeer> peers = new ArrayList<>();
    private static int buckets;

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

    /** A fresh node among the six peers: its bucket and database, R=1 (T=3), no capacity set. */
    private static final class Node {
        final String bucket = "reference-rules-" + (++buckets);
        final int port;
        final String self;
        final TestDb db;
        final Map<String, String> settings;
        final List<String> hosts = new ArrayList<>();

        Node() throws Exception {
            port = TestNode.freePort();
            self = "http://127.0.0.1:" + port;
            s3.createBucket(bucket);
            db = TestDb.create();
            db.createSchema();
            List<String> peerUrls = peers.stream().map(TestPeer::url).toList();
            settings = TestNode.settings(s3, bucket, db, port, peerUrls);
            settings.put("repair.replication-factor", "1");
            settings.put("repair.max-delete-fraction", "1");
            hosts.addAll(peerUrls);
            hosts.add(self);
        }

        int rankOf(String cid) {
            return RendezvousRanking.rank(cid, hosts).indexOf(self);
        }

        /** A v1 blob whose 0-based rank for this node is accepted by {@code rank}. */
        Blob blobAt(String prefix, IntPredicate rank) {
            for (int i = 0; ; i++) {
                Blob b = Blob.of(prefix + " " + bucket + " " + i);
                if (rank.test(rankOf(b.cid()))) {
                    return b;
                }
            }
        }

        void heldEverywhere(Blob blob) {
            s3.put(bucket, blob.key(), blob.content());
            peers.forEach(p -> p.serve(blob.cid(), blob.content()));
        }

        TestNode start() throws Exception {
            MutableClock clock = new MutableClock();
            clock.advance(Duration.ofDays(8)); // what is written now counts as old
            return TestNode.start(settings, clock);
        }
    }

    private static long requestsFor(String cid) {
        return peers.stream().mapToLong(p -> p.blobRequests().stream().filter(cid::equals).count()).sum();
    }

    /** A well-formed legacy CID (Qm + 44 base58 characters), one per {@code i}. */
    private static String legacyCid(int i) {
        String base58 = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz";
        StringBuilder cid = new StringBuilder("Qm");
        long x = 0x9E3779B97F4A7C15L * (i + 1);
        for (int k = 0; k < 44; k++) {
            x ^= x << 13;
            x ^= x >>> 7;
            x ^= x << 17;
            cid.append(base58.charAt((int) Math.floorMod(x, 58L)));
        }
        return cid.toString();
    }

    @Test
    void aDerivedVariantThatRanksHereIsNeverRequestedFromAPeer() throws Exception {
        Node n = new Node();
        String variant = null;
        for (int i = 0; variant == null; i++) {
            String candidate = legacyCid(i) + "/150x150.jpg";
            if (n.rankOf(candidate) == 0) {
                variant = candidate;
            }
        }
        String variantCid = variant;
        peers.forEach(p -> p.serve(variantCid, "resized".getBytes(StandardCharsets.UTF_8)));
        n.db.addRows("qm_cids", "key", List.of(variant));
        try (TestNode node = n.start()) {
            CycleReport normal = node.runCycle();
            CycleReport cleanup = node.runCleanupCycle();

            assertThat(requestsFor(variant)).isZero();
            assertThat(s3.exists(n.bucket, variant)).isFalse();
            assertThat(normal.counters()).containsEntry("total_checked", 1L).containsEntry("pull_mine_needed", 0L);
            assertThat(cleanup.counters()).containsEntry("pull_mine_needed", 0L);
            assertThat(normal.s3Requests()).containsEntry("HeadObject", 0L).containsEntry("PutObject", 0L);
        }
    }

    @Test
    void anUploadPlacedElsewhereIsNeverPulledOrDeletedAlsoInStoreAllMode() throws Exception {
        for (boolean storeAll : List.of(false, true)) {
            Node n = new Node();
            // ranked here first by rendezvous, and missing: only its placement keeps it from being pulled
            Blob missing = n.blobAt("placed elsewhere, missing", rank -> rank == 0);
            peers.forEach(p -> p.serve(missing.cid(), missing.content()));
            // held, old, ranked beyond T and held by every peer: only its placement keeps it
            Blob held = n.blobAt("placed elsewhere, held", rank -> rank > T);
            n.heldEverywhere(held);
            String elsewhere = "[\"" + peers.get(0).url() + "\",\"" + peers.get(1).url().toUpperCase() + "/\"]";
            n.db.addUpload("u-missing", "img_square", missing.cid(), elsewhere, null);
            n.db.addUpload("u-held", "img_square", held.cid(), elsewhere, null);
            n.settings.put("repair.store-all", String.valueOf(storeAll));
            try (TestNode node = n.start()) {
                CycleReport normal = node.runCycle();
                CycleReport cleanup = node.runCleanupCycle();

                assertThat(requestsFor(missing.cid())).as("store-all %s", storeAll).isZero();
                assertThat(s3.exists(n.bucket, missing.key())).isFalse();
                assertThat(s3.exists(n.bucket, held.key())).as("store-all %s", storeAll).isTrue();
                assertThat(normal.counters()).containsEntry("placed_elsewhere", 2L).containsEntry("total_checked", 0L);
                assertThat(cleanup.counters()).containsEntry("placed_elsewhere", 2L).containsEntry("total_checked", 0L)
                        .containsEntry("delete_over_replicated_needed", 0L);
                assertThat(cleanup.s3Requests()).containsEntry("DeleteObject", 0L).containsEntry("GetObject", 0L);
            }
        }
    }

    @Test
    void anUploadPlacedHereIsPulledThoughRendezvousRanksItElsewhere() throws Exception {
        Node n = new Node();
        Blob blob = n.blobAt("placed here", rank -> rank > T);
        TestPeer holder = peers.get(3);
        holder.serve(blob.cid(), blob.content());
        // this node's host written in another case, with a trailing slash: it still names this node
        n.db.addUpload("u-here", "img_square", blob.cid(),
                "[\"" + holder.url() + "\",\"" + n.self.toUpperCase() + "/\"]", null);
        try (TestNode node = n.start()) {
            CycleReport normal = node.runCycle();
            assertThat(normal.counters()).containsEntry("pull_mine_needed", 1L).containsEntry("pull_mine_success", 1L);
            assertThat(s3.read(n.bucket, blob.key())).isEqualTo(blob.content());

            // held here as placed: never deleted as over-replicated, though old and ranked beyond T
            peers.forEach(p -> p.serve(blob.cid(), blob.content()));
            CycleReport cleanup = node.runCleanupCycle();
            assertThat(cleanup.counters()).containsEntry("delete_over_replicated_needed", 0L);
            assertThat(s3.exists(n.bucket, blob.key())).isTrue();
        }
    }

    @Test
    void overReplicationKeepsTheCopyAtRankTAndDeletesTheOneAtTPlusOne() throws Exception {
        Node n = new Node();
        Blob atT = n.blobAt("at the threshold", rank -> rank == T);
        Blob beyond = n.blobAt("one beyond the threshold", rank -> rank == T + 1);
        n.heldEverywhere(atT);
        n.heldEverywhere(beyond);
        n.db.addRows("audio_previews", "cid", List.of(atT.cid(), beyond.cid()));
        try (TestNode node = n.start()) {
            CycleReport cleanup = node.runCleanupCycle();

            assertThat(cleanup.counters()).containsEntry("delete_over_replicated_needed", 1L)
                    .containsEntry("delete_over_replicated_success", 1L);
            assertThat(s3.exists(n.bucket, atT.key())).isTrue();
            assertThat(s3.exists(n.bucket, beyond.key())).isFalse();
        }
    }

    @Test
    void aBlobTheNodeWroteAfterTheListingIsNotPulled() throws Exception {
        Node n = new Node();
        // two missing blobs of this node's, the first in key order held up at its pull
        Blob a = n.blobAt("missing first", rank -> rank == 0);
        Blob b = n.blobAt("written by the node", rank -> rank == 0);
        Blob first = a.cid().compareTo(b.cid()) < 0 ? a : b;
        Blob written = first == a ? b : a;
        // the peer ranked first after this node: the pull plan asks only the first R+4 hosts, and
        // a fixed peer ranks past them for some of the random ports the peers get
        String firstPeer = RendezvousRanking.rank(first.cid(), n.hosts).get(1);
        TestPeer holder = peers.stream().filter(p -> p.url().equals(firstPeer)).findFirst().orElseThrow();
        holder.serve(first.cid(), first.content());
        holder.serve(written.cid(), written.content());
        n.db.addRows("audio_previews", "cid", List.of(first.cid(), written.cid()));
        n.settings.put("repair.pull.concurrency", "1"); // the second CID's turn comes after the first's pull
        TestPeer.Hold hold = holder.hold(first.cid());
        try (TestNode node = n.start()) {
            CompletableFuture<CycleReport> cycle = CompletableFuture.supplyAsync(node::runCycle);
            assertThat(hold.reached().await(60, TimeUnit.SECONDS)).isTrue();
            // the co-located node writes the second blob itself, after this cycle's listing
            s3.put(n.bucket, written.key(), written.content());
            hold.release().countDown();
            CycleReport report = cycle.get(120, TimeUnit.SECONDS);

            assertThat(report.counters()).containsEntry("head_confirm_absent", 1L).containsEntry("head_found_present", 1L)
                    .containsEntry("pull_mine_needed", 1L);
            assertThat(report.s3Requests()).containsEntry("HeadObject", 2L);
            assertThat(holder.blobRequests()).doesNotContain(written.cid());
        }
    }

    @Test
    void aChangedHostListKeepsThatCleanupFromDeletingOverReplicatedCopies() throws Exception {
        Node n = new Node();
        Blob over = n.blobAt("over-replicated while hosts move", rank -> rank > T + 1);
        n.heldEverywhere(over);
        n.db.addRows("audio_previews", "cid", List.of(over.cid()));
        try (ReferenceNode reference = ReferenceNode.start(n.self, n.hosts).replicationFactor(1)) {
            n.settings.remove("repair.self-host");
            n.settings.remove("repair.peers");
            n.settings.remove("repair.replication-factor");
            n.settings.put("repair.node-url", reference.url());
            try (TestNode node = n.start()) {
                // a host joins: the owners moved, this cleanup deletes nothing over-replicated
                List<String> grown = new ArrayList<>(n.hosts);
                grown.add("http://127.0.0.1:" + TestNode.freePort());
                reference.hosts(grown);
                CycleReport moved = node.runCleanupCycle();
                assertThat(moved.counters()).containsEntry("hosts_changed_no_delete", 1L)
                        .containsEntry("delete_over_replicated_success", 0L);
                assertThat(s3.exists(n.bucket, over.key())).isTrue();

                // the next cleanup, on a host list that stayed, deletes it as it should
                CycleReport settled = node.runCleanupCycle();
                assertThat(settled.counters()).containsEntry("hosts_changed_no_delete", 0L);
                // a host joining moves this node's rank by one at most: still beyond T
                assertThat(RendezvousRanking.rank(over.cid(), grown).indexOf(n.self)).isGreaterThan(T);
                assertThat(settled.counters()).containsEntry("delete_over_replicated_success", 1L);
                assertThat(s3.exists(n.bucket, over.key())).isFalse();
            }
        }
    }

    /** A restart with another host list is a change too: the database keeps the hosts the last run ranked against. */
    @Test
    void aRestartWithAnotherHostListKeepsItsFirstCleanupFromDeletingOverReplicatedCopies() throws Exception {
        Node n = new Node();
        Blob over = n.blobAt("over-replicated across a restart", rank -> rank > T + 1);
        n.heldEverywhere(over);
        n.db.addRows("audio_previews", "cid", List.of(over.cid()));
        try (TestNode node = n.start()) {
            assertThat(node.runCycle().counters()).containsEntry("hosts_changed_no_delete", 0L);
        }
        List<String> grown = new ArrayList<>(n.hosts);
        grown.add("http://127.0.0.1:" + TestNode.freePort());
        n.settings.put("repair.peers", String.join(",", grown.stream().filter(h -> !h.equals(n.self)).toList()));
        try (TestNode node = n.start()) {
            CycleReport moved = node.runCleanupCycle();
            assertThat(moved.counters()).containsEntry("hosts_changed_no_delete", 1L)
                    .containsEntry("delete_over_replicated_success", 0L);
            assertThat(s3.exists(n.bucket, over.key())).isTrue();
        }
        try (TestNode node = n.start()) { // restarted on the same list: no change, the cleanup deletes
            CycleReport settled = node.runCleanupCycle();
            assertThat(settled.counters()).containsEntry("hosts_changed_no_delete", 0L);
            assertThat(RendezvousRanking.rank(over.cid(), grown).indexOf(n.self)).isGreaterThan(T);
            assertThat(settled.counters()).containsEntry("delete_over_replicated_success", 1L);
            assertThat(s3.exists(n.bucket, over.key())).isFalse();
        }
    }
}
