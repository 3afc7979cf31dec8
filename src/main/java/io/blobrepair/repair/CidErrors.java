package io.blobrepair.repair;

import io.blobrepair.work.CidFailures;
import org.apache.camel.Exchange;
import org.apache.camel.ExchangeProperty;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.sql.SQLException;
import java.time.Clock;
import java.time.Instant;

/**
 * The one handler of an unexpected failure of one CID, whatever step of the per-CID routes it
 * happened in: counted ({@code repair_cid_error}), logged with the CID and the step's id, and
 * recorded in the CID failure ledger, so a CID that keeps failing is skipped for a while instead
 * of costing a failure every cycle. The batch goes on.
 */
public class CidErrors {

    private static final Logger LOG = LoggerFactory.getLogger(CidErrors.class);

    private final CidFailures ledger;
    private final Clock clock;

    public CidErrors(CidFailures ledger, Clock clock) {
        this.ledger = ledger;
        this.clock = clock;
    }

    public void failed(@ExchangeProperty(RepairExchange.CID) CidDecision decision,
                       @ExchangeProperty(RepairExchange.CYCLE) CycleState cycle,
                       @ExchangeProperty(Exchange.EXCEPTION_CAUGHT) Exception cause,
                       @ExchangeProperty(FailedStep.PROPERTY) FailedStep.Failure failedAt) {
        String cid = decision == null ? "?" : decision.facts().cid().value();
        String step = FailedStep.of(failedAt, cause);
        String error = CycleLog.describe(cause);
        CycleLog.count(cycle, RepairCounter.REPAIR_CID_ERROR, "repair of {} failed at step '{}': {}", cid, step, error);
        LOG.debug("cycle {}: repair of {} failed at step '{}'", cycle.getCycle(), cid, step, cause);
        if (decision == null) {
            return;
        }
        Instant now = clock.instant();
        CidFailures.Failure failure = cycle.failingCids().afterFailure(cid, cycle.getCycle(), step, error, now);
        try {
            ledger.save(failure);
        } catch (SQLException e) {
            LOG.warn("cycle {}: could not record the failure of {} in repair_cid_failures: {}", cycle.getCycle(), cid, e.getMessage());
            return;
        }
        if (failure.skippedUntil() != null) {
            LOG.warn("cycle {}: {} failed in {} cycles in a row; skipped until {}", cycle.getCycle(), cid,
                    failure.failedCycles(), failure.skippedUntil());
        }
    }
}
