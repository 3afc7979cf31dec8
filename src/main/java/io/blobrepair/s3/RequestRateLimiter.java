package io.blobrepair.s3;

import com.google.common.util.concurrent.RateLimiter;
import software.amazon.awssdk.core.interceptor.Context;
import software.amazon.awssdk.core.interceptor.ExecutionAttributes;
import software.amazon.awssdk.core.interceptor.ExecutionInterceptor;

/**
 * Caps the S3 request rate ({@code repair.s3.max-requests-per-second}) with Guava's
 * {@link RateLimiter}: each attempt, retries included, takes a permit before it is sent (after a
 * quiet spell, at most one second's worth of requests go at once).
 */
public class RequestRateLimiter implements ExecutionInterceptor {

    private final RateLimiter permits;

    public RequestRateLimiter(double perSecond) {
        this(RateLimiter.create(perSecond));
    }

    RequestRateLimiter(RateLimiter permits) {
        this.permits = permits;
    }

    @Override
    public void beforeTransmission(Context.BeforeTransmission context, ExecutionAttributes attributes) {
        permits.acquire();
    }
}
