package io.blobrepair.peer;

import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.time.Duration;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * A peer body that stops sending is cut off: the JDK HTTP client has no read timeout once the
 * headers are in, so this closes the stream when no byte arrived for the read timeout, and the
 * blocked read fails instead of hanging the cycle. One watchdog thread (from Camel's executor
 * service manager) looks after every transfer.
 */
public final class StallGuard {

    private final ScheduledExecutorService watchdog;

    public StallGuard(ScheduledExecutorService watchdog) {
        this.watchdog = watchdog;
    }

    /** Copies {@code in} fully, failing when it stalls longer than {@code timeout}. */
    long transfer(InputStream in, java.io.OutputStream out, Duration timeout) throws IOException {
        Watched watched = new Watched(in);
        long period = Math.max(10, Math.min(1000, timeout.toMillis() / 4));
        ScheduledFuture<?> check = watchdog.scheduleAtFixedRate(() -> watched.closeIfStalled(timeout.toNanos()),
                period, period, TimeUnit.MILLISECONDS);
        try {
            return watched.transferTo(out);
        } catch (IOException e) {
            throw watched.stalled ? new IOException("peer stopped sending for " + timeout.toMillis() + " ms") : e;
        } finally {
            check.cancel(false);
        }
    }

    private static final class Watched extends FilterInputStream {
        private volatile long lastProgress = System.nanoTime();
        private volatile boolean stalled;

        Watched(InputStream in) {
            super(in);
        }

        @Override
        public int read() throws IOException {
            int b = super.read();
            lastProgress = System.nanoTime();
            return b;
        }

        @Override
        public int read(byte[] buffer, int off, int len) throws IOException {
            int n = super.read(buffer, off, len);
            lastProgress = System.nanoTime();
            return n;
        }

        void closeIfStalled(long timeoutNanos) {
            if (System.nanoTime() - lastProgress > timeoutNanos) {
                stalled = true;
                try {
                    in.close();
                } catch (IOException ignored) {
                    // the reader sees the failure
                }
            }
        }
    }
}
