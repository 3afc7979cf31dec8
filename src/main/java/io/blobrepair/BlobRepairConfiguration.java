package io.blobrepair;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import io.blobrepair.index.PresenceIndexBuilder;
import io.blobrepair.ops.ClusteredQuartz;
import io.blobrepair.ops.CycleSchedule;
import io.blobrepair.ops.RepairHealthCheck;
import io.blobrepair.ops.RepairLog;
import io.blobrepair.ops.RepairMetrics;
import io.blobrepair.ops.RepairService;
import io.blobrepair.ops.RepairSettings;
import io.blobrepair.peer.BlobWrites;
import io.blobrepair.peer.PeerApi;
import io.blobrepair.peer.PeerAuth;
import io.blobrepair.peer.PeerFilters;
import io.blobrepair.peer.PeerSignature;
import io.blobrepair.peer.PeerHealth;
import io.blobrepair.peer.PeerClient;
import io.blobrepair.placement.PlacementPolicy;
import io.blobrepair.repair.CidRepair;
import io.blobrepair.repair.CycleTracker;
import io.blobrepair.repair.KnownPresentCache;
import io.blobrepair.repair.PresenceSteps;
import io.blobrepair.repair.WorkListWalk;
import io.blobrepair.s3.S3Clients;
import io.blobrepair.s3.S3RequestCounter;
import io.blobrepair.work.LostBlobs;
import io.blobrepair.work.RunStore;
import io.blobrepair.work.Schema;
import io.blobrepair.work.WorkListStore;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import org.apache.camel.CamelConfiguration;
import org.apache.camel.CamelContext;
import org.apache.camel.Configuration;
import org.apache.camel.builder.ThreadPoolProfileBuilder;
import org.apache.camel.component.quartz.QuartzComponent;
import org.apache.camel.spi.ExecutorServiceManager;
import org.apache.camel.spi.PropertiesComponent;
import org.apache.camel.spi.Registry;
import org.apache.camel.support.service.ServiceSupport;
import software.amazon.awssdk.services.s3.S3Client;

import java.net.http.HttpClient;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.Set;
import java.util.concurrent.ExecutorService;

/**
 * Wires the service: reads and checks every {@code repair.*} option once (a bad value stops
 * startup with a message naming the key), then binds the beans the routes call by name.
 * A {@link Clock} bound as {@code clock} before startup replaces the system clock (tests).
 */
@Configuration
public class BlobRepairConfiguration implements CamelConfiguration {

    /** The thread-pool profile of the listing's partitions. */
    static final String LISTING_POOL_PROFILE = "presence-listing";

    /** Rows per work-list batch; the cursor is saved after each. */
    static final int WORK_BATCH_SIZE = 1000;

