package io.blobrepair.repair;

import io.blobrepair.peer.PeerClient;
import io.blobrepair.peer.PeerFilters;
import io.blobrepair.work.LostBlobs;
import org.apache.camel.ExchangeProperty;

import java.sql.SQLException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;

/**
 * The lost-blob ledger around a pull: a blob found lost (every peer's presence filter says absent
 * and every direct attempt failed) is recorded with the hosts tried, published as
 * {@code blob_lost}, and not tried again within the retry period (one cleanup period); a lost blob
 * pulled at last leaves the ledger.
 */
public class LostBlobSteps {

    private final LostBlobs lost;
    private final PeerFilters filters;
    private final Duration retryPeriod;
    private final RepairEvents events;
    private final Clock clock;

    public LostBlobSteps(LostBlobs lost, PeerFilters filters, Duration retryPeriod, RepairEvents events, Clock clock) {
        this.lost = lost;
        this.filters = filters;
        this.retryPeriod = retryPeriod;
        this.events = events;
        this.clock = clock;
    }

    /** Before a pull: a blob found lost within the retry period is not tried again yet. */
    public CidDecision beforePull(@ExchangeProperty(RepairExchange.CID) CidDecision decision,
                                  @ExchangeProperty(RepairExchange.CYCLE) CycleState cycle) throws SQLException {
        if (lost.count() > 0 && lost.triedWithin(decision.facts().cid().value(), retryPeriod, clock.instant())) {
            return DecisionCounts.replace(decision, decision.heldBack(Reason.KNOWN_LOST), cycle);
        }
        return decision;
    }

    /** After a pull that no peer could serve. */
    public void pullFailed(@ExchangeProperty(RepairExchange.CID) CidDecision decision,
                           @ExchangeProperty(RepairExchange.CYCLE) CycleState cycle,
                           @ExchangeProperty(RepairExchange.PULL) PeerClient.Result attempt) throws SQLException {
        CidFacts facts = decision.facts();
        if (filters.allSayAbsent(facts.placement().ranked(), cycle.placement().self(), decision.storageKey())) {
            Instant now = clock.instant();
            lost.record(facts.cid().value(), decision.storageKey(), attempt.hostsTried(), now);
            cycle.getCounters().increment(RepairCounter.LOST_BLOB_RECORDED);
            CycleLog.warn(cycle, "lost", "{} is lost: no peer's presence filter holds it and {} direct attempts failed",
                    facts.cid(), attempt.failures().size());
            events.publish(RepairEvent.blobLost(cycle.getCycle(), now, facts.cid().value(), decision.storageKey(),
                    attempt.hostsTried()));
        } else {
            CycleLog.warn(cycle, "pull", "could not pull {} from any of {} hosts: {}", facts.cid(), attempt.failures().size(),
                    attempt.failures());
        }
    }

    /** After a pull that succeeded: a blob that was lost is found again. */
    public void pulled(@ExchangeProperty(RepairExchange.CID) CidDecision decision) throws SQLException {
        if (lost.count() > 0) {
            lost.found(decision.facts().cid().value());
        }
    }
}
