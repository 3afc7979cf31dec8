package io.blobrepair.repair;

import io.blobrepair.work.WorkListName;

import java.time.Instant;
import java.util.EnumMap;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;

/**
 * One repair cycle in progress: its number and mode, counters, the keys
 * already handled and where each work list stands. Carried by the exchange property
 * {@code repairCycle}; persisted by the tracker after every batch.
 */
public final class CycleState {

    private final long runId;
    private final long cycle;
    private final boolean cleanup;
    private final Instant startedAt;
    private final RepairCounters counters;
    private final Map<String, Long> s3RequestsAtStart;
    private final Set<String> handledKeys = ConcurrentHashMap.newKeySet();
    private final LongAdder contentSize = new LongAdder();
    private final Map<WorkListName, String> cursors = new EnumMap<>(WorkListName.class);
    private volatile WorkListName phase;

    public CycleState(long runId, long cycle, boolean cleanup, Instant startedAt, RepairCounters counters,
                      WorkListName phase, Map<WorkListName, String> cursors, long contentSize,
                      Map<String, Long> s3RequestsAtStart) {
        this.runId = runId;
        this.cycle = cycle;
        this.cleanup = cleanup;
        this.startedAt = startedAt;
        this.counters = counters;
        this.phase = phase;
        this.cursors.putAll(cursors);
        this.contentSize.add(contentSize);
        this.s3RequestsAtStart = Map.copyOf(s3RequestsAtStart);
    }

    public long getRunId() {
        return runId;
    }

    public long getCycle() {
        return cycle;
    }

    public boolean isCleanup() {
        return cleanup;
    }

    public Instant getStartedAt() {
        return startedAt;
    }

    public RepairCounters getCounters() {
        return counters;
    }

    public Map<String, Long> getS3RequestsAtStart() {
        return s3RequestsAtStart;
    }

    /** Marks a storage key handled; false when it already was in this cycle. */
    public boolean firstTimeSeen(String storageKey) {
        return handledKeys.add(storageKey);
    }

    public void addContentSize(long bytes) {
        contentSize.add(bytes);
    }

    public long getContentSize() {
        return contentSize.sum();
    }

    public synchronized String cursor(WorkListName list) {
        return cursors.get(list);
    }

    public synchronized void advance(WorkListName list, String cursor) {
        phase = list;
        if (cursor == null) {
            cursors.remove(list);
        } else {
            cursors.put(list, cursor);
        }
    }

    public synchronized Map<WorkListName, String> cursors() {
        return Map.copyOf(cursors);
    }

    /** The work list being walked, or the one to start with when resuming. */
    public WorkListName getPhase() {
        return phase;
    }
}
