package io.blobrepair.repair;

/**
 * What the per-CID rules know about the cycle as a whole, fixed when its presence index is set.
 *
 * @param cleanup           a cleanup cycle: the only kind that validates and deletes
 * @param storeAll          the node holds every blob (and deletes none as over-replicated)
 * @param threshold         the spill-over threshold T: with {@link OverReplicationRule#SPILL_OVER},
 *                          0-based ranks above it hold an over-replicated copy
 * @param overReplication   which copies count as over-replicated ({@code repair.over-replication})
 * @param deletionsAllowed  false when the cycle's view is partial (a listing that failed part-way)
 * @param headIsTrusted     HeadObject is the configured presence source ({@code repair.presence=head}),
 *                          so its answers (and ages) may ground a deletion
 * @param hostsChanged      the ranked host list changed since the previous cycle
 * @param startedAtMillis   ages are measured from the cycle's start: a blob only looks younger, never older
 */
public record CycleFacts(boolean cleanup, boolean storeAll, int replicationFactor, int threshold,
                         OverReplicationRule overReplication, boolean deletionsAllowed, boolean headIsTrusted,
                         boolean hostsChanged, long startedAtMillis) {
}
