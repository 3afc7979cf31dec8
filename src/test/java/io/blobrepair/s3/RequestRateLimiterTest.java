package io.blobrepair.s3;

import org.junit.jupiter.api.Test;

import java.util.concurrent.atomic.AtomicLong;

import static org.assertj.core.api.Assertions.assertThat;

class RequestRateLimiterTest {

    @Test
    void spacesRequestsEvenlyAtTheConfiguredRate() {
        AtomicLong now = new AtomicLong(1_000_000_000L);
        RequestRateLimiter limiter = new RequestRateLimiter(10, now::get); // one request every 100 ms
        assertThat(limiter.reserve()).isZero();
        assertThat(limiter.reserve()).isEqualTo(100_000_000L);
        assertThat(limiter.reserve()).isEqualTo(200_000_000L);
        now.addAndGet(1_000_000_000L); // a quiet second: no burst is saved up
        assertThat(limiter.reserve()).isZero();
        assertThat(limiter.reserve()).isEqualTo(100_000_000L);
    }

    @Test
    void countsRequestsByOperationWithListObjectsV2AsListObjects() {
        assertThat(S3RequestCounter.reportedName("ListObjectsV2")).isEqualTo("ListObjects");
        assertThat(S3RequestCounter.reportedName("HeadObject")).isEqualTo("HeadObject");
    }
}
