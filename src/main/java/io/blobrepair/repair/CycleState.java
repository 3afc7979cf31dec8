package io.blobrepair.repair;

import io.blobrepair.index.PresenceIndex;
import io.blobrepair.index.SeenKeys;
import io.blobrepair.work.WorkListName;

import java.time.Instant;
import java.util.EnumMap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
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
    private volatile SeenKeys handledKeys = SeenKeys.withoutIndex();
    private final LongAdder contentSize = new LongAdder();
    private final Map<WorkListName, String> cursors = new EnumMap<>(WorkListName.class);
    private volatile WorkListName phase;
    private volatile int overReplicationThreshold;
    private volatile long heldAtStart;
    private final LongAdder presentSeen = new LongAdder();
    private final AtomicLong deletions = new AtomicLong();
    private final AtomicBoolean brakeEngaged = new AtomicBoolean();
    private final CycleProgress progress;
    private final Map<String, AtomicInteger> warnings = new ConcurrentHashMap<>();

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
        this.progress = new CycleProgress(startedAt);
    }

    /**
     * How many warnings of {@code kind} this cycle has logged, this one included: callers log
     * the first few and only count the rest, so a failing dependency cannot flood the log.
     */
    public int warningNumber(String kind) {
        return warnings.computeIfAbsent(kind, k -> new AtomicInteger()).incrementAndGet();
    }

    public CycleProgress getProgress() {
        return progress;
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

    /** Marks a storage key handled; false when it already was in this cycle. Thread-safe. */
    public boolean firstTimeSeen(String storageKey) {
        return handledKeys.firstTime(storageKey);
    }

    /**
     * Tracks handled keys on the cells of the cycle's presence index from now on (one bit per
     * listed key, no key strings): called when the index is set, before any key is handled.
     */
    public void trackHandledKeysIn(PresenceIndex index) {
        handledKeys = index.newSeenKeys();
    }

    public void addContentSize(long bytes) {
        contentSize.add(bytes);
    }

    public long getContentSize() {
        return contentSize.sum();
    }

    /** Positions (1-based) above this hold an over-replicated copy; set once the index is known. */
    public int getOverReplicationThreshold() {
        return overReplicationThreshold;
    }

    public void setOverReplicationThreshold(int threshold) {
        this.overReplicationThreshold = threshold;
    }

    /** Blobs the bucket held when the cycle started, as listed (0 without a listing). */
    public void setHeldAtStart(long held) {
        this.heldAtStart = held;
    }

    public void presentSeen() {
        presentSeen.increment();
    }

    /**
     * The base of the delete brake: the listed count, or, without a listing, the blobs seen
     * present so far (smaller, so the brake engages sooner, never later).
     */
    public long heldForBrake() {
        return Math.max(heldAtStart, presentSeen.sum());
    }

    public long getDeletions() {
        return deletions.get();
    }

    public void deleted() {
        deletions.incrementAndGet();
    }

    /** True only for the call that engaged the brake, so it is counted and logged once. */
    public boolean engageBrake() {
        return brakeEngaged.compareAndSet(false, true);
    }

    public boolean isBrakeEngaged() {
        return brakeEngaged.get();
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
