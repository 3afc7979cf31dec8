package io.blobrepair.repair;

import io.blobrepair.index.BucketListing;
import io.blobrepair.index.ListingFailedException;
import io.blobrepair.index.ListingPartition;
import io.blobrepair.index.ListingStats;
import io.blobrepair.index.PresenceFilter;
import io.blobrepair.index.PresenceIndex;
import io.blobrepair.index.PresenceIndexBuilder;
import io.blobrepair.peer.PeerFilters;
import io.blobrepair.work.PresenceStore;
import org.apache.camel.Exchange;
import org.apache.camel.ProducerTemplate;
import org.apache.camel.support.DefaultExchange;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import software.amazon.awssdk.services.s3.model.ListObjectsV2Response;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.OptionalLong;

/**
 * The presence steps of the routes: the listing of the bucket into the index (route
 * {@code presence-index}: plan, list a partition's pages, add each, finish), what the cycle does
 * with the index it got, and, when the listing fails or is switched off ({@code repair.presence=head}),
 * an unavailable index that sends every presence check to per-key HeadObject.
 */
public class PresenceSteps {

    /** Exchange property: the {@link BucketListing} in progress. */
    public static final String LISTING = "presenceListing";
    /** Exchange property: the {@link ListingPartition} a {@code list-partition} exchange lists. */
    public static final String PARTITION = "listingPartition";
    private static final String PRESENCE_INDEX_ROUTE = "direct:presence-index";
    private static final Logger LOG = LoggerFactory.getLogger(PresenceSteps.class);

    private final PresenceIndexBuilder builder;
    private final PresenceStore store;
    private final Clock clock;
    private final boolean listing;
    private final ProducerTemplate routes;
    private volatile PresenceIndex latest;
    private volatile PresenceFilter servedFilter;
    private volatile Duration latestBuildTime = Duration.ZERO;

    /** {@code routes} runs the {@code presence-index} route for {@link #rebuild()}. */
    public PresenceSteps(PresenceIndexBuilder builder, PresenceStore store, Clock clock, boolean listing, ProducerTemplate routes) {
        this.builder = builder;
        this.store = store;
        this.clock = clock;
        this.listing = listing;
        this.routes = routes;
    }

    /** False with {@code repair.presence=head} (credentials without s3:ListBucket). */
    public boolean listingEnabled() {
        return listing;
    }

    // --- the presence-index route ---------------------------------------------------------------

    /**
     * A new listing, reporting its progress to the cycle (when there is one: not for a JMX rebuild),
     * its pages captured into the presence store when that is on.
     */
    public BucketListing beginListing(Exchange exchange) {
        CycleState cycle = exchange.getProperty(RepairExchange.CYCLE, CycleState.class);
        if (cycle == null) {
            return builder.begin(keys -> { }, store.beginCapture());
        }
        cycle.getProgress().enter("listing", builder.expectedEntries(), clock.instant());
        return builder.begin(cycle.getProgress()::advance, store.beginCapture());
    }

    /**
     * The listing's first partitions, for the route's split. Asked here, not of the listing in the
     * route: Camel's bean component would cache what it learns of each cycle's listing per
     * instance (its pageFailed takes an Exception it would bind), one entry a cycle, up to 1000.
     */
    public List<ListingPartition> roots(Exchange exchange) {
        return listing(exchange).roots();
    }

    /** One ListObjectsV2 request: the partition's next page. */
    public ListObjectsV2Response listPage(Exchange exchange) {
        return listing(exchange).listPage(partition(exchange));
    }

    public void addPage(Exchange exchange) {
        listing(exchange).addPage(partition(exchange), exchange.getMessage().getBody(ListObjectsV2Response.class));
    }

    public void pageFailed(Exchange exchange) {
        Exception cause = exchange.getProperty(Exchange.EXCEPTION_CAUGHT, Exception.class);
        listing(exchange).pageFailed(partition(exchange), cause != null ? cause : new IllegalStateException("page failed"));
    }

    /**
     * The finished index; throws {@link ListingFailedException} (with what was listed) when a page
     * failed. A complete listing replaces the presence store's keys; a partial one leaves them,
     * marked as not from a complete listing.
     */
    public PresenceIndex finishListing(Exchange exchange) {
        BucketListing listing = listing(exchange);
        exchange.removeProperty(LISTING);
        PresenceIndex index;
        try {
            index = listing.finish();
        } catch (ListingFailedException failed) {
            listing.capture().abandon();
            throw failed;
        } finally {
            latestBuildTime = Duration.between(listing.startedAt(), clock.instant());
        }
        try {
            listing.capture().complete();
        } catch (RuntimeException e) {
            // the index is whole all the same: only the store waits for the next listing
            CycleState cycle = exchange.getProperty(RepairExchange.CYCLE, CycleState.class);
            String why = CycleLog.describe(e.getCause() != null ? e.getCause() : e);
            if (cycle != null) {
                CycleLog.count(cycle, RepairCounter.PRESENCE_STORE_FAIL, "the presence store did not take the listing,"
                        + " it is not used before the next complete one: {}", why);
            } else {
                LOG.warn("the presence store did not take the listing, it is not used before the next complete one: {}", why);
            }
        }
        return index;
    }

