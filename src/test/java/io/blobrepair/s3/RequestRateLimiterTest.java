package io.blobrepair.s3;

import com.google.common.util.concurrent.RateLimiter;
import org.junit.jupiter.api.Test;

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
}
