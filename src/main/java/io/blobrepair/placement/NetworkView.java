package io.blobrepair.placement;

import java.util.List;
import java.util.Locale;
import java.util.OptionalLong;
import java.util.Set;

/**
 * The network as one cycle sees it: this node, every host the rendezvous ranking uses (this node
 * included), the replication factor, store-all, the wallets allowed to call this node's blob API,
 * and the node's disk figures when it reports them. Built from the configuration, or from the
 * co-located node ({@code repair.node-url}) merged with the configuration; immutable.
 *
 * @param hosts         normalised ({@link Hosts}), without duplicates; always holds {@code self}
 * @param wallets       lower-case {@code 0x…} addresses; empty means no caller is allowed
 * @param capacityBytes the storage size the over-replication threshold uses: {@code repair.capacity-bytes},
 *                      else the node's ({@code mediorumPathSize}), when known
 * @param usedBytes     the node's used storage ({@code mediorumPathUsed}) that goes with the node's size;
 *                      empty when the size is configured (the bucket's listed size is used then)
 */
public record NetworkView(String self, List<String> hosts, int replicationFactor, boolean storeAll,
                          Set<String> wallets, OptionalLong capacityBytes, OptionalLong usedBytes) {

    public NetworkView {
        self = Hosts.normalise(self);
        hosts = hosts.stream().map(Hosts::normalise).distinct().toList();
        wallets = Set.copyOf(wallets.stream().map(w -> w.toLowerCase(Locale.ROOT)).toList());
        if (!hosts.contains(self)) {
            throw new IllegalArgumentException("this node " + self + " is not among the ranked hosts " + hosts);
        }
        if (replicationFactor < 1) {
            throw new IllegalArgumentException("replication factor " + replicationFactor + " is below 1");
        }
    }

    /** Every host but this one: the peers to ask for blobs. */
    public List<String> peers() {
        return hosts.stream().filter(h -> !h.equals(self)).toList();
    }

    /** Whether both views rank the same set of hosts (the order they are listed in does not matter). */
    public boolean sameHosts(NetworkView other) {
        return Set.copyOf(hosts).equals(Set.copyOf(other.hosts));
    }
}
