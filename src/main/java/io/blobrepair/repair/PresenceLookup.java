package io.blobrepair.repair;

import io.blobrepair.index.KnownPresentCache;
import io.blobrepair.index.ObjectFacts;
import org.apache.camel.Exchange;
import org.apache.camel.ExchangeProperty;

import java.time.Instant;

/**
 * What one HeadObject answered, as a new decision. The same HeadObject serves both places the
 * per-CID route asks it: a key the listing did not cover ({@code LOOK_UP_PRESENCE}), and a key the
 * listing says is absent, checked once before pulling it ({@code CONFIRM_ABSENCE}: the node may
 * have written it since the listing; counted {@code head_confirm_absent} / {@code head_found_present}).
 */
public class PresenceLookup {

    private final KnownPresentCache knownPresent;

    public PresenceLookup(KnownPresentCache knownPresent) {
        this.knownPresent = knownPresent;
    }

    /**
     * Before a HeadObject confirms an absence: a key written (pulled or pushed) since the batch's
     * triage needs neither the HeadObject nor the pull.
     */
    public CidDecision writtenSinceTriage(@ExchangeProperty(RepairExchange.CID) CidDecision decision,
                                          @ExchangeProperty(RepairExchange.CYCLE) CycleState cycle) {
        return knownPresent.contains(decision.storageKey())
                ? DecisionCounts.replace(decision, decision.heldBack(Reason.WRITTEN_SINCE_TRIAGE), cycle) : decision;
    }

    /** HeadObject found the key. */
    public CidDecision present(@ExchangeProperty(RepairExchange.CID) CidDecision decision,
                               @ExchangeProperty(RepairExchange.CYCLE) CycleState cycle,
                               Long size, Instant lastModified) {
        if (decision.isConfirmAbsence()) {
            cycle.getCounters().increment(RepairCounter.HEAD_FOUND_PRESENT);
        }
        ObjectFacts facts = new ObjectFacts(size == null ? 0 : size, lastModified == null ? 0 : lastModified.toEpochMilli());
        return DecisionCounts.next(decision, decision.facts().present(Presence.Source.HEAD_OBJECT, facts), cycle);
    }

    /** HeadObject answered NoSuchKey or a bare 404. */
    public CidDecision absent(@ExchangeProperty(RepairExchange.CID) CidDecision decision,
                              @ExchangeProperty(RepairExchange.CYCLE) CycleState cycle) {
        if (decision.isConfirmAbsence()) {
            cycle.getCounters().increment(RepairCounter.HEAD_CONFIRM_ABSENT);
        }
        return DecisionCounts.next(decision, decision.facts().absent(Presence.Source.HEAD_OBJECT), cycle);
    }

    /** HeadObject failed for another reason than "absent": presence stays unknown, nothing is done. */
    public CidDecision failed(@ExchangeProperty(RepairExchange.CID) CidDecision decision,
                              @ExchangeProperty(RepairExchange.CYCLE) CycleState cycle,
                              @ExchangeProperty(Exchange.EXCEPTION_CAUGHT) Exception cause) {
        CycleLog.count(cycle, RepairCounter.READ_ATTRS_FAIL, "HeadObject {} failed, presence unknown, nothing done: {}",
                decision.storageKey(), CycleLog.describe(cause));
        return DecisionCounts.next(decision, decision.facts().presenceUnknown(), cycle);
    }
}
