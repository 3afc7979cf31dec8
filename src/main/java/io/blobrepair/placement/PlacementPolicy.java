package io.blobrepair.placement;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * Decides, for one CID, which hosts should hold it, by the reference network's rules: an upload
 * whose {@code placement_hosts} name this node is held here and ranked in that order; one whose
 * list does not name it is not this node's business at all; otherwise the rendezvous ranking
 * decides (rank below R holds it), store-all mode holds everything, and so does store-recent
 * for a recent upload ({@link StoreRecent}). Placement hosts that are
 * not hosts of the network are dropped from the ranking: the service only ever contacts known peers.
 */
public final class PlacementPolicy {

    private final String self;
    private final List<String> allHosts;
    private final Set<String> knownHosts;
    private final int replicationFactor;
    private final boolean storeAll;

    /** Hosts are normalised ({@link Hosts#normalise}), so they rank and compare as the reference's do. */
    public PlacementPolicy(String self, List<String> allHosts, int replicationFactor, boolean storeAll) {
        this.self = Hosts.normalise(self);
        this.allHosts = allHosts.stream().map(Hosts::normalise).distinct().toList();
        this.knownHosts = Set.copyOf(this.allHosts);
        this.replicationFactor = replicationFactor;
        this.storeAll = storeAll;
    }

    /** The placement a cycle uses when it follows the node, or the configuration ({@link NetworkView}). */
    public static PlacementPolicy from(NetworkView view) {
        return new PlacementPolicy(view.self(), view.hosts(), view.replicationFactor(), view.storeAll());
    }

    /** The placement of a CID that is not kept as a recent upload. */
    public Placement place(String cid, List<String> placementHosts) {
        return place(cid, placementHosts, false);
    }

    /**
     * @param recent the upload is kept by store-recent: this node's whatever its rank, unless
     *               {@code placement_hosts} pin it elsewhere (placement wins, as in the reference)
     */
    public Placement place(String cid, List<String> placementHosts, boolean recent) {
        if (!placementHosts.isEmpty()) {
            return pinned(placementHosts);
        }
        List<String> ranked = RendezvousRanking.rank(cid, allHosts);
        int rank = ranked.indexOf(self);
        boolean replica = rank >= 0 && rank < replicationFactor;
        // not ranked at all (a transient bad host list) is never a reason to send a blob to cold storage
        return new Placement(ranked, rank, storeAll || replica || recent, false, false, storeAll && rank >= replicationFactor, 0);
    }

    private Placement pinned(List<String> placementHosts) {
        List<String> pinned = new ArrayList<>();
        int unknown = 0;
        for (String host : placementHosts) {
            if (!knownHosts.contains(host)) {
                unknown++;
            } else if (!pinned.contains(host)) {
                pinned.add(host);
            }
        }
        if (!pinned.contains(self)) {
            return Placement.elsewhere(unknown);
        }
        return new Placement(List.copyOf(pinned), pinned.indexOf(self), true, true, false, false, unknown);
    }

    public String self() {
        return self;
    }

    public int replicationFactor() {
        return replicationFactor;
    }

    public boolean storeAll() {
        return storeAll;
    }
}
