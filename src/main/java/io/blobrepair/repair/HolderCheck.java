package io.blobrepair.repair;

import io.blobrepair.peer.PeerClient;
import org.apache.camel.ExchangeProperty;

/**
 * Cleanup: before an over-replicated copy is deleted, the hosts ranked ahead are asked
 * ({@code GET /internal/blobs/info/{cid}?verify=content}); only when at least R of them hold a
 * copy that matches the CID may this copy go, so a deletion never leaves fewer than R valid copies
 * (a blob-repair node hashes its copy to answer; a reference node answers from its attributes).
 */
public class HolderCheck {

    private final PeerClient peers;

    public HolderCheck(PeerClient peers) {
        this.peers = peers;
    }

    public CidDecision askHostsAhead(@ExchangeProperty(RepairExchange.CID) CidDecision decision,
                                     @ExchangeProperty(RepairExchange.CYCLE) CycleState cycle) {
        CidFacts facts = decision.facts();
        int needed = facts.cycle().replicationFactor();
        int confirmed = 0;
        for (String host : facts.placement().ahead()) {
            if (confirmed >= needed) {
                break;
            }
            if (peers.holds(host, facts.cid().value())) {
                confirmed++;
            }
        }
        if (confirmed < needed) {
            CycleLog.warn(cycle, "holders", "{} is over-replicated but only {} of {} hosts ahead confirmed it: kept",
                    decision.storageKey(), confirmed, needed);
        }
        return DecisionCounts.next(decision, facts.holders(confirmed >= needed
                ? CidFacts.Holders.CONFIRMED : CidFacts.Holders.UNCONFIRMED), cycle);
    }
}
