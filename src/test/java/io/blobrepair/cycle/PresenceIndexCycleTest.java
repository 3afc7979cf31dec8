package io.blobrepair.cycle;

import io.blobrepair.repair.CycleReport;
import io.blobrepair.testing.Blob;
import io.blobrepair.testing.TestDb;
import io.blobrepair.testing.TestNode;
import io.blobrepair.testing.TestPeer;
import io.blobrepair.testing.TestS3;
import org.apache.camel.component.bean.BeanComponent;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** The presence index against a real S3 server: request counts of a cycle by presence source. */
class PresenceIndexCycleTest {

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

    /** A bucket holding {@code n} blobs, each listed in audio_previews of a fresh database. */
    private static Map<String, String> nodeWithHeldBlobs(String bucket, int n) throws Exception {
        s3.createBucket(bucket);
        TestDb db = TestDb.create();
        db.createSchema();
        List<String> cids = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            Blob blob = Blob.of(bucket + "-blob-" + i);
            s3.put(bucket, blob.key(), blob.content());
            cids.add(blob.cid());
        }
        db.addRows("audio_previews", "cid", cids);
        return TestNode.settings(s3, bucket, db, TestNode.freePort(), List.of(peer.url()));
    }

    /**
     * The route asked each cycle's listing for its partitions itself, and Camel's bean component
     * caches what it learns of such an object per instance when a method takes something it binds
     * from the exchange (the listing's pageFailed takes the Exception): every cycle left one more
     * entry, holding its listing, up to 1000 (found by the soak, bench/chaos.sh --soak).
     */
    @Test
    void cyclesLeaveNoListingBehindInCamelsBeanCache() throws Exception {
        try (TestNode node = TestNode.start(nodeWithHeldBlobs("listing-bean-cache", 10))) {
            node.runCycle();
            BeanComponent beans = node.context().getComponent("bean", BeanComponent.class);
            int afterFirstCycle = beans.getCurrentBeanCacheSize();

            node.runCycle();
            node.runCycle();
            assertThat(beans.getCurrentBeanCacheSize()).isEqualTo(afterFirstCycle);
        }
    }

    @Test
    void bucketOf2500KeysIsIndexedWithThreeListRequestsAndNoHeadObject() throws Exception {
        Map<String, String> settings = nodeWithHeldBlobs("listing-2500", 2500);
        settings.put("repair.list-parallelism", "1");
        try (TestNode node = TestNode.start(settings)) {
            CycleReport report = node.runCycle();

            assertThat(report.abortedReason()).isNull();
            assertThat(report.s3Requests()).containsEntry("ListObjects", 3L).containsEntry("HeadObject", 0L)
                    .containsEntry("GetObject", 0L).containsEntry("PutObject", 0L);
            assertThat(report.counters()).containsEntry("presence_index_entries", 2500L)
                    .containsEntry("total_checked", 2500L)
                    .containsEntry("presence_index_hit", 2500L)
                    .containsEntry("already_have", 2500L)
                    .containsEntry("pull_mine_needed", 0L);
        }
    }

    /**
     * {@code held} blobs in the bucket and {@code missing} more that only the peer serves; all of
     * them listed in audio_previews. Returns the node settings.
     */
    private static Map<String, String> nodeWithMissingBlobs(String bucket, int held, int missing) throws Exception {
        Map<String, String> settings = nodeWithHeldBlobs(bucket, held);
        TestDb db = TestDb.at(settings.get("repair.db.url"));
        List<String> cids = new ArrayList<>();
        for (int i = 0; i < missing; i++) {
            Blob blob = Blob.of("missing-" + i);
            peer.serve(blob.cid(), blob.content());
            cids.add(blob.cid());
        }
        db.addRows("audio_previews", "cid", cids);
        return settings;
    }

    private static int keysIn(String bucket) {
        try (var client = s3.client()) {
            return client.listObjectsV2Paginator(b -> b.bucket(bucket)).contents().stream().mapToInt(o -> 1).sum();
        }
    }

    @Test
    void parallelListingIndexesEveryKeyWithinTheRequestBound() throws Exception {
        try (TestNode node = TestNode.start(nodeWithHeldBlobs("listing-parallel", 2500))) {
            CycleReport report = node.runCycle();

            int partitions = io.blobrepair.index.KeyPartitions.forParallelism(8).size();
            assertThat(report.s3Requests().get("ListObjects")).isBetween(3L, 3L + partitions);
            assertThat(report.s3Requests()).containsEntry("HeadObject", 0L);
            assertThat(report.counters()).containsEntry("presence_index_entries", 2500L)
                    .containsEntry("presence_index_hit", 2500L).containsEntry("already_have", 2500L);
        }
    }

    @Test
    void aSmallBucketCostsOneListRequest() throws Exception {
        try (TestNode node = TestNode.start(nodeWithHeldBlobs("listing-small", 700))) {
            CycleReport report = node.runCycle();
            assertThat(report.s3Requests()).containsEntry("ListObjects", 1L).containsEntry("HeadObject", 0L);
            assertThat(report.counters()).containsEntry("already_have", 700L);
        }
    }

    @Test
    void failedListingFallsBackToHeadObjectWithTheSameOutcome() throws Exception {
        CycleReport withIndex;
        try (TestNode node = TestNode.start(nodeWithMissingBlobs("outcome-index", 1500, 20))) {
            withIndex = node.runCycle();
        }
        CycleReport withFallback;
        try (TestNode node = TestNode.start(nodeWithMissingBlobs("outcome-fallback", 1500, 20))) {
            s3.store().failListCall(1); // the first page already fails: nothing is covered
            try {
                withFallback = node.runCycle();
            } finally {
                s3.store().failListCall(0);
            }
        }

        assertThat(withIndex.counters()).containsEntry("pull_mine_needed", 20L).containsEntry("pull_mine_success", 20L)
                .containsEntry("presence_index_build_fail", 0L);
        assertThat(withFallback.counters()).containsEntry("presence_index_build_fail", 1L)
                .containsEntry("pull_mine_needed", withIndex.counters().get("pull_mine_needed"))
                .containsEntry("pull_mine_success", withIndex.counters().get("pull_mine_success"))
                .containsEntry("already_have", withIndex.counters().get("already_have"))
                .containsEntry("read_attrs_fail", 0L);
        assertThat(withFallback.s3Requests()).containsEntry("HeadObject", 1520L).containsEntry("PutObject", 20L);
        // with the listing, HeadObject only confirms each needed pull's absence (the node may have written it since)
        assertThat(withIndex.s3Requests()).containsEntry("HeadObject", 20L).containsEntry("PutObject", 20L);
        assertThat(withIndex.counters()).containsEntry("head_confirm_absent", 20L).containsEntry("head_found_present", 0L);
        assertThat(keysIn("outcome-fallback")).isEqualTo(keysIn("outcome-index")).isEqualTo(1520);
    }

    @Test
    void headModeSendsOneHeadObjectPerCheckedKeyAndNoListRequest() throws Exception {
        Map<String, String> settings = nodeWithMissingBlobs("head-mode", 300, 5);
        settings.put("repair.presence", "head");
        try (TestNode node = TestNode.start(settings)) {
            CycleReport report = node.runCycle();

            assertThat(report.counters()).containsEntry("total_checked", 305L).containsEntry("already_have", 300L)
                    .containsEntry("pull_mine_success", 5L).containsEntry("presence_index_build_fail", 0L);
            assertThat(report.s3Requests()).containsEntry("ListObjects", 0L).containsEntry("HeadObject", 305L);
        }
        assertThat(keysIn("head-mode")).isEqualTo(305);
    }
}
