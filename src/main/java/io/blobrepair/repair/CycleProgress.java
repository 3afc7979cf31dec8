package io.blobrepair.repair;

import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.atomic.LongAdder;

/**
 * Where a running cycle stands, for the progress log: the phase (listing, uploads, previews,
 * qm_cids), items done in it, the rate and an estimate of the time left.
 */
public final class CycleProgress {

    private volatile String phase = "starting";
    private volatile Instant phaseStart;
    private volatile long expected;
    private final LongAdder done = new LongAdder();

    public CycleProgress(Instant now) {
        this.phaseStart = now;
    }

    /** A new phase; {@code expected} is an estimate of its items (0 when unknown). */
    public synchronized void enter(String phase, long expected, Instant now) {
        this.phase = phase;
        this.expected = expected;
        this.phaseStart = now;
        this.done.reset();
    }

    public void advance(long items) {
        done.add(items);
    }

    public String phase() {
        return phase;
    }

    /** e.g. {@code uploads: 12000 of ~350000 rows, 1500/s, about 3m45s left}. */
    public String describe(Instant now, String unit) {
        long n = done.sum();
        double seconds = Math.max(0.001, Duration.between(phaseStart, now).toMillis() / 1000.0);
        double rate = n / seconds;
        StringBuilder s = new StringBuilder(phase).append(": ").append(n);
        if (expected > 0) {
            s.append(" of ~").append(expected);
        }
        s.append(' ').append(unit).append(", ").append(Math.round(rate)).append("/s");
        if (expected > 0 && rate > 0) {
            long left = Math.max(0, expected - n);
            s.append(", about ").append(format(Duration.ofSeconds(Math.round(left / rate)))).append(" left");
        }
        return s.toString();
    }

    static String format(Duration d) {
        long h = d.toHours();
        long m = d.toMinutesPart();
        long s = d.toSecondsPart();
        if (h > 0) {
            return h + "h" + m + "m";
        }
        return m > 0 ? m + "m" + s + "s" : s + "s";
    }
}
