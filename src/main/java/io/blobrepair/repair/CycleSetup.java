package io.blobrepair.repair;

import io.blobrepair.placement.PlacementPolicy;
import io.blobrepair.work.CidFailures;
import org.apache.camel.ExchangeProperty;

import java.sql.SQLException;
import java.time.Clock;
import java.time.Duration;

/** What a cycle fixes at its start, before its presence view: the network it ranks against, and its failing CIDs. */
public class CycleSetup {

    private final PlacementPolicy placement;
    private final CidFailures failures;
    private final int maxFailedCycles;
    private final Duration skipFor;
    private final Clock clock;

    /**
     * @param maxFailedCycles a CID failing in this many cycles in a row is skipped for {@code skipFor}
     */
    public CycleSetup(PlacementPolicy placement, CidFailures failures, int maxFailedCycles, Duration skipFor, Clock clock) {
        this.placement = placement;
        this.failures = failures;
        this.maxFailedCycles = maxFailedCycles;
        this.skipFor = skipFor;
        this.clock = clock;
    }

    public void rankAgainstNetwork(@ExchangeProperty(RepairExchange.CYCLE) CycleState cycle) {
        cycle.setNetwork(placement, false);
    }

    public void loadCidFailures(@ExchangeProperty(RepairExchange.CYCLE) CycleState cycle) throws SQLException {
        cycle.setFailingCids(new FailingCids(failures.current(cycle.getCycle(), clock.instant()), maxFailedCycles, skipFor));
    }
}
