package io.blobrepair.placement;

import java.util.OptionalLong;

/**
 * How many copies a cleanup cycle tolerates before a node deletes its own: a node whose 0-based
 * rank is above the threshold holds an over-replicated copy (the reference's {@code myRank > T}).
 * The more free space the node has, the more copies it keeps.
 *
 * <ul>
 *   <li>R + 2 by default (no {@code repair.capacity-bytes}, or between 5% and 20% free);</li>
 *   <li>R when the node is full (less than 5% free);</li>
 *   <li>2R when more than 20% is free; 3R when more than 40% is free.</li>
 * </ul>
 */
public final class OverReplicationThreshold {

    /** Below this free fraction a node counts as full. */
    static final double FULL_BELOW = 0.05;

    private OverReplicationThreshold() {
    }

    /** The threshold; R + 2 when either figure is unknown. */
    public static int of(int replicationFactor, OptionalLong capacityBytes, OptionalLong usedBytes) {
        if (capacityBytes.isEmpty() || capacityBytes.getAsLong() <= 0 || usedBytes.isEmpty()) {
            return replicationFactor + 2;
        }
        double free = (capacityBytes.getAsLong() - (double) usedBytes.getAsLong()) / capacityBytes.getAsLong();
        if (free < FULL_BELOW) {
            return replicationFactor;
        }
        if (free > 0.40) {
            return 3 * replicationFactor;
        }
        if (free > 0.20) {
            return 2 * replicationFactor;
        }
        return replicationFactor + 2;
    }
}
