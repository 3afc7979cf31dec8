package io.blobrepair.repair;

import io.blobrepair.index.KnownPresentCache;
import io.blobrepair.index.PresenceAnswers;
import io.blobrepair.work.PresenceStore;
import org.apache.camel.Exchange;
import org.apache.camel.ExchangeProperty;

import java.time.Clock;

/**
 * Cleanup deletions, one at a time, and relocations between buckets, which end in one: the dry
 * run and the delete brake first (a deletion beyond
 * {@code repair.max-delete-fraction} of what the node held is held back, and the brake engaging is
 * logged, counted and published once), then what a deletion changes: the key is marked absent in
 * the bucket's part of the cycle's index and, unless it was the other bucket's copy, leaves the
 * known-present cache, so the rest of the cycle never trusts a stale "present", and leaves the
 * presence store. Nothing is ever deleted in a cycle whose presence the store answered: the rules
 * never ask for it there (no complete view), and this gate refuses it should they.
 */
public class DeletionGate {

    private final boolean dryRun;
    private final double maxDeleteFraction;
    private final KnownPresentCache knownPresent;
    private final PresenceStore presenceStore;
    private final RepairEvents events;
    private final Clock clock;

    public DeletionGate(boolean dryRun, double maxDeleteFraction, KnownPresentCache knownPresent, PresenceStore presenceStore,
                        RepairEvents events, Clock clock) {
        this.dryRun = dryRun;
        this.maxDeleteFraction = maxDeleteFraction;
        this.knownPresent = knownPresent;
        this.presenceStore = presenceStore;
        this.events = events;
        this.clock = clock;
    }

    /** The decision to carry out: unchanged, or held back by the dry run or the brake. */
    public CidDecision admit(@ExchangeProperty(RepairExchange.CID) CidDecision decision,
                             @ExchangeProperty(RepairExchange.CYCLE) CycleState cycle,
                             @ExchangeProperty(RepairExchange.INDEX) PresenceAnswers presence) {
        if (presence.fromStore()) {
            // the CID's error (counted, logged with its step): nothing is deleted
            throw new IllegalStateException("no deletion on the presence store's view: " + decision.action() + " " + decision.storageKey());
        }
        if (dryRun) {
            CycleLog.info(cycle, "dry run: would {} {} in {}", decision.action(), decision.storageKey(), decision.bucket());
            return DecisionCounts.replace(decision, decision.heldBack(Reason.DRY_RUN), cycle);
        }
        if (!cycle.isBrakeEngaged() && DeleteBrake.allows(cycle.getDeletions(), cycle.heldForBrake(), maxDeleteFraction)) {
            return decision;
        }
        if (cycle.engageBrake()) {
            cycle.getCounters().increment(RepairCounter.DELETE_BRAKE_ENGAGED);
            CycleLog.warn(cycle, "brake", "delete brake engaged after {} deletions of {} blobs held (repair.max-delete-fraction={}):"
                            + " no more deletions this cycle; check the peer list and replication settings",
                    cycle.getDeletions(), cycle.heldForBrake(), maxDeleteFraction);
            events.publish(RepairEvent.deleteBrakeEngaged(cycle.getCycle(), clock.instant(), cycle.getDeletions(),
                    cycle.heldForBrake(), maxDeleteFraction));
        }
        return DecisionCounts.replace(decision, decision.heldBack(Reason.DELETE_BRAKE), cycle);
    }

    /** DeleteObject succeeded. */
    public CidDecision deleted(@ExchangeProperty(RepairExchange.CID) CidDecision decision,
                               @ExchangeProperty(RepairExchange.CYCLE) CycleState cycle,
                               @ExchangeProperty(RepairExchange.INDEX) PresenceAnswers index) {
        cycle.deleted();
        index.markAbsent(decision.bucket(), decision.storageKey());
        presenceStore.deleted(decision.bucket(), decision.storageKey());
        CycleLog.info(cycle, "deleted {} from {} ({})", decision.storageKey(), decision.bucket(), decision.action());
        cycle.getCounters().increment(switch (decision.action()) {
            case DELETE_INVALID -> RepairCounter.DELETE_INVALID_SUCCESS;
            case DELETE_VARIANT -> RepairCounter.DELETE_RESIZED_IMAGE_OK;
            case DELETE_RELOCATED_SOURCE -> RepairCounter.RELOCATED_BETWEEN_BUCKETS;
            case DELETE_PRIMARY_DUPLICATE -> RepairCounter.ARCHIVE_PRIMARY_DUPLICATE_DELETED;
            default -> RepairCounter.DELETE_OVER_REPLICATED_SUCCESS;
        });
        if (decision.action().deletesOtherCopy()) {
            // the routed bucket still holds the blob
            return DecisionCounts.next(decision, decision.facts().otherCopyDeleted(), cycle);
        }
        knownPresent.remove(decision.storageKey());
        return DecisionCounts.next(decision, decision.facts().absent(Presence.Source.DELETED), cycle);
    }

    /** DeleteObject failed: counted, the blob stays, nothing more for this CID. */
    public CidDecision deleteFailed(@ExchangeProperty(RepairExchange.CID) CidDecision decision,
                                    @ExchangeProperty(RepairExchange.CYCLE) CycleState cycle,
                                    @ExchangeProperty(Exchange.EXCEPTION_CAUGHT) Exception cause) {
        RepairCounter counter = switch (decision.action()) {
            case DELETE_INVALID -> RepairCounter.DELETE_INVALID_FAIL;
            case DELETE_VARIANT -> RepairCounter.DELETE_RESIZED_IMAGE_FAILED;
            case DELETE_RELOCATED_SOURCE -> RepairCounter.RELOCATE_BETWEEN_BUCKETS_FAIL;
            case DELETE_PRIMARY_DUPLICATE -> RepairCounter.ARCHIVE_PRIMARY_DUPLICATE_FAIL;
            default -> RepairCounter.DELETE_OVER_REPLICATED_FAIL;
        };
        CycleLog.count(cycle, counter, "DeleteObject {} in {} failed: {}", decision.storageKey(), decision.bucket(), CycleLog.describe(cause));
        return DecisionCounts.replace(decision, decision.heldBack(Reason.DELETE_FAILED), cycle);
    }
}
