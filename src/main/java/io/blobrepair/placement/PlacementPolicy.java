package io.blobrepair.placement;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * Decides, for one CID, which hosts should hold it. A node holds a CID when its rendezvous rank
 * is below the replication factor, when the upload's {@code placement_hosts} name it (those hosts
 * are then the whole ranking), or in store-all mode. Placement hosts that are not configured
 * hosts are dropped: the service only ever contacts configured peers.
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

    public Placement place(String cid, List<String> placementHosts) {
        List<String> pinned = new ArrayList<>();
        int unknown = 0;
        for (String host : placementHosts) {
            if (!knownHosts.contains(host)) {
                unknown++;
            } else if (!pinned.contains(host)) {
                pinned.add(host);
            }
        }
        if (!pinned.isEmpty()) {
            return new Placement(pinned, storeAll || pinned.contains(self), true, pinned.indexOf(self) + 1, unknown);
        }
        List<String> ranked = RendezvousRanking.rank(cid, allHosts);
        int position = ranked.indexOf(self) + 1;
        return new Placement(ranked, storeAll || position <= replicationFactor, false, position, unknown);
    }

    public int replicationFactor() {
        return replicationFactor;
    }
}
