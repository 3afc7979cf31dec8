package io.blobrepair.cleanup;

import io.blobrepair.repair.CycleReport;
import io.blobrepair.testing.Blob;
import io.blobrepair.testing.MutableClock;
import io.blobrepair.testing.TestDb;
import io.blobrepair.testing.TestNode;
import io.blobrepair.testing.TestS3;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The reference implementation's scenario on a six-node network on one machine, R=2: under-
 * and over-replication both converge to between R and T+1 copies, T = R+2 being the threshold
 * (0-based ranks 0..T keep their copy; the reference deletes at myRank &gt; T).
 */
class ReferenceScenarioTest {

    private static final int NODES = 6;
    private static final int R = 2;
    private static final int T = R + 2;

    @Test
    void replicationConvergesBetweenRAndTheThreshold() throws Exception {
        try (TestS3 s3 = TestS3.start()) {
            List<String> urls = new ArrayList<>();
            for (int i = 0; i < NODES; i++) {
                urls.add("http://127.0.0.1:" + TestNode.freePort());
            }
            List<Blob> blobs = new ArrayList<>();
            for (int i = 0; i < 12; i++) {
                blobs.add(Blob.of("reference scenario blob " + i));
            }
            MutableClock clock = new MutableClock();
            List<TestNode> nodes = new ArrayList<>();
            try {
                for (int i = 0; i < NODES; i++) {
                    String bucket = "reference-node-" + i;
                    s3.createBucket(bucket);
                    TestDb db = TestDb.create();
                    db.createSchema();
                    db.addRows("audio_previews", "cid", blobs.stream().map(Blob::cid).toList());
                    int port = Integer.parseInt(urls.get(i).substring(urls.get(i).lastIndexOf(':') + 1));
                    Map<String, String> settings = TestNode.settings(s3, bucket, db, port, urls);
                    settings.put("repair.replication-factor", String.valueOf(R));
                    settings.put("repair.max-delete-fraction", "1");
                    nodes.add(TestNode.start(settings, clock));
                }
                // each blob written to one node only
                for (int b = 0; b < blobs.size(); b++) {
                    s3.put("reference-node-" + (b % NODES), blobs.get(b).key(), blobs.get(b).content());
                }
                for (TestNode node : nodes) {
                    CycleReport report = node.runCleanupCycle();
                    assertThat(report.abortedReason()).isNull();
                }
                for (Blob blob : blobs) {
                    assertThat(copies(s3, blob)).as(blob.cid()).isBetween(R, T + 1);
                }

                // over-replicated to all six nodes, and old
                for (Blob blob : blobs) {
                    for (int i = 0; i < NODES; i++) {
                        s3.put("reference-node-" + i, blob.key(), blob.content());
                    }
                }
                clock.advance(Duration.ofDays(8));
                long deleted = 0;
                for (TestNode node : nodes) {
                    CycleReport report = node.runCleanupCycle();
                    deleted += report.counters().get("delete_over_replicated_success");
                }
                for (Blob blob : blobs) {
                    assertThat(copies(s3, blob)).as(blob.cid()).isEqualTo(T + 1);
                }
                // every blob had one copy ranked beyond T = 4: the sixth node's, at 0-based rank 5
                assertThat(deleted).isEqualTo(blobs.size());
            } finally {
                nodes.forEach(TestNode::close);
            }
        }
    }

    private static int copies(TestS3 s3, Blob blob) {
        int n = 0;
        for (int i = 0; i < NODES; i++) {
            if (s3.exists("reference-node-" + i, blob.key())) {
                n++;
            }
        }
        return n;
    }
}
