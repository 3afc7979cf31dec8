package io.blobrepair.repair;

import io.blobrepair.work.CidFailures.Failure;

import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * CIDs that failed with an unexpected error in recent cycles, and the rule for the next failure:
 * a CID that fails in {@code maxCycles} cycles in a row is skipped for {@code skipFor} (one
 * cleanup period), so a poison CID never costs more than that many failures per period.
 */
public final class FailingCids {

    private final Map<String, Failure> byCid;
    private final int maxCycles;
    private final Duration skipFor;

    public FailingCids(Map<String, Failure> byCid, int maxCycles, Duration skipFor) {
        this.byCid = new ConcurrentHashMap<>(byCid);
        this.maxCycles = maxCycles;
        this.skipFor = skipFor;
    }

    static FailingCids none() {
        return new FailingCids(Map.of(), Integer.MAX_VALUE, Duration.ZERO);
    }

    /** Whether {@code cid} is skipped at {@code now}. */
    public boolean skipped(String cid, Instant now) {
        if (byCid.isEmpty()) {
            return false;
        }
        Failure f = byCid.get(cid);
        return f != null && f.skippedUntil() != null && f.skippedUntil().isAfter(now);
    }

    /**
     * The ledger entry after {@code cid} failed in {@code cycle}: the streak grows when its last
     * failure was in the previous cycle, stays when it was this one (a resumed run walks a batch
     * again), and starts over otherwise; reaching {@code maxCycles} starts a skip.
     */
    public Failure afterFailure(String cid, long cycle, String step, String error, Instant now) {
        Failure previous = byCid.get(cid);
        int streak;
        if (previous == null || previous.lastFailedCycle() < cycle - 1) {
            streak = 1;
        } else if (previous.lastFailedCycle() == cycle) {
            streak = previous.failedCycles();
        } else {
            streak = previous.failedCycles() + 1;
        }
        Instant skippedUntil = streak >= maxCycles ? now.plus(skipFor) : null;
        Failure next = new Failure(cid, streak, cycle, step, error, now, skippedUntil);
        byCid.put(cid, next);
        return next;
    }
}
