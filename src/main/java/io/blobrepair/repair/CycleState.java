package io.blobrepair.repair;

import io.blobrepair.placement.NetworkView;
import io.blobrepair.placement.OverReplicationThreshold;
import io.blobrepair.placement.PlacementPolicy;
import io.blobrepair.index.PresenceIndex;
import io.blobrepair.index.SeenKeys;
import io.blobrepair.placement.StoreRecent;

import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;

/**
 * One repair cycle in progress: its number and mode, counters, the keys already handled, where
 * each work list stands, and what the per-CID rules need to know about the cycle. Carried by the
 * exchange property {@code repairCycle}; persisted by the tracker after every batch. Safe to use
 * from the parallel per-CID route.
 */
public final class CycleState {

    private final long runId;
    private final long cycle;
    private final boolean cleanup;
    private final Instant startedAt;
    private final RepairCounters counters;
    private final Map<String, Long> s3RequestsAtStart;
    private volatile SeenKeys handledKeys = SeenKeys.withoutIndex();
    private volatile SeenKeys handledRecentKeys = SeenKeys.withoutIndex();
    private final LongAdder contentSize = new LongAdder();
    private final Map<String, String> cursors = new HashMap<>();
    private volatile String phase;
    private volatile long heldAtStart;
    private final LongAdder presentSeen = new LongAdder();
    private final AtomicLong deletions = new AtomicLong();
    private final AtomicBoolean brakeEngaged = new AtomicBoolean();
    private final CycleProgress progress;
    private final Map<String, AtomicInteger> warnings = new ConcurrentHashMap<>();
    private volatile NetworkView network;
    private volatile PlacementPolicy placement;
    private volatile boolean hostsChanged;
    private volatile CycleFacts facts;
    private volatile FailingCids failingCids = FailingCids.none();
    private volatile List<String> healthyPeers = List.of();
    private volatile DataLossEvidence dataLoss = DataLossEvidence.none();
    private volatile Retention retention = Retention.DEFAULTS;
    private volatile StoreRecent storeRecent = StoreRecent.off();

    public CycleState(long runId, long cycle, boolean cleanup, Instant startedAt, RepairCounters counters,
                      String phase, Map<String, String> cursors, long contentSize,
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

    /** The network this cycle ranks against and what it keeps beyond its replica set, fixed at its start. */
    public void setNetwork(NetworkView network, boolean hostsChanged, Retention retention) {
        this.network = network;
        this.placement = PlacementPolicy.from(network);
        this.hostsChanged = hostsChanged;
        this.retention = retention;
        this.storeRecent = StoreRecent.forCycle(retention.storeRecent(), retention.storeRecentTtl(), network.storeAll(), startedAt);
    }

    /** Store-recent retention as of this cycle's start. */
    public StoreRecent storeRecent() {
        return storeRecent;
    }

    public PlacementPolicy placement() {
        return placement;
    }

    public NetworkView network() {
        return network;
    }

    /** The peers that answered {@code /health_check} at the cycle's start. */
    public List<String> getHealthyPeers() {
        return healthyPeers;
    }

    public void setHealthyPeers(List<String> healthy) {
        this.healthyPeers = List.copyOf(healthy);
    }

    /**
     * The presence view is known (index built or given up): from here on the rules have every
     * cycle-level fact they need. The over-replication threshold comes from the storage size and
     * what is used of it: the node's own figures when it reports them, else the bucket's listed size.
     *
     * @param listedBytes    what a complete listing counted, empty without one
     * @param completeView   the listing saw every key (or HeadObject is the configured source)
     * @param headIsTrusted  HeadObject is the configured presence source
     */
    public void presenceKnown(java.util.OptionalLong listedBytes, boolean completeView, boolean headIsTrusted) {
        int threshold = OverReplicationThreshold.of(network.replicationFactor(), network.capacityBytes(),
                network.usedBytes().isPresent() ? network.usedBytes() : listedBytes);
        this.facts = new CycleFacts(cleanup, network.storeAll(), network.replicationFactor(), threshold,
                retention.overReplication(), completeView, headIsTrusted, hostsChanged, startedAt.toEpochMilli());
    }

    /** What the per-CID rules know about this cycle; set once its presence view is known. */
    public CycleFacts facts() {
        return facts;
    }

    /** CIDs that failed in earlier cycles, loaded at the cycle's start. */
    public FailingCids failingCids() {
        return failingCids;
    }

    public void setFailingCids(FailingCids failing) {
        this.failingCids = failing;
    }

    /** Data-loss evidence as the cycle started. */
    public DataLossEvidence dataLoss() {
        return dataLoss;
    }

    public void setDataLoss(DataLossEvidence evidence) {
        this.dataLoss = evidence;
    }

    /**
     * Marks a storage key handled; false when it already was in this cycle. A recent upload kept by
     * store-recent is handled again after the key was seen only as some other row's (not kept as
     * recent, maybe deleted as over-replicated in a cleanup cycle), as the reference does: so the
     * recent upload's copy is pulled back.
     */
    public boolean firstTimeSeen(String storageKey, boolean recent) {
        boolean first = handledKeys.firstTime(storageKey);
        return recent ? handledRecentKeys.firstTime(storageKey) : first;
    }

    /**
     * Tracks handled keys on the cells of the cycle's presence index from now on (one bit per
     * listed key, no key strings): called when the index is set, before any key is handled.
     */
    public void trackHandledKeysIn(PresenceIndex index) {
        handledKeys = index.newSeenKeys();
        handledRecentKeys = index.newSeenKeys();
    }

    /** Tracks handled keys by their hashes, without an index (a cycle answered from the presence store). */
    public void trackHandledKeysByHash() {
        handledKeys = SeenKeys.withoutIndex();
        handledRecentKeys = SeenKeys.withoutIndex();
    }

    public void addContentSize(long bytes) {
        contentSize.add(bytes);
    }

    public long getContentSize() {
        return contentSize.sum();
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

    public synchronized String cursor(String list) {
        return cursors.get(list);
    }

    /** Moves to {@code list} (a work-list name, or the phase after the last) with its cursor. */
    public synchronized void advance(String list, String cursor) {
        phase = list;
        if (cursor == null) {
            cursors.remove(list);
        } else {
            cursors.put(list, cursor);
        }
    }

    public synchronized Map<String, String> cursors() {
        return Map.copyOf(cursors);
    }

    /** The work list being walked, or the one to start with when resuming. */
    public String getPhase() {
        return phase;
    }
}
