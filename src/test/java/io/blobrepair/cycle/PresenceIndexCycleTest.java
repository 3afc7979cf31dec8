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

    @Test
    void bucketOf2500KeysIsIndexedWithThreeListRequestsAndNoHeadObject() throws Exception {
        try (TestNode node = TestNode.start(nodeWithHeldBlobs("listing-2500", 2500))) {
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
}
