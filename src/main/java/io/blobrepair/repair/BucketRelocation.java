package io.blobrepair.repair;

import io.blobrepair.index.KnownPresentCache;
import io.blobrepair.work.PresenceStore;
import org.apache.camel.Exchange;
import org.apache.camel.ExchangeProperty;

/**
 * Cleanup, with an archive bucket: a blob of this node's listed only in the bucket it is not
 * routed to is copied into its routed bucket (CopyObject, server-side). The copy is then checked
 * there and only then is the source deleted; both are later steps of the per-CID route
 * ({@link Action#VALIDATE} or {@link Action#VERIFY_COPY}, then {@link Action#DELETE_RELOCATED_SOURCE}).
 */
public class BucketRelocation {

    private final KnownPresentCache knownPresent;
    private final PresenceStore presenceStore;

    public BucketRelocation(KnownPresentCache knownPresent, PresenceStore presenceStore) {
        this.knownPresent = knownPresent;
        this.presenceStore = presenceStore;
    }

    /** CopyObject succeeded: the routed bucket holds the blob, to be checked before the source goes. */
    public CidDecision copied(@ExchangeProperty(RepairExchange.CID) CidDecision decision,
                              @ExchangeProperty(RepairExchange.CYCLE) CycleState cycle) {
        knownPresent.add(decision.storageKey());
        presenceStore.written(decision.bucket(), decision.storageKey(), decision.facts().other().listed().size());
        CycleLog.info(cycle, "copied {} from {} to {}", decision.storageKey(), decision.facts().other().bucket(), decision.bucket());
        return DecisionCounts.next(decision, decision.facts().copiedFromOtherBucket(), cycle);
    }

    /** CopyObject failed: the source stays where it is, nothing is pulled this cycle. */
    public CidDecision copyFailed(@ExchangeProperty(RepairExchange.CID) CidDecision decision,
                                  @ExchangeProperty(RepairExchange.CYCLE) CycleState cycle,
                                  @ExchangeProperty(Exchange.EXCEPTION_CAUGHT) Exception cause) {
        CycleLog.count(cycle, RepairCounter.RELOCATE_BETWEEN_BUCKETS_FAIL, "CopyObject {} from {} to {} failed, the source stays: {}",
                decision.storageKey(), decision.facts().other().bucket(), decision.bucket(), CycleLog.describe(cause));
        return DecisionCounts.replace(decision, decision.heldBack(Reason.RELOCATE_FAILED), cycle);
    }
}