    private static BucketListing listing(Exchange exchange) {
        return exchange.getProperty(LISTING, BucketListing.class);
    }

    private static ListingPartition partition(Exchange exchange) {
        return exchange.getProperty(PARTITION, ListingPartition.class);
    }

    // --- the cycle ------------------------------------------------------------------------------

    /** The listing succeeded: the index of the whole bucket is the cycle's. */
    public void indexBuilt(Exchange exchange) {
        CycleState cycle = exchange.getProperty(RepairExchange.CYCLE, CycleState.class);
        PresenceIndex index = exchange.getProperty(RepairExchange.INDEX, PresenceIndex.class);
        cycle.getCounters().add(RepairCounter.PRESENCE_INDEX_ENTRIES, index.entries());
        cycle.setHeldAtStart(index.entries());
        cycle.presenceKnown(OptionalLong.of(index.totalBytes()), true, false);
        cycle.trackHandledKeysIn(index);
        ListingStats stats = index.stats();
        LOG.info("cycle {}: presence index of {} keys built in {} ms ({} list requests, {} partitions, {} split; sealed in {} ms)",
                cycle.getCycle(), index.entries(), latestBuildTime.toMillis(), stats.requests(), stats.partitions(), stats.splits(),
                stats.sealMillis());
        latest = index;
        index.filter().ifPresent(f -> servedFilter = f);
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
        BucketListing unfinished = listing(exchange);
        if (unfinished != null) {
            // the listing failed before its end was reached: what it captured is not kept either
            exchange.removeProperty(LISTING);
            unfinished.capture().abandon();
        }
        cycle.getCounters().increment(RepairCounter.PRESENCE_INDEX_BUILD_FAIL);
        ListingFailedException failed = listingFailure(cause);
        Throwable root = failed != null && failed.getCause() != null ? failed.getCause() : cause;
        String reason = root == null ? "unknown" : root.getClass().getSimpleName() + ": " + root.getMessage();
        if (failed != null && failed.partial().available()) {
            PresenceIndex partial = failed.partial();
            cycle.getCounters().increment(RepairCounter.PRESENCE_INDEX_PARTIAL);
            cycle.getCounters().add(RepairCounter.PRESENCE_INDEX_ENTRIES, partial.entries());
            cycle.setHeldAtStart(partial.entries());
            // a partial view: the bucket's size is unknown, and nothing is deleted
            cycle.presenceKnown(OptionalLong.empty(), false, false);
            cycle.trackHandledKeysIn(partial);
            LOG.warn("cycle {}: listing the bucket failed part-way ({}); the {} keys listed are trusted where the listing"
                    + " got to, other keys are checked with HeadObject", cycle.getCycle(), reason, partial.entries());
            latest = partial;
            return partial;
        }
        LOG.warn("cycle {}: listing the bucket failed ({}); this cycle checks presence with HeadObject per key", cycle.getCycle(), reason);
        return withoutListing(cycle, false);
    }

    /** The {@link ListingFailedException} among {@code cause} and its causes (Camel may wrap it), or null. */
    private static ListingFailedException listingFailure(Throwable cause) {
        for (Throwable t = cause; t != null; t = t.getCause()) {
            if (t instanceof ListingFailedException failed) {
                return failed;
            }
        }
        return null;
    }

    /** {@code repair.presence=head}: no listing at all. */
    public PresenceIndex headOnly(Exchange exchange) {
        return withoutListing(exchange.getProperty(RepairExchange.CYCLE, CycleState.class), true);
    }

    /**
     * Without a listing the bucket's size is unknown. HeadObject as the configured source is a
     * complete view; as the fallback of a failed listing it is not.
     */
    private PresenceIndex withoutListing(CycleState cycle, boolean headIsTheSource) {
        cycle.presenceKnown(OptionalLong.empty(), headIsTheSource, headIsTheSource);
        latest = PresenceIndex.unavailable(clock.instant());
        cycle.trackHandledKeysIn(latest);
        return latest;
    }

    /** Lists the bucket now, outside a cycle (JMX), through the presence-index route: the next cycle still lists for itself. */
    public synchronized String rebuild() {
        Exchange exchange = routes.send(PRESENCE_INDEX_ROUTE, new DefaultExchange(routes.getCamelContext()));
        Exception failure = exchange.getException();
        ListingFailedException failed = listingFailure(failure);
        if (failed != null) {
            latest = failed.partial();
            return "listing failed part-way (" + failed.getMessage() + "): " + latest.entries() + " keys listed";
        }
        if (failure != null) {
            return "listing failed: " + failure.getMessage();
        }
        latest = exchange.getProperty(RepairExchange.INDEX, PresenceIndex.class);
        latest.filter().ifPresent(f -> servedFilter = f);
        return "presence index rebuilt: " + latest.entries() + " keys in " + latestBuildTime.toMillis() + " ms";
    }

    public PresenceIndex latest() {
        return latest;
    }

    public Duration latestBuildTime() {
        return latestBuildTime;
    }
}
