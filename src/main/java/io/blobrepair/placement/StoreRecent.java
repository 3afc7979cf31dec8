package io.blobrepair.placement;

import java.time.Duration;
import java.time.Instant;

/**
 * Store-recent retention ({@code repair.store-recent}, {@code repair.store-recent-ttl}): an upload
 * created within the TTL is this node's to hold whatever its rank, so it is pulled when missing
 * and never deleted as over-replicated. Never in store-all mode (which already keeps everything),
 * never for a row without a creation time. The boundary is inclusive, as the reference's.
 *
 * @param enabled  the option is on and the node is not in store-all mode
 * @param cutoff   uploads created at or after it are kept: the cycle's start minus the TTL
 */
public record StoreRecent(boolean enabled, Instant cutoff) {

    /** The reference's default TTL: one year. */
    public static final Duration DEFAULT_TTL = Duration.ofDays(365);

    public static StoreRecent off() {
        return new StoreRecent(false, Instant.MAX);
    }

    /** The policy of one cycle: "now" is fixed at the cycle's start. */
    public static StoreRecent forCycle(boolean enabled, Duration ttl, boolean storeAll, Instant cycleStart) {
        return enabled && !storeAll ? new StoreRecent(true, cycleStart.minus(ttl)) : off();
    }

    /** Whether an upload created at {@code createdAt} (null: unknown) is kept as recent. */
    public boolean retains(Instant createdAt) {
        return enabled && createdAt != null && !createdAt.isBefore(cutoff);
    }
}
