package io.blobrepair.repair;

import io.blobrepair.peer.NodeFollower;
import io.blobrepair.peer.PeerHealth;
import io.blobrepair.work.CidFailures;
import io.blobrepair.work.DataLossLedger;
import io.blobrepair.work.RunStore;
import org.apache.camel.ExchangeProperty;

import java.sql.SQLException;
import java.time.Clock;
import java.time.Duration;
import java.util.Optional;
import java.util.Set;

/**
 * What a cycle fixes at its start, before its presence view: the network it ranks against and
 * what it keeps beyond the replica set, which of its peers are up, its failing CIDs, and the
 * data-loss evidence.
 */
public class CycleSetup {

    private final NodeFollower follower;
    private final RunStore runs;
    private final Retention retention;
    private final PeerHealth peerHealth;
    private final CidFailures failures;
    private final int maxFailedCycles;
    private final Duration skipFor;
    private final DataLossLedger dataLoss;
    private final DataLossRules dataLossRules;
    private final RepairEvents events;
    private final Clock clock;

    /**
     * @param maxFailedCycles a CID failing in this many cycles in a row is skipped for {@code skipFor}
     */
    public CycleSetup(NodeFollower follower, RunStore runs, Retention retention, PeerHealth peerHealth, CidFailures failures,
                      int maxFailedCycles, Duration skipFor, DataLossLedger dataLoss, DataLossRules dataLossRules,
                      RepairEvents events, Clock clock) {
        this.follower = follower;
        this.runs = runs;
        this.retention = retention;
        this.peerHealth = peerHealth;
        this.failures = failures;
        this.maxFailedCycles = maxFailedCycles;
        this.skipFor = skipFor;
        this.dataLoss = dataLoss;
        this.dataLossRules = dataLossRules;
        this.events = events;
        this.clock = clock;
    }

    /**
     * The network as the co-located node sees it now ({@code repair.node-url}), else as configured.
     * A node that cannot be read leaves the last good view ({@code node_view_stale}); a changed
     * host set is published ({@code hosts_changed}) and keeps this cycle from deleting
     * over-replicated copies: their owners just moved. The set is compared with the last run's
     * as recorded in the database too, so a restart with another host list counts as a change.
     */
    public void followNetwork(@ExchangeProperty(RepairExchange.CYCLE) CycleState cycle) throws SQLException {
        NodeFollower.Refresh refresh = follower.refresh();
        Set<String> hosts = Set.copyOf(refresh.view().hosts());
        Optional<Set<String>> lastRun = runs.lastRankedHosts();
        boolean hostsChanged = refresh.hostsChanged() || lastRun.map(last -> !last.equals(hosts)).orElse(false);
        runs.recordRankedHosts(cycle.getRunId(), hosts);
        cycle.setNetwork(refresh.view(), hostsChanged, retention);
        if (!refresh.fresh()) {
            cycle.getCounters().increment(RepairCounter.NODE_VIEW_STALE);
        }
        if (hostsChanged) {
            events.publish(RepairEvent.hostsChanged(cycle.getCycle(), clock.instant(), refresh.view().hosts()));
        }
    }

    /**
     * Asks the network's peers whether they are up (their answers also say which store everything,
     * and how many were healthy is data-loss evidence); the cycle only goes on when one is.
     */
    public void probePeers(@ExchangeProperty(RepairExchange.CYCLE) CycleState cycle) {
        cycle.setHealthyPeers(peerHealth.probe(cycle.network().peers()));
    }

    public void loadCidFailures(@ExchangeProperty(RepairExchange.CYCLE) CycleState cycle) throws SQLException {
        cycle.setFailingCids(new FailingCids(failures.current(cycle.getCycle(), clock.instant()), maxFailedCycles, skipFor));
    }

    /** The open data-loss evidence: which pulls escalate, which declared losses wait for their recheck. */
    public void loadDataLoss(@ExchangeProperty(RepairExchange.CYCLE) CycleState cycle) throws SQLException {
        cycle.setDataLoss(new DataLossEvidence(dataLoss.open(), dataLossRules));
    }
}
