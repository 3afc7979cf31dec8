package io.blobrepair.placement;

import java.util.List;

/**
 * Where a CID should live: hosts in the order to try them, and whether this node is one of them.
 *
 * @param ranked hosts in preference order (placement hosts as given, else rendezvous order)
 * @param mine   whether this node should hold the blob
 * @param placed whether the upload pinned its hosts ({@code placement_hosts})
 */
public record Placement(List<String> ranked, boolean mine, boolean placed) {
}
