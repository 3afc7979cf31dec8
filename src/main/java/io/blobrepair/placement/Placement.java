package io.blobrepair.placement;

import java.util.List;

/**
 * Where a CID should live: hosts in the order to try them, and whether this node is one of them.
 *
 * @param ranked hosts in preference order (placement hosts as given, else rendezvous order)
 * @param mine   whether this node should hold the blob
 * @param placed whether the upload pinned its hosts ({@code placement_hosts})
 * @param position this node's 1-based position in {@code ranked}, 0 when it is not in it
 * @param unknownHosts placement hosts dropped because they are not configured hosts
 */
public record Placement(List<String> ranked, boolean mine, boolean placed, int position, int unknownHosts) {

    /** The hosts ranked ahead of this node (all of them when it is not ranked). */
    public List<String> ahead() {
        return position == 0 ? ranked : ranked.subList(0, position - 1);
    }
}
