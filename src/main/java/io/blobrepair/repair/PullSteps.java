package io.blobrepair.repair;

import io.blobrepair.index.KnownPresentCache;
import io.blobrepair.peer.PeerClient;
import io.blobrepair.peer.PeerFilters;
import org.apache.camel.Exchange;
import org.apache.camel.ExchangeProperty;

import java.util.List;

/**
 * Pulling a missing blob of this node's: the dry run and "written since triage" first, then the
 * ranked peers (those whose presence filter may hold the blob first) until one serves content
 * that matches the CID, then what a stored blob changes. PutObject is the route's own step.
 */
public class PullSteps {

    private final boolean dryRun;
    private final KnownPresentCache knownPresent;
    private final PeerClient peers;
    private final PeerFilters filters;

    public PullSteps(boolean dryRun, KnownPresentCache knownPresent, PeerClient peers, PeerFilters filters) {
        this.dryRun = dryRun;
        this.knownPresent = knownPresent;
        this.peers = peers;
        this.filters = filters;
    }

    /**
     * The pull to carry out: unchanged, or held back by the dry run or a write since the batch's
     * triage (looked at again here: a push may land while this CID waited for its turn).
     */
    public CidDecision admit(@ExchangeProperty(RepairExchange.CID) CidDecision decision,
                             @ExchangeProperty(RepairExchange.CYCLE) CycleState cycle) {
        if (knownPresent.contains(decision.storageKey())) {
            return DecisionCounts.replace(decision, decision.heldBack(Reason.WRITTEN_SINCE_TRIAGE), cycle);
        }
        if (dryRun) {
            CycleLog.info(cycle, "dry run: would pull {}", decision.storageKey());
            return DecisionCounts.replace(decision, decision.heldBack(Reason.DRY_RUN), cycle);
        }
        return decision;
    }

    /** Asks the peers; a failed attempt on each host counts {@code pull_mine_fail}. */
    public PeerClient.Result fromPeers(@ExchangeProperty(RepairExchange.CID) CidDecision decision,
                                       @ExchangeProperty(RepairExchange.CYCLE) CycleState cycle) {
        List<String> ranked = decision.facts().placement().ranked();
        PeerClient.Result result = peers.pull(decision.facts().cid(), filters.order(ranked, decision.storageKey()));
        cycle.getCounters().add(RepairCounter.PULL_MINE_FAIL, result.failures().size());
        return result;
    }

    /** The pulled blob is in the bucket: remember it so nothing asks for it again. */
    public void stored(@ExchangeProperty(RepairExchange.CID) CidDecision decision,
                       @ExchangeProperty(RepairExchange.CYCLE) CycleState cycle,
                       @ExchangeProperty(RepairExchange.PULL) PeerClient.Result pulled) {
        knownPresent.add(decision.storageKey());
        cycle.getCounters().increment(RepairCounter.PULL_MINE_SUCCESS);
        cycle.addContentSize(pulled.size());
    }

    /** PutObject failed after a verified pull: the key is not marked present, the next cycle pulls again. */
    public void storeFailed(@ExchangeProperty(RepairExchange.CID) CidDecision decision,
                            @ExchangeProperty(RepairExchange.CYCLE) CycleState cycle,
                            @ExchangeProperty(Exchange.EXCEPTION_CAUGHT) Exception cause) {
        CycleLog.count(cycle, RepairCounter.PULL_STORE_FAIL, "PutObject {} failed, the blob is not marked present: {}",
                decision.storageKey(), CycleLog.describe(cause));
    }
}
