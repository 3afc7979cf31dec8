package io.blobrepair.repair;

import io.blobrepair.work.DataLossLedger.Entry;

import java.time.Duration;
import java.time.Instant;

/**
 * When a CID that no host served is lost: from evidence gathered over cycles, never from one bad
 * cycle (the reference's {@code repair_data_loss} rules, {@code repair.data-loss.*}).
 *
 * <ul>
 *   <li>A cycle in which no host served the CID counts one failed cycle, once per cycle, unless
 *       that cycle saw fewer than {@code minHealthyPeers} healthy peers: then the evidence is
 *       discarded (a run limping along against two reachable peers proves nothing).</li>
 *   <li>After {@code escalateAfter} failed cycles the pull asks the whole network: that attempt
 *       is the exhaustive one.</li>
 *   <li>The CID is declared lost once it failed at least {@code minCycles} cycles spanning at least
 *       {@code minElapsed}, the last attempt exhaustive; with enough cycles and time but a bounded
 *       last attempt it awaits a full sweep.</li>
 *   <li>A declared loss is not tried again until {@code recheckAfter} later; a failed recheck
 *       moves that date and is no new loss ({@code declared_at} is written once).</li>
 *   <li>A successful pull closes the evidence: a declared loss is recovered. As in the reference,
 *       a row that fails again later is re-opened with its count, first failure and declaration.</li>
 * </ul>
 */
public record DataLossRules(int minCycles, Duration minElapsed, int minHealthyPeers, Duration recheckAfter,
                            int escalateAfter) {

    /** The reference's figures (escalation after 3 cycles is issue 17's; the reference's was not visible). */
    public static final DataLossRules DEFAULTS = new DataLossRules(5, Duration.ofDays(7), 5, Duration.ofDays(30), 3);

    /** What a failed or successful pull did to a CID's evidence. */
    public enum Transition {
        /** The cycle saw too few healthy peers: nothing recorded. */
        DISCARDED,
        /** This cycle already counted the CID (a resumed run walks a batch again). */
        ALREADY_COUNTED,
        /** One more failed cycle. */
        COUNTED,
        /** Enough cycles and time, but the last attempt was bounded. */
        AWAITING_FULL_SWEEP,
        /** Declared lost now. */
        DECLARED,
        /** A declared loss failed again: its recheck moves. */
        RECHECK_FAILED,
        /** A declared loss was pulled. */
        RECOVERED,
        /** Evidence that never became a declaration was closed by a pull. */
        CLOSED,
        /** Nothing on record to change. */
        NONE
    }

    /**
     * @param after the entry to write, null when nothing changes
     */
    public record Outcome(Transition transition, Entry after) {
    }

    /**
     * After a cycle's pull of {@code cid} that no host served.
     *
     * @param before       the CID's entry, null when it has none
     * @param healthyPeers how many peers answered the cycle's health check
     * @param exhaustive   the attempt asked the whole ranking
     */
    public Outcome afterFailedPull(String cid, Entry before, long cycle, int healthyPeers, boolean exhaustive, Instant now) {
        if (healthyPeers < minHealthyPeers) {
            return new Outcome(Transition.DISCARDED, null);
        }
        if (before != null && before.lastFailedCycle() != null && before.lastFailedCycle() == cycle) {
            return new Outcome(Transition.ALREADY_COUNTED, null);
        }
        int cycles = before == null ? 1 : before.failedCycles() + 1;
        Instant first = before == null ? now : before.firstFailedAt();
        Instant declaredAt = before == null ? null : before.declaredAt();
        if (declaredAt != null) {
            return new Outcome(Transition.RECHECK_FAILED,
                    new Entry(cid, cycles, first, now, exhaustive, declaredAt, now.plus(recheckAfter), null, cycle));
        }
        Entry counted = new Entry(cid, cycles, first, now, exhaustive, null, null, null, cycle);
        if (cycles < minCycles || Duration.between(first, now).compareTo(minElapsed) < 0) {
            return new Outcome(Transition.COUNTED, counted);
        }
        if (!exhaustive) {
            return new Outcome(Transition.AWAITING_FULL_SWEEP, counted);
        }
        return new Outcome(Transition.DECLARED, new Entry(cid, cycles, first, now, true, now, now.plus(recheckAfter), null, cycle));
    }

    /** After a pull of {@code cid} that succeeded. */
    public Outcome afterPulled(Entry before, Instant now) {
        if (before == null || before.recoveredAt() != null) {
            return new Outcome(Transition.NONE, null);
        }
        Entry closed = new Entry(before.cid(), before.failedCycles(), before.firstFailedAt(), before.lastFailedAt(),
                before.lastAttemptExhaustive(), before.declaredAt(), null, now, before.lastFailedCycle());
        return new Outcome(before.declaredAt() != null ? Transition.RECOVERED : Transition.CLOSED, closed);
    }

    /** Whether a declared loss waits for its recheck at {@code now} (then it is not tried). */
    public boolean awaitingRecheck(Entry entry, Instant now) {
        return entry != null && entry.declaredAt() != null && entry.recoveredAt() == null
                && (entry.recheckAfter() == null || entry.recheckAfter().isAfter(now));
    }

    /**
     * Whether a CID with this entry at the cycle's start is pulled from the whole network. A
     * declared loss is not: its recheck is the bounded pull, as in the reference.
     */
    public boolean escalates(Entry entry) {
        return entry != null && entry.declaredAt() == null && entry.recoveredAt() == null && entry.failedCycles() >= escalateAfter;
    }
}