    @Override
    public void configure(CamelContext context) throws Exception {
        PropertiesComponent properties = context.getPropertiesComponent();
        RepairSettings settings = RepairSettings.from(properties::resolveProperty);
        properties.addOverrideProperty("repair.schedule.trigger",
                CycleSchedule.triggerOptions(settings.interval(), settings.cron(), settings.clusterEnabled()));
        properties.addOverrideProperty("repair.schedule.start-delay-ms", String.valueOf(settings.startupDelay().toMillis()));

        Registry registry = context.getRegistry();
        Clock clock = registry.lookupByNameAndType("clock", Clock.class);
        if (clock == null) {
            clock = Clock.systemUTC();
        }

        S3RequestCounter s3Requests = new S3RequestCounter();
        S3Client s3 = S3Clients.create(settings.s3(), s3Requests, settings.s3MaxAttempts(), settings.s3MaxRequestsPerSecond());
        HikariDataSource dataSource = dataSource(settings.db());
        context.addService(new Closer(s3, dataSource));
        if (settings.db().initSchema()) {
            Schema.init(dataSource, settings.clusterEnabled());
        }
        if (settings.clusterEnabled()) {
            context.getComponent("quartz", QuartzComponent.class).setProperties(ClusteredQuartz.properties(settings.db()));
        }

        HttpClient http = HttpClient.newBuilder()
                .connectTimeout(settings.pullConnectTimeout())
                .followRedirects(HttpClient.Redirect.NEVER) // only configured peers are ever contacted
                .build();
        KnownPresentCache knownPresent = new KnownPresentCache(settings.knownPresentMaxEntries());
        PlacementPolicy placement = new PlacementPolicy(settings.selfHost(), settings.allHosts(),
                settings.replicationFactor(), settings.storeAll());
        PeerAuth peerAuth = settings.peerAuth() == RepairSettings.PeerAuthMode.SIGNED
                ? PeerAuth.signed(PeerSignature.fromPrivateKeyHex(settings.nodeKey().orElseThrow()), Set.copyOf(settings.peerWallets()), clock)
                : PeerAuth.none();
        PeerClient peers = new PeerClient(settings.selfHost(), http, settings.pullReadTimeout(),
                Path.of(System.getProperty("java.io.tmpdir")), settings.pullMaxHosts(), peerAuth);
        RunStore runStore = new RunStore(dataSource);
        CycleTracker tracker = new CycleTracker(runStore, s3Requests, knownPresent, settings.cleanupEvery(),
                settings.abortRetryDelay(), clock);
        PresenceSteps presence = new PresenceSteps(new PresenceIndexBuilder(s3, settings.s3().bucket(), settings.archiveBucket(),
                clock, settings.listParallelism()), clock, settings.presence() == RepairSettings.PresenceMode.LISTING,
                settings.replicationFactor(), settings.capacityBytes(), context.createProducerTemplate());
        // camel-micrometer-prometheus serves the registry bound as "metricsRegistry": share it
        MeterRegistry meters = registry.lookupByNameAndType("metricsRegistry", MeterRegistry.class);
        if (meters == null) {
            meters = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
            registry.bind("metricsRegistry", meters);
        }

        registry.bind("repairSettings", settings);
        registry.bind("s3Client", s3);
        registry.bind("s3RequestCounter", s3Requests);
        registry.bind("dataSource", dataSource);
        registry.bind("runStore", runStore);
        registry.bind("knownPresentCache", knownPresent);
        PeerHealth peerHealth = new PeerHealth(settings.peers(), http, settings.pullConnectTimeout());
        registry.bind("peerHealth", peerHealth);
        registry.bind("cycleTracker", tracker);
        registry.bind("presenceSteps", presence);
        registry.bind("presenceListingPool", listingPool(context, settings.listParallelism()));
        registry.bind("workListWalk", new WorkListWalk(new WorkListStore(dataSource, WORK_BATCH_SIZE), tracker, clock));
        registry.bind("peerAuth", peerAuth);
        // a filter older than two repair intervals is stale: its node has not listed for a cycle
        PeerFilters peerFilters = new PeerFilters(settings.presenceFilterEnabled(), settings.peers(), http, peerAuth,
                settings.presenceFilterRefresh(), settings.interval().multipliedBy(2), settings.presenceFilterMaxBytes(),
                settings.pullReadTimeout(), clock);
        registry.bind("peerFilters", peerFilters);
        LostBlobs lostBlobs = new LostBlobs(dataSource);
        registry.bind("lostBlobs", lostBlobs);
        registry.bind("cidRepair", new CidRepair(placement, knownPresent, peers, peerFilters, lostBlobs,
                settings.interval().multipliedBy(settings.cleanupEvery()), settings.selfHost(), settings.storeAll(),
                settings.presence() == RepairSettings.PresenceMode.HEAD, settings.dryRun(),
                settings.maxDeleteFraction(), clock));
        registry.bind("blobWrites", new BlobWrites(knownPresent));
        registry.bind("peerApi", new PeerApi(settings.selfHost()));
        registry.bind("repairMetrics", new RepairMetrics(meters, s3Requests, knownPresent, presence, lostBlobs));
        RepairService service = new RepairService(context.createProducerTemplate(), tracker, presence, knownPresent,
                peerHealth, peerAuth);
        registry.bind("repairService", service);
        context.addService(service); // its @ManagedResource becomes the RepairService MBean
        registry.bind("repairHealthCheck", new RepairHealthCheck(runStore));
        registry.bind("repairLog", new RepairLog(runStore, lostBlobs));
    }

    /**
     * The threads that list the bucket's partitions (repair.list-parallelism of them), from the
     * thread-pool profile "presence-listing": one pool shared by the split of the first partitions
     * and the splits of the partitions split further, so no more requests are in flight than that.
     */
    public static ExecutorService listingPool(CamelContext context, int parallelism) {
        ExecutorServiceManager executors = context.getExecutorServiceManager();
        executors.registerThreadPoolProfile(new ThreadPoolProfileBuilder(LISTING_POOL_PROFILE)
                .poolSize(parallelism).maxPoolSize(parallelism).maxQueueSize(-1).build());
        return executors.newThreadPool(BlobRepairConfiguration.class, LISTING_POOL_PROFILE, LISTING_POOL_PROFILE);
    }

    private static HikariDataSource dataSource(RepairSettings.Db db) {
        HikariConfig config = new HikariConfig();
        config.setJdbcUrl(db.url());
        config.setUsername(db.user());
        config.setPassword(db.password());
        config.setPoolName("blob-repair");
        config.setMaximumPoolSize(4);
        // a database outage should fail a batch quickly, not hang the cycle
        config.setConnectionTimeout(Duration.ofSeconds(3).toMillis());
        config.setInitializationFailTimeout(-1);
        return new HikariDataSource(config);
    }

    /** Closes the S3 client and the connection pool when Camel stops. */
    private static final class Closer extends ServiceSupport {
        private final AutoCloseable[] resources;

        Closer(AutoCloseable... resources) {
            this.resources = resources;
        }

        @Override
        protected void doStop() throws Exception {
            for (AutoCloseable r : resources) {
                r.close();
            }
        }
    }
}
