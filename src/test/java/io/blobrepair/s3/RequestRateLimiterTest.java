package io.blobrepair.s3;

import com.google.common.util.concurrent.RateLimiter;
import io.blobrepair.repair.CycleReport;
import io.blobrepair.testing.Blob;
import io.blobrepair.testing.TestDb;
import io.blobrepair.testing.TestNode;
import io.blobrepair.testing.TestPeer;
import io.blobrepair.testing.TestS3;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

class RequestRateLimiterTest {

    @Test
    void everyRequestAttemptTakesAPermitBeforeItIsSent() {
        RateLimiter oneAnHour = RateLimiter.create(1.0 / 3600);
        RequestRateLimiter limiter = new RequestRateLimiter(oneAnHour);

        limiter.beforeTransmission(null, null); // the first permit is there at once

        // the attempt took the hour's permit: the next one would have to wait
        assertThat(oneAnHour.tryAcquire()).isFalse();
    }

    @Test
    void countsRequestsByOperationWithListObjectsV2AsListObjects() {
        assertThat(S3RequestCounter.reportedName("ListObjectsV2")).isEqualTo("ListObjects");
        assertThat(S3RequestCounter.reportedName("HeadObject")).isEqualTo("HeadObject");
    }

    /**
     * End to end: a node capped at 10 requests a second whose cycle makes 60 HeadObject calls
     * (presence by HeadObject, 60 held blobs, 8 at once). Within t seconds the limiter grants at
     * most its stored second's worth (10), one more, and 10 a second: 60 requests cannot be sent
     * in less than (60 - 11) / 10 s, however fast the machine; a lower bound, so never flaky.
     */
    @Test
    void aCycleSendsNoMoreThanTheCapAllowsIntoS3() throws Exception {
        int rate = 10;
        int held = 60;
        try (TestS3 s3 = TestS3.start(); TestPeer peer = TestPeer.start()) {
            String bucket = "rate-limited";
            s3.createBucket(bucket);
            TestDb db = TestDb.create();
            db.createSchema();
            List<String> cids = new ArrayList<>();
            for (int i = 0; i < held; i++) {
                Blob b = Blob.of("held under a request cap " + i);
                s3.put(bucket, b.key(), b.content());
                cids.add(b.cid());
            }
            db.addRows("audio_previews", "cid", cids);
            Map<String, String> settings = TestNode.settings(s3, bucket, db, TestNode.freePort(), List.of(peer.url()));
            settings.put("repair.replication-factor", "2"); // every blob is this node's: each one is looked up
            settings.put("repair.presence", "head");
            settings.put("repair.s3.max-requests-per-second", String.valueOf(rate));
            try (TestNode node = TestNode.start(settings)) {
                long start = System.nanoTime();
                CycleReport report = node.runCycle();
                long elapsedMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);

                assertThat(report.aborted()).isFalse();
                assertThat(report.counters()).containsEntry("already_have", (long) held);
                assertThat(report.s3Requests()).containsEntry("HeadObject", (long) held);
                long requests = report.s3Requests().values().stream().mapToLong(Long::longValue).sum();
                assertThat(elapsedMillis).as("%d S3 requests at %d/s", requests, rate)
                        .isGreaterThanOrEqualTo((requests - rate - 1) * 1000 / rate);
            }
        }
    }
}
