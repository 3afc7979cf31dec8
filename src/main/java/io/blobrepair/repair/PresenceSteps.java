package io.blobrepair.repair;

import io.blobrepair.index.PresenceIndex;
import io.blobrepair.index.ListingFailedException;
import io.blobrepair.index.PresenceFilter;
import io.blobrepair.index.PresenceIndexBuilder;
import io.blobrepair.peer.PeerFilters;
import org.apache.camel.Exchange;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.OptionalLong;

/**
 * The cycle route's presence steps: build the index from one listing, or, when the listing
 * fails or is switched off ({@code repair.presence=head}), an unavailable index that sends
 * every presence check to per-key HeadObject.
 */
public class PresenceSteps {

    private static final Logger LOG = LoggerFactory.getLogger(PresenceSteps.class);

    private final PresenceIndexBuilder builder;
    private final Clock clock;
    private final boolean listing;
    private volatile PresenceIndex latest;
    private volatile PresenceFilter servedFilter;
    private volatile Duration latestBuildTime = Duration.ZERO;

    public PresenceSteps(PresenceIndexBuilder builder, Clock clock, boolean listing) {
        this.builder = builder;
        this.clock = clock;
        this.listing = listing;
    }

    /** False with {@code repair.presence=head} (credentials without s3:ListBucket). */
    public boolean listingEnabled() {
        return listing;
    }

    public PresenceIndex build(Exchange exchange) {
        CycleState cycle = exchange.getProperty(RepairExchange.CYCLE, CycleState.class);
        Instant started = clock.instant();
        cycle.getProgress().enter("listing", builder.expectedEntries(), started);
        PresenceIndex index = builder.build(cycle.getProgress()::advance);
        latestBuildTime = Duration.between(started, clock.instant());
        cycle.getCounters().add(RepairCounter.PRESENCE_INDEX_ENTRIES, index.entries());
        cycle.setHeldAtStart(index.entries());
        cycle.presenceKnown(OptionalLong.of(index.totalBytes()), true, false);
        LOG.info("cycle {}: presence index of {} keys built in {} ms", cycle.getCycle(), index.entries(), latestBuildTime.toMillis());
        latest = index;
        index.filter().ifPresent(f -> servedFilter = f);
        return index;
    }

    /** {@code GET /internal/presence-filter}: the filter of the last complete listing, or 404 before one. */
    public void serveFilter(Exchange exchange) {
        PresenceFilter filter = servedFilter;
        org.apache.camel.Message message = exchange.getMessage();
        message.removeHeaders("*");
        if (filter == null) {
            message.setHeader(Exchange.HTTP_RESPONSE_CODE, 404);
            message.setHeader(Exchange.CONTENT_TYPE, "application/json");
            message.setBody("{\"error\":\"no complete listing yet\"}");
            return;
        }
        message.setHeader(Exchange.CONTENT_TYPE, "application/octet-stream");
        message.setHeader(PeerFilters.BUILT_AT_HEADER, filter.builtAt().toEpochMilli());
        message.setBody(filter.toBytes());
    }

    /**
     * The listing failed: count it and say so once. What was listed before the failure is kept
     * and trusted for the keys it covers; every other key is checked with HeadObject.
     */
    public PresenceIndex listingFailed(Exchange exchange) {
        CycleState cycle = exchange.getProperty(RepairExchange.CYCLE, CycleState.class);
        Exception cause = exchange.getProperty(Exchange.EXCEPTION_CAUGHT, Exception.class);
        cycle.getCounters().increment(RepairCounter.PRESENCE_INDEX_BUILD_FAIL);
        Throwable root = cause instanceof ListingFailedException && cause.getCause() != null ? cause.getCause() : cause;
        String reason = root == null ? "unknown" : root.getClass().getSimpleName() + ": " + root.getMessage();
        if (cause instanceof ListingFailedException failed && failed.partial().available()) {
            PresenceIndex partial = failed.partial();
            cycle.getCounters().increment(RepairCounter.PRESENCE_INDEX_PARTIAL);
            cycle.getCounters().add(RepairCounter.PRESENCE_INDEX_ENTRIES, partial.entries());
            cycle.setHeldAtStart(partial.entries());
            // a partial view: the bucket's size is unknown, and nothing is deleted
            cycle.presenceKnown(OptionalLong.empty(), false, false);
            LOG.warn("cycle {}: listing the bucket failed part-way ({}); the {} keys listed are trusted where the listing"
                    + " got to, other keys are checked with HeadObject", cycle.getCycle(), reason, partial.entries());
            latest = partial;
            return partial;
        }
        LOG.warn("cycle {}: listing the bucket failed ({}); this cycle checks presence with HeadObject per key", cycle.getCycle(), reason);
        return withoutListing(cycle, false);
    }

    /** {@code repair.presence=head}: no listing at all. */
    public PresenceIndex headOnly(Exchange exchange) {
        return withoutListing(exchange.getProperty(RepairExchange.CYCLE, CycleState.class), true);
    }

    /**
     * Without a listing the bucket's size is unknown. HeadObject as
     * the configured source is a complete view; as the fallback of a failed listing it is not.
     */
    private PresenceIndex withoutListing(CycleState cycle, boolean headIsTheSource) {
        cycle.presenceKnown(OptionalLong.empty(), headIsTheSource, headIsTheSource);
        latest = PresenceIndex.unavailable(clock.instant());
        return latest;
    }

    /** Lists the bucket now, outside a cycle (JMX): the next cycle still lists for itself. */
    public synchronized String rebuild() {
        Instant started = clock.instant();
        try {
            latest = builder.build(keys -> { });
            latest.filter().ifPresent(f -> servedFilter = f);
        } catch (ListingFailedException e) {
            latest = e.partial();
            return "listing failed part-way (" + e.getMessage() + "): " + latest.entries() + " keys listed";
        }
        latestBuildTime = Duration.between(started, clock.instant());
        return "presence index rebuilt: " + latest.entries() + " keys in " + latestBuildTime.toMillis() + " ms";
    }

    public PresenceIndex latest() {
        return latest;
    }

    public Duration latestBuildTime() {
        return latestBuildTime;
    }
}
