package io.blobrepair.repair;

import io.blobrepair.cid.Cid;
import io.blobrepair.index.KnownPresentCache;
import io.blobrepair.index.ObjectFacts;
import io.blobrepair.index.PresenceAnswers;
import io.blobrepair.index.PresenceIndex;
import io.blobrepair.placement.Placement;
import io.blobrepair.s3.Buckets;
import io.blobrepair.work.WorkItem;
import org.apache.camel.Body;
import org.apache.camel.ExchangeProperty;

import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The batch step of a work list: every CID of a batch is checked, ranked and, where the listing
 * answers, decided here in one pass; only CIDs that need a request (HeadObject, a pull, a
 * validation, a holder check or a delete) are returned for the per-CID route. A CID that is
 * simply held costs no exchange at all.
 *
 * <p>Counters keep the reference's meaning: {@code total_checked} counts the CIDs that are this
 * node's business this cycle (its own, or any in a cleanup cycle, never one placed elsewhere);
 * a duplicate ({@code repair_deduped}) or written-since-listing key ({@code repair_known_present})
 * that is present also counts {@code already_have}.
 */
public class BatchTriage {

    private final KnownPresentCache knownPresent;
    private final Buckets buckets;
    private final Clock clock;

    public BatchTriage(KnownPresentCache knownPresent, Buckets buckets, Clock clock) {
        this.knownPresent = knownPresent;
        this.buckets = buckets;
        this.clock = clock;
    }

    public List<CidDecision> triage(@Body List<WorkItem> items, @ExchangeProperty(RepairExchange.CYCLE) CycleState cycle,
                                    @ExchangeProperty(RepairExchange.INDEX) PresenceAnswers presence) {
        PresenceAnswers index = forBatch(items, presence, cycle);
        List<CidDecision> needRoute = new ArrayList<>();
        for (WorkItem item : items) {
            try {
                CidDecision decision = triage(item, cycle, index);
                if (decision != null) {
                    DecisionCounts.count(null, decision, cycle);
                    if (decision.needsRoute()) {
                        needRoute.add(decision);
                    }
                }
            } catch (RuntimeException e) {
                // one bad CID must not stop the batch: counted and logged like any per-CID error
                CycleLog.count(cycle, RepairCounter.REPAIR_CID_ERROR, "repair of {} failed at triage: {}",
                        CycleLog.abbreviate(String.valueOf(item.cid())), CycleLog.describe(e));
            }
        }
        return needRoute;
    }

    /**
     * The presence answers for this batch: the index as it is, or one read of the presence store
     * for the batch's keys. A store that cannot be read sends this batch to HeadObject per key.
     */
    private PresenceAnswers forBatch(List<WorkItem> items, PresenceAnswers presence, CycleState cycle) {
        if (!presence.fromStore()) {
            return presence;
        }
        List<String> keys = new ArrayList<>(items.size());
        for (WorkItem item : items) {
            if (item.cid() != null) {
                Cid.parse(item.cid()).ifPresent(cid -> keys.add(cid.storageKey()));
            }
        }
        try {
            return presence.forKeys(keys);
        } catch (RuntimeException e) {
            CycleLog.count(cycle, RepairCounter.PRESENCE_STORE_FAIL, "presence store read failed, this batch is checked with"
                    + " HeadObject per key: {}", CycleLog.describe(e));
            return PresenceIndex.unavailable(clock.instant());
        }
    }

    /** The first decision about one work item, or null when it is skipped before any. */
    CidDecision triage(WorkItem item, CycleState cycle, PresenceAnswers index) {
        RepairCounters counters = cycle.getCounters();
        if (item.cid() == null || item.cid().isEmpty()) {
            counters.increment(RepairCounter.EMPTY_CID);
            return null;
        }
        Optional<Cid> parsed = Cid.parse(item.cid());
        if (parsed.isEmpty()) {
            CycleLog.count(cycle, RepairCounter.INVALID_CID, "malformed CID skipped: '{}'", CycleLog.abbreviate(item.cid()));
            return null;
        }
        Cid cid = parsed.get();
        boolean recent = cycle.storeRecent().retains(item.createdAt());
        Placement where = cycle.placement().place(cid.value(), item.placementHosts(), recent);
        counters.add(RepairCounter.PLACEMENT_HOST_UNKNOWN, where.unknownHosts());
        if (where.elsewhere()) {
            counters.increment(RepairCounter.PLACED_ELSEWHERE);
            return null;
        }
        if (!where.mine() && !cycle.isCleanup()) {
            return null;
        }
        counters.increment(RepairCounter.TOTAL_CHECKED);
        String key = cid.storageKey();
        String bucket = buckets.forBlob(where.heldForStoreAll());
        if (!cycle.firstTimeSeen(key, recent)) {
            counters.increment(RepairCounter.REPAIR_DEDUPED);
            if (index.lookup(bucket, key) != null || knownPresent.contains(key)) {
                counters.increment(RepairCounter.ALREADY_HAVE);
            }
            return null;
        }
        if (cycle.failingCids().skipped(cid.value(), clock.instant())) {
            counters.increment(RepairCounter.REPAIR_CID_SKIPPED);
            return null;
        }
        if (!cycle.isCleanup() && knownPresent.contains(key)) {
            counters.increment(RepairCounter.REPAIR_KNOWN_PRESENT);
            counters.increment(RepairCounter.ALREADY_HAVE);
            return null;
        }
        CidFacts facts = CidFacts.of(cid, bucket, buckets.archived(where.heldForStoreAll()), where, cycle.facts());
        return RepairRules.decide(otherCopyFromIndex(presenceFromIndex(facts, index, cycle), index));
    }

    /** With an archive bucket: a copy the listing found in the bucket the CID is not routed to. */
    private CidFacts otherCopyFromIndex(CidFacts facts, PresenceAnswers index) {
        Optional<String> other = buckets.other(facts.bucket());
        if (other.isEmpty() || !index.covers(other.get(), facts.storageKey())) {
            return facts;
        }
        ObjectFacts listed = index.lookup(other.get(), facts.storageKey());
        return listed == null ? facts : facts.inOtherBucket(other.get(), listed);
    }

    /**
     * Presence from the listing (or the presence store), for the keys it covers; an uncovered key is left for HeadObject.
     * A key written since the listing counts as present, but without listed facts: such presence
     * never grounds a deletion.
     */
    private CidFacts presenceFromIndex(CidFacts facts, PresenceAnswers index, CycleState cycle) {
        String key = facts.storageKey();
        if (!index.covers(facts.bucket(), key)) {
            if (!cycle.facts().headIsTrusted()) {
                cycle.getCounters().increment(RepairCounter.HEAD_FALLBACK_KEYS);
            }
            return facts;
        }
        boolean store = index.fromStore();
        Presence.Source source = store ? Presence.Source.STORE : Presence.Source.LISTING;
        ObjectFacts listed = index.lookup(facts.bucket(), key);
        if (listed != null) {
            cycle.getCounters().increment(store ? RepairCounter.PRESENCE_STORE_HIT : RepairCounter.PRESENCE_INDEX_HIT);
            return facts.present(source, listed);
        }
        cycle.getCounters().increment(store ? RepairCounter.PRESENCE_STORE_MISS : RepairCounter.PRESENCE_INDEX_MISS);
        return knownPresent.contains(key) ? facts.present(Presence.Source.WRITTEN, null) : facts.absent(source);
    }
}
