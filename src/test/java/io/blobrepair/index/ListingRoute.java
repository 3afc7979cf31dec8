package io.blobrepair.index;

import io.blobrepair.BlobRepairConfiguration;
import io.blobrepair.repair.RepairExchange;
import io.blobrepair.repair.PresenceSteps;
import io.blobrepair.work.PresenceStore;
import org.apache.camel.Exchange;
import org.apache.camel.impl.DefaultCamelContext;
import org.apache.camel.support.DefaultExchange;
import org.apache.camel.support.PluginHelper;
import org.apache.camel.support.ResourceHelper;

import java.time.Clock;

/**
 * The service's listing — the {@code presence-index} route of 15-presence-index.camel.yaml, its
 * thread-pool and {@link PresenceSteps} — in a Camel context of its own, over one
 * {@link PresenceIndexBuilder}: for tests and benchmarks of the listing without a database.
 */
public final class ListingRoute implements AutoCloseable {

    private final DefaultCamelContext context;

    private ListingRoute(DefaultCamelContext context) {
        this.context = context;
    }

    public static ListingRoute start(PresenceIndexBuilder builder, int parallelism) throws Exception {
        DefaultCamelContext context = new DefaultCamelContext();
        context.getRegistry().bind("presenceSteps", new PresenceSteps(builder,
                new PresenceStore(null, false, java.util.List.of(), Clock.systemUTC()), Clock.systemUTC(), true,
                context.createProducerTemplate()));
        context.getRegistry().bind("presenceListingPool", BlobRepairConfiguration.listingPool(context, parallelism));
        var loader = PluginHelper.getRoutesLoader(context);
        loader.loadRoutes(ResourceHelper.resolveMandatoryResource(context, "classpath:routes/00-error-handling.camel.yaml"));
        loader.loadRoutes(ResourceHelper.resolveMandatoryResource(context, "classpath:routes/15-presence-index.camel.yaml"));
        context.start();
        return new ListingRoute(context);
    }

    /**
     * Lists the bucket once through the route.
     *
     * @throws ListingFailedException as the route throws it when a page failed
     */
    public PresenceIndex build() {
        Exchange exchange = context.createProducerTemplate().send("direct:presence-index", new DefaultExchange(context));
        Exception failure = exchange.getException();
        if (failure instanceof ListingFailedException failed) {
            throw failed;
        }
        if (failure != null) {
            throw new IllegalStateException("the presence-index route failed", failure);
        }
        return exchange.getProperty(RepairExchange.INDEX, PresenceIndex.class);
    }

    public DefaultCamelContext context() {
        return context;
    }

    @Override
    public void close() {
        context.stop();
    }
}
