package io.blobrepair.repair;

import io.blobrepair.peer.PeerClient;
import io.blobrepair.peer.StagingArea;
import io.blobrepair.placement.PullPlan;
import org.apache.camel.ExchangeProperty;

import java.util.OptionalLong;

/**
 * The staging disk around a pull: room for the blob is claimed before it is fetched (its size
 * asked of the pull plan's hosts, in its order), or the pull waits for a later cycle; the pull's staging file and claim go
 * once the pull is over, whatever happened.
 */
public class StagingSteps {

    private final PeerClient peers;
    private final StagingArea staging;

    public StagingSteps(PeerClient peers, StagingArea staging) {
        this.peers = peers;
        this.staging = staging;
    }

    /**
     * The pull, unchanged once room is claimed for its blob; held back ({@code pull_staging_full})
     * when staging it would cross {@code repair.pull.staging-reserve}. A blob no peer gives a size
     * for claims room once its size arrives with its first bytes.
     */
    public CidDecision reserve(@ExchangeProperty(RepairExchange.CID) CidDecision decision,
                               @ExchangeProperty(RepairExchange.CYCLE) CycleState cycle,
                               @ExchangeProperty(RepairExchange.PULL_PLAN) PullPlan plan) {
        OptionalLong size = peers.size(decision.facts().cid(), plan.hosts());
        if (staging.reserve(decision.facts().cid().value(), size.orElse(-1))) {
            return decision;
        }
        CycleLog.warn(cycle, RepairCounter.PULL_STAGING_FULL.metricName(),
                "no room in {} for the {} bytes of {} above the staging reserve: pulled in a later cycle",
                staging.dir(), size.orElse(-1), decision.facts().cid());
        return DecisionCounts.replace(decision, decision.heldBack(Reason.STAGING_FULL), cycle);
    }

    /** Removes the pull's staging file and frees its room, on every path. */
    public void release(@ExchangeProperty(RepairExchange.CID) CidDecision decision) {
        staging.release(decision.facts().cid().value());
    }
}
