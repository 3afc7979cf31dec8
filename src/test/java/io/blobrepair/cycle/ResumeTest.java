package io.blobrepair.cycle;

import io.blobrepair.repair.CycleReport;
import io.blobrepair.testing.Blob;
import io.blobrepair.testing.TestDb;
import io.blobrepair.testing.TestNode;
import io.blobrepair.testing.TestPeer;
import io.blobrepair.testing.TestS3;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/** A process stopped mid-cycle: the next process resumes the same cycle after the saved cursor. */
class ResumeTest {

    @Test
    void stoppedMidCycleResumesFromTheSavedCursor() throws Exception {
        try (TestS3 s3 = TestS3.start(); TestPeer peer = TestPeer.start()) {
            String bucket = "resume";
            s3.createBucket(bucket);
            TestDb db = TestDb.create();
            db.createSchema();
            Blob stuck = null;
            for (int i = 0; i < 1500; i++) {
                Blob blob = Blob.of("resume blob " + i);
                db.addUpload(String.format("u%04d", i), "img_square", blob.cid(), null, null);
                if (i == 1200) {
                    stuck = blob; // missing here; its pull hangs in the second batch
                    peer.serve(blob.cid(), blob.content());
                } else {
                    s3.put(bucket, blob.key(), blob.content());
                }
            }
            TestPeer.Hold hold = peer.hold(stuck.cid());
            Map<String, String> settings = TestNode.settings(s3, bucket, db, TestNode.freePort(), List.of(peer.url()));

            TestNode first = TestNode.start(settings);
            CompletableFuture<CycleReport> interrupted = CompletableFuture.supplyAsync(first::runCycle);
            assertThat(hold.reached().await(30, TimeUnit.SECONDS)).isTrue();
            assertThat(db.queryLong("SELECT count(*) FROM repair_runs WHERE finished_at IS NULL AND cursors->>'uploads' = 'u0999'"))
                    .isEqualTo(1);
            first.close(); // the process goes away mid-batch
            hold.release().countDown();
            interrupted.handle((r, e) -> null).get(30, TimeUnit.SECONDS);

            Map<String, String> restarted = TestNode.settings(s3, bucket, db, TestNode.freePort(), List.of(peer.url()));
            try (TestNode second = TestNode.start(restarted)) {
                CycleReport report = second.runCycle();

                assertThat(report.cycle()).isEqualTo(1);
                assertThat(report.abortedReason()).isNull();
                // 1000 rows counted before the stop plus the 500 after the cursor: nothing walked twice
                assertThat(report.counters()).containsEntry("total_checked", 1500L)
                        .containsEntry("pull_mine_success", 1L);
                assertThat(s3.read(bucket, stuck.key())).isEqualTo(stuck.content());
                assertThat(db.queryLong("SELECT count(*) FROM repair_runs")).isEqualTo(1);
                assertThat(db.queryLong("SELECT count(*) FROM repair_runs WHERE finished_at IS NOT NULL AND phase = 'done'")).isEqualTo(1);
            }
        }
    }
}
