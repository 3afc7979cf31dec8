package io.blobrepair.repair;

import java.time.Duration;

/**
 * Which copies a node keeps beyond its replica set: the over-replication rule and store-recent
 * retention ({@code repair.over-replication}, {@code repair.store-recent}, {@code repair.store-recent-ttl}).
 */
public record Retention(OverReplicationRule overReplication, boolean storeRecent, Duration storeRecentTtl) {

    /** #202's rule and no store-recent: the defaults. */
    public static final Retention DEFAULTS = new Retention(OverReplicationRule.SPILL_OVER, false,
            io.blobrepair.placement.StoreRecent.DEFAULT_TTL);
}
