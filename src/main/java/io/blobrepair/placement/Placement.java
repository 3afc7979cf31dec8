package io.blobrepair.placement;

import java.util.List;

/**
 * Where a CID should live, as the reference network decides it: hosts in preference order and
 * this node's place among them.
 *
 * @param ranked       hosts in preference order: the upload's {@code placement_hosts} when they name
 *                     this node, else the rendezvous ranking of every host
 * @param rank         this node's 0-based rank in {@code ranked}, -1 when it is not in it
 * @param mine         whether this node should hold the blob (rank below R, placed here, store-all,
 *                     or a recent upload kept by store-recent)
 * @param placed       whether {@code placement_hosts} pinned the hosts (and named this node)
 * @param elsewhere    {@code placement_hosts} pinned hosts that do not include this node: the CID
 *                     is not this node's business at all, whatever the cycle or mode
 * @param heldForStoreAll mine only because the node stores everything (rendezvous rank at or
 *                     after R): on a node with an archive bucket, such blobs live there
 * @param unknownHosts placement hosts dropped because they are not hosts of the network
 */
public record Placement(List<String> ranked, int rank, boolean mine, boolean placed, boolean elsewhere,
                        boolean heldForStoreAll, int unknownHosts) {

    /** Pinned to other hosts: nothing to pull, nothing to delete. */
    public static Placement elsewhere(int unknownHosts) {
        return new Placement(List.of(), -1, false, true, true, false, unknownHosts);
    }

    /** The hosts ranked ahead of this node (all of them when it is not ranked). */
    public List<String> ahead() {
        return rank < 0 ? ranked : ranked.subList(0, rank);
    }
}
