package io.blobrepair.repair;

import io.blobrepair.index.KnownPresentCache;
import io.blobrepair.peer.PeerClient;
import io.blobrepair.peer.PeerFilters;
import io.blobrepair.peer.PeerHealth;
import io.blobrepair.placement.PullPlan;
import io.blobrepair.work.PresenceStore;
import org.apache.camel.Exchange;
import org.apache.camel.ExchangeProperty;

import java.util.OptionalInt;

/**
 * Pulling a missing blob of this node's: the dry run and "written since triage" first, then the
 * pull's plan ({@link PullPlan}: bounded ranked hosts, store-all fallback, the whole network once
 * the CID escalates), then its hosts until one serves content that matches the CID, then what a
 * stored blob changes. PutObject is the route's own step.
 */
public class PullSteps {

    private final boolean dryRun;
    private final KnownPresentCache knownPresent;
    private final PresenceStore presenceStore;
    private final PeerClient peers;
    private final PeerFilters filters;
    private final PeerHealth health;
    private final OptionalInt maxHosts;

    /** @param maxHosts {@code repair.pull.max-hosts}: ranked hosts tried before escalation; empty = R + 4 */
    public PullSteps(boolean dryRun, KnownPresentCache knownPresent, PresenceStore presenceStore, PeerClient peers,
                     PeerFilters filters, PeerHealth health, OptionalInt maxHosts) {
        this.dryRun = dryRun;
        this.knownPresent = knownPresent;
        this.presenceStore = presenceStore;
        this.peers = peers;
        this.filters = filters;
        this.health = health;
        this.maxHosts = maxHosts;
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

    /** Which hosts to ask, in order; counts an escalated pull and an offered store-all fallback. */
    public PullPlan plan(@ExchangeProperty(RepairExchange.CID) CidDecision decision,
                         @ExchangeProperty(RepairExchange.CYCLE) CycleState cycle) {
        CidFacts facts = decision.facts();
        String cid = facts.cid().value();
        int bound = maxHosts.orElse(facts.cycle().replicationFactor() + PullPlan.PULL_ATTEMPT_MARGIN);
        PullPlan plan = PullPlan.of(cid, facts.placement().ranked(), cycle.placement().self(), bound,
                cycle.dataLoss().escalates(cid), host -> filters.hint(host, decision.storageKey()), health.storeAllPeers());
        if (plan.exhaustive()) {
            cycle.getCounters().increment(RepairCounter.PULL_ESCALATED_FULL_NETWORK);
        }
        if (plan.storeAllOffered() > 0) {
            cycle.getCounters().increment(RepairCounter.PULL_STORE_ALL_FALLBACK_OFFERED);
        }
        return plan;
    }

    /** Asks the plan's hosts; a failed attempt on each host counts {@code pull_mine_fail}. */
    public PeerClient.Result fromPeers(@ExchangeProperty(RepairExchange.CID) CidDecision decision,
                                       @ExchangeProperty(RepairExchange.CYCLE) CycleState cycle,
                                       @ExchangeProperty(RepairExchange.PULL_PLAN) PullPlan plan) {
        PeerClient.Result result = peers.pull(decision.facts().cid(), plan.hosts());
        cycle.getCounters().add(RepairCounter.PULL_MINE_FAIL, result.failures().size());
        return result;
    }

    /** The pulled blob is in the bucket: remember it so nothing asks for it again. */
    public void stored(@ExchangeProperty(RepairExchange.CID) CidDecision decision,
                       @ExchangeProperty(RepairExchange.CYCLE) CycleState cycle,
                       @ExchangeProperty(RepairExchange.PULL) PeerClient.Result pulled) {
        knownPresent.add(decision.storageKey());
        presenceStore.written(decision.bucket(), decision.storageKey(), pulled.size());
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
