package io.blobrepair.s3;

import software.amazon.awssdk.core.interceptor.Context;
import software.amazon.awssdk.core.interceptor.ExecutionAttributes;
import software.amazon.awssdk.core.interceptor.ExecutionInterceptor;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.function.LongSupplier;

/**
 * Caps the S3 request rate ({@code repair.s3.max-requests-per-second}): requests are spaced
 * evenly, each attempt (retries included) waits for its slot before it is sent.
 */
public class RequestRateLimiter implements ExecutionInterceptor {

    private final long intervalNanos;
    private final LongSupplier nanoTime;
    private long nextSlot;

    public RequestRateLimiter(double perSecond, LongSupplier nanoTime) {
        this.intervalNanos = (long) (TimeUnit.SECONDS.toNanos(1) / perSecond);
        this.nanoTime = nanoTime;
        this.nextSlot = nanoTime.getAsLong();
    }

    /** Books the next slot; returns how long the caller must wait for it, in nanoseconds. */
    synchronized long reserve() {
        long now = nanoTime.getAsLong();
        long slot = Math.max(now, nextSlot);
        nextSlot = slot + intervalNanos;
        return slot - now;
    }

    @Override
    public void beforeTransmission(Context.BeforeTransmission context, ExecutionAttributes attributes) {
        long wait = reserve();
        long deadline = System.nanoTime() + wait;
        while (wait > 0) {
            LockSupport.parkNanos(wait);
            wait = deadline - System.nanoTime();
        }
    }
}
