package io.blobrepair.repair;

/**
 * Which copies a cleanup cycle counts as over-replicated ({@code repair.over-replication}): the
 * two rules the reference network has had.
 */
public enum OverReplicationRule {
    /**
     * #202 (the default): 0-based rank above the spill-over threshold T, which grows with free
     * disk (R, R+2, 2R or 3R). It never deletes a copy either rule counts on, since T is at least R.
     */
    SPILL_OVER,
    /** Newer reference versions: 0-based rank at or after R, outside the replica set; disk figures ignored. */
    REPLICA_SET;

    /** Whether a copy at {@code rank} lies beyond what this rule keeps. */
    public boolean beyond(int rank, int replicationFactor, int threshold) {
        return switch (this) {
            case SPILL_OVER -> rank > threshold;
            case REPLICA_SET -> rank >= replicationFactor;
        };
    }
}
