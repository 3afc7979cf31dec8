package io.blobrepair.repair;

import io.blobrepair.peer.PeerClient;
import io.blobrepair.peer.PeerHealth;
import io.blobrepair.placement.PullPlan;
import io.blobrepair.work.DataLossLedger;
import org.apache.camel.ExchangeProperty;

import java.sql.SQLException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;

/**
 * The data-loss evidence around a pull ({@link DataLossRules}): a declared loss waits for its
 * recheck; a pull that no host served counts as a failed cycle (or is discarded, or declares the
 * loss, published as {@code blob_lost}); a successful pull closes the evidence.
 */
public class DataLossSteps {

    private final DataLossLedger ledger;
    private final DataLossRules rules;
    private final PeerHealth health;
    private final RepairEvents events;
    private final Clock clock;

    public DataLossSteps(DataLossLedger ledger, DataLossRules rules, PeerHealth health, RepairEvents events, Clock clock) {
        this.ledger = ledger;
        this.rules = rules;
        this.health = health;
        this.events = events;
        this.clock = clock;
    }

    /** Before a pull: a declared loss is not tried again until its recheck is due. */
    public CidDecision beforePull(@ExchangeProperty(RepairExchange.CID) CidDecision decision,
                                  @ExchangeProperty(RepairExchange.CYCLE) CycleState cycle) {
        if (cycle.dataLoss().awaitingRecheck(decision.facts().cid().value(), clock.instant())) {
            return DecisionCounts.replace(decision, decision.heldBack(Reason.KNOWN_LOST), cycle);
        }
        return decision;
    }

    /** After a pull that no host of its plan served: one failed cycle of evidence, by the rules. */
    public void pullFailed(@ExchangeProperty(RepairExchange.CID) CidDecision decision,
                           @ExchangeProperty(RepairExchange.CYCLE) CycleState cycle,
                           @ExchangeProperty(RepairExchange.PULL) PeerClient.Result attempt,
                           @ExchangeProperty(RepairExchange.PULL_PLAN) PullPlan plan) throws SQLException {
        String cid = decision.facts().cid().value();
        RepairCounters counters = cycle.getCounters();
        counters.increment(RepairCounter.PULL_MINE_GAVE_UP);
        CycleLog.warn(cycle, "pull", "could not pull {} from any of {} hosts tried{} ({} skipped: their filter says absent): {}",
                decision.facts().cid(), attempt.hostsTried().size(), plan.exhaustive() ? ", the whole network" : "",
                plan.skippedAbsent(), attempt.failures());
        Instant now = clock.instant();
        DataLossLedger.Entry before = ledger.find(cid);
        DataLossRules.Outcome outcome = rules.afterFailedPull(cid, before, cycle.getCycle(), health.healthyPeers().size(),
                plan.exhaustive(), now);
        if (outcome.after() != null) {
            ledger.save(outcome.after());
        }
        switch (outcome.transition()) {
            case DISCARDED -> counters.increment(RepairCounter.DATA_LOSS_EVIDENCE_DISCARDED);
            case COUNTED -> counters.increment(RepairCounter.DATA_LOSS_EVIDENCE_RECORDED);
            case AWAITING_FULL_SWEEP -> {
                counters.increment(RepairCounter.DATA_LOSS_EVIDENCE_RECORDED);
                counters.increment(RepairCounter.DATA_LOSS_AWAITING_FULL_SWEEP);
            }
            case RECHECK_FAILED -> {
                counters.increment(RepairCounter.DATA_LOSS_EVIDENCE_RECORDED);
                counters.increment(RepairCounter.DATA_LOSS_RECHECK_FAILED);
            }
            case DECLARED -> {
                counters.increment(RepairCounter.DATA_LOSS_EVIDENCE_RECORDED);
                counters.increment(RepairCounter.DATA_LOSS_DECLARED);
                DataLossLedger.Entry lost = outcome.after();
                CycleLog.warn(cycle, "lost", "declaring data loss: no host served {} in {} cycles over {} (the last asked all {} hosts)",
                        cid, lost.failedCycles(), Duration.between(lost.firstFailedAt(), now), attempt.hostsTried().size());
                events.publish(RepairEvent.blobLost(cycle.getCycle(), now, cid, decision.storageKey(), attempt.hostsTried()));
            }
            default -> { }
        }
    }

    /** After a pull that was stored: evidence open at the cycle's start is closed, a declared loss recovered. */
    public void pulled(@ExchangeProperty(RepairExchange.CID) CidDecision decision,
                       @ExchangeProperty(RepairExchange.CYCLE) CycleState cycle) throws SQLException {
        String cid = decision.facts().cid().value();
        if (!cycle.dataLoss().open(cid)) {
            return;
        }
        DataLossRules.Outcome outcome = rules.afterPulled(ledger.find(cid), clock.instant());
        if (outcome.after() != null) {
            ledger.save(outcome.after());
        }
        if (outcome.transition() == DataLossRules.Transition.RECOVERED) {
            cycle.getCounters().increment(RepairCounter.DATA_LOSS_RECOVERED);
            CycleLog.info(cycle, "{}, declared lost at {}, is recovered", cid, outcome.after().declaredAt());
        }
    }
}
