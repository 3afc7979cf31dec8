package io.blobrepair.work;

import java.time.Instant;
import java.util.Map;

/**
 * One row of the tracker table {@code repair_runs}.
 *
 * @param phase         the work list being walked ({@link WorkLists}), or {@link WorkLists#DONE}
 * @param cursors       the last key done, by work-list name
 * @param finishedAt    null while the run is unfinished (running, crashed or failed): the next cycle resumes it
 * @param abortedReason why the run stopped early, or null
 */
public record RepairRun(long id, long cycle, boolean cleanup, Instant startedAt, Instant finishedAt,
                        String phase, Map<String, String> cursors, Map<String, Long> counters,
                        long contentSize, Long durationMs, String abortedReason) {

    public boolean unfinished() {
        return finishedAt == null;
    }
}
