package io.blobrepair.cycle;

import io.blobrepair.repair.CycleReport;
import io.blobrepair.repair.PresenceStoreReadiness;
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
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The presence store ({@code repair.presence.source=store}) against s3proxy, PostgreSQL and a real
 * HTTP peer: a normal cycle after a complete listing answers presence from the store (no
 * ListObjects, the liveness sample's HeadObjects) and repairs what a listing cycle would; a bucket
 * changed behind its back, a cleanup cycle and a failed listing each make a cycle list.
 */
class PresenceStoreCycleTest {

    /** Blobs each node holds: fewer than the sample, so the sample is the whole store and its outcome exact. */
    private static final int HELD = 40;

    private static TestS3 s3;
    private static TestPeer peer;

    @BeforeAll
    static void startServers() throws Exception {
        s3 = TestS3.start();
        peer = TestPeer.start();
    }

    @AfterAll
    static void stopServers() throws Exception {
        peer.close();
        s3.close();
    }

    /** A node's bucket and database: {@link #HELD} blobs held, each listed in audio_previews. */
    private record Node(Map<String, String> settings, TestDb db, List<Blob> held) {

        String bucket() {
            return settings.get("repair.s3.bucket");
        }

        /** A blob of the node's that only the peer serves. */
        Blob missing(String name) throws Exception {
            Blob blob = Blob.of(bucket() + "-missing-" + name);
            peer.serve(blob.cid(), blob.content());
            db.addRows("audio_previews", "cid", List.of(blob.cid()));
            return blob;
        }

        long stored() throws Exception {
            return db.queryLong("SELECT count(*) FROM repair_presence WHERE bucket = '" + bucket() + "'");
        }

        boolean stores(Blob blob) throws Exception {
            return db.queryLong("SELECT count(*) FROM repair_presence WHERE bucket = '" + bucket() + "' AND key = '"
                    + blob.key() + "'") == 1;
        }

        boolean lastListingComplete() throws Exception {
            return db.queryLong("SELECT count(*) FROM repair_presence_listings WHERE bucket = '" + bucket()
                    + "' AND complete") == 1;
        }
    }

    private static Node node(String bucket, String source) throws Exception {
        s3.createBucket(bucket);
        TestDb db = TestDb.create();
        db.createSchema();
        List<Blob> held = new ArrayList<>();
        for (int i = 0; i < HELD; i++) {
            Blob blob = Blob.of(bucket + "-blob-" + i);
            s3.put(bucket, blob.key(), blob.content());
            held.add(blob);
        }
        db.addRows("audio_previews", "cid", held.stream().map(Blob::cid).toList());
        Map<String, String> settings = TestNode.settings(s3, bucket, db, TestNode.freePort(), List.of(peer.url()));
        settings.put("repair.presence.source", source);
        // cleanup cycles only when a test asks for one
        settings.put("repair.cleanup-every", "100");
        return new Node(settings, db, held);
    }

    @Test
    void afterACompleteListingANormalCycleAnswersFromTheStoreAndRepairsAsAListingCycleWould() throws Exception {
        Node store = node("store-served", "store");
        Node listing = node("listing-served", "listing");
        CycleReport fromStore;
        CycleReport listed;
        try (TestNode node = TestNode.start(store.settings())) {
            CycleReport first = node.runCycle();
            assertThat(first.counters()).containsEntry("presence_store_not_ready", 1L).containsEntry("presence_from_store", 0L);
            assertThat(first.s3Requests().get("ListObjects")).isPositive();
            assertThat(store.stored()).isEqualTo(HELD);
            assertThat(store.lastListingComplete()).isTrue();

            Blob missing = store.missing("a");
            fromStore = node.runCycle();

            // the sample (the whole store, 40 keys) and the one HeadObject confirming the missing blob's absence
            assertThat(fromStore.s3Requests()).containsEntry("ListObjects", 0L).containsEntry("HeadObject", HELD + 1L)
                    .containsEntry("PutObject", 1L);
            assertThat(fromStore.s3Requests().get("HeadObject")).isLessThanOrEqualTo(PresenceStoreReadiness.SAMPLE_SIZE);
            assertThat(fromStore.counters()).containsEntry("presence_from_store", 1L).containsEntry("presence_store_not_ready", 0L)
                    .containsEntry("presence_store_hit", (long) HELD).containsEntry("presence_store_miss", 1L)
                    .containsEntry("presence_index_entries", 0L).containsEntry("head_confirm_absent", 1L);
            assertThat(s3.read(store.bucket(), missing.key())).isEqualTo(missing.content());
            // the pull is in the store, and the next cycle finds nothing to do
            assertThat(store.stores(missing)).isTrue();
            CycleReport after = node.runCycle();
            assertThat(after.s3Requests()).containsEntry("ListObjects", 0L).containsEntry("PutObject", 0L)
                    .containsEntry("HeadObject", HELD + 1L);
            assertThat(after.counters()).containsEntry("already_have", HELD + 1L).containsEntry("pull_mine_needed", 0L);
        }
        try (TestNode node = TestNode.start(listing.settings())) {
            node.runCycle();
            listing.missing("a");
            listed = node.runCycle();
        }
        assertThat(listed.s3Requests().get("ListObjects")).isPositive();
        assertThat(listing.stored()).as("source=listing never fills the store").isZero();
        for (String counter : List.of("total_checked", "already_have", "pull_mine_needed", "pull_mine_success", "head_confirm_absent")) {
            assertThat(fromStore.counters().get(counter)).as(counter).isEqualTo(listed.counters().get(counter));
        }
    }

    @Test
    void aBucketChangedBehindTheStoresBackMakesTheCycleList() throws Exception {
        Node store = node("store-changed", "store");
        try (TestNode node = TestNode.start(store.settings())) {
            node.runCycle();
            assertThat(node.runCycle().counters()).containsEntry("presence_from_store", 1L);

            // 30% of the store (all of it is sampled) deleted by someone else; the peer still serves them
            List<Blob> gone = store.held().subList(0, HELD * 3 / 10);
            try (var client = s3.client()) {
                for (Blob blob : gone) {
                    client.deleteObject(b -> b.bucket(store.bucket()).key(blob.key()));
                    peer.serve(blob.cid(), blob.content());
                }
            }
            CycleReport changed = node.runCycle();

            assertThat(changed.counters()).containsEntry("presence_store_not_ready", 1L).containsEntry("presence_from_store", 0L)
                    .containsEntry("pull_mine_success", (long) gone.size());
            assertThat(changed.s3Requests().get("ListObjects")).isPositive();
            // the sample, then one confirmation per pulled blob
            assertThat(changed.s3Requests()).containsEntry("HeadObject", (long) HELD + gone.size());
            for (Blob blob : gone) {
                assertThat(s3.read(store.bucket(), blob.key())).isEqualTo(blob.content());
            }
            // that listing refilled the store: the next cycle is answered from it again
            assertThat(node.runCycle().counters()).containsEntry("presence_from_store", 1L);
        }
    }

    /** A cleanup cycle lists even with a ready store; what it deletes (a corrupt copy nobody else serves) leaves the store. */
    @Test
    void aCleanupCycleAlwaysLists() throws Exception {
        Node store = node("store-cleanup", "store");
        Blob corrupt = Blob.of("store-cleanup-corrupt");
        s3.put(store.bucket(), corrupt.key(), "not what the CID says".getBytes(java.nio.charset.StandardCharsets.UTF_8));
        store.db().addRows("audio_previews", "cid", List.of(corrupt.cid()));
        try (TestNode node = TestNode.start(store.settings())) {
            node.runCycle();
            assertThat(node.runCycle().counters()).containsEntry("presence_from_store", 1L);
            assertThat(store.stores(corrupt)).isTrue();

            CycleReport cleanup = node.runCleanupCycle();

            assertThat(cleanup.cleanup()).isTrue();
            assertThat(cleanup.s3Requests().get("ListObjects")).isPositive();
            assertThat(cleanup.counters()).containsEntry("presence_from_store", 0L).containsEntry("presence_store_not_ready", 0L)
                    .containsEntry("presence_index_entries", HELD + 1L).containsEntry("presence_index_hit", HELD + 1L)
                    .containsEntry("delete_invalid_success", 1L);
            // no liveness sample for a cycle that lists anyway: HeadObject only confirms the deleted copy's absence before its pull
            assertThat(cleanup.s3Requests()).containsEntry("DeleteObject", 1L).containsEntry("PutObject", 0L);
            assertThat(s3.exists(store.bucket(), corrupt.key())).isFalse();
            assertThat(store.stores(corrupt)).isFalse();
            assertThat(store.stored()).isEqualTo(HELD);
        }
    }

    /**
     * A bucket of two pages (1,500 keys besides the node's 40, in no work list) whose second page
     * fails: the listing is partial. The store, larger than the sample, is then sampled at random.
     */
    @Test
    void aPartialListingLeavesTheStoreAsItWasAndNotReady() throws Exception {
        Node store = node("store-partial", "store");
        int others = 1500;
        for (int i = 0; i < others; i++) {
            Blob blob = Blob.of("store-partial-other-" + i);
            s3.put(store.bucket(), blob.key(), blob.content());
        }
        long keys = HELD + others;
        try (TestNode node = TestNode.start(store.settings())) {
            node.runCycle();
            assertThat(store.stored()).isEqualTo(keys);
            Blob pushed = Blob.of("pushed to store-partial");
            s3.store().failListCall(2);
            try {
                CycleReport failed = node.runCleanupCycle();
                assertThat(failed.counters()).containsEntry("presence_index_build_fail", 1L).containsEntry("presence_index_partial", 1L);
                // a peer's push while the store is not ready still reaches it
                HttpResponse<String> push = Multipart.postBlobs(node.url(), Map.of(pushed.cid(), pushed.content()));
                assertThat(push.statusCode()).as(push.body()).isEqualTo(200);
            } finally {
                s3.store().failListCall(0);
            }
            assertThat(store.lastListingComplete()).isFalse();
            assertThat(store.stored()).isEqualTo(keys + 1);
            assertThat(store.stores(pushed)).isTrue();
            assertThat(store.db().queryLong("SELECT count(*) FROM repair_presence_staging")).isZero();

            CycleReport next = node.runCycle();

            assertThat(next.counters()).containsEntry("presence_store_not_ready", 1L).containsEntry("presence_from_store", 0L);
            assertThat(next.s3Requests().get("ListObjects")).isPositive();
            // not sampled: the last listing already says no
            assertThat(next.s3Requests()).containsEntry("HeadObject", 0L);
            assertThat(store.lastListingComplete()).isTrue();
            assertThat(store.stored()).isEqualTo(keys + 1);

            CycleReport fromStore = node.runCycle();
            assertThat(fromStore.counters()).containsEntry("presence_from_store", 1L).containsEntry("already_have", (long) HELD);
            assertThat(fromStore.s3Requests()).containsEntry("ListObjects", 0L)
                    .containsEntry("HeadObject", (long) PresenceStoreReadiness.SAMPLE_SIZE);
        }
    }
}
