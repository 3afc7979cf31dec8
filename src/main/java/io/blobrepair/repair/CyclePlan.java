package io.blobrepair.repair;

import io.blobrepair.work.RepairRun;

import java.util.Optional;

/**
 * Which cycle to run next, from the tracker's latest run. Cycles count up from 1; cycles
 * {@code cleanupEvery}, {@code 2×cleanupEvery}, … are cleanup cycles. An unfinished run is
 * resumed; a run aborted before it started working (e.g. no healthy peer) keeps its number.
 *
 * @param resume the run to continue, or empty to start a new one
 */
public record CyclePlan(long cycle, boolean cleanup, Optional<RepairRun> resume, Optional<RepairRun> supersede) {

    public static CyclePlan next(Optional<RepairRun> latest, boolean forceCleanup, int cleanupEvery) {
        if (latest.isEmpty()) {
            return fresh(1, forceCleanup, cleanupEvery, Optional.empty());
        }
        RepairRun last = latest.get();
        if (last.unfinished()) {
            if (forceCleanup && !last.cleanup()) {
                // the operator asked for a cleanup: the interrupted normal run is closed, not resumed
                return fresh(last.cycle(), true, cleanupEvery, latest);
            }
            return new CyclePlan(last.cycle(), last.cleanup(), latest, Optional.empty());
        }
        long cycle = last.abortedReason() == null ? last.cycle() + 1 : last.cycle();
        return fresh(cycle, forceCleanup, cleanupEvery, Optional.empty());
    }

    private static CyclePlan fresh(long cycle, boolean forceCleanup, int cleanupEvery, Optional<RepairRun> supersede) {
        return new CyclePlan(cycle, forceCleanup || cycle % cleanupEvery == 0, Optional.empty(), supersede);
    }
}
