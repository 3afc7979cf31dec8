package io.blobrepair;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import io.blobrepair.index.PresenceIndexBuilder;
import io.blobrepair.ops.CamelRepairEvents;
import io.blobrepair.ops.ClusteredQuartz;
import io.blobrepair.ops.InvalidSettingException;
import io.blobrepair.ops.CycleSchedule;
import io.blobrepair.ops.DatabaseReadiness;
import io.blobrepair.ops.OpsRoutes;
import io.blobrepair.ops.S3Reachability;
import io.blobrepair.ops.RepairHealthCheck;
import io.blobrepair.ops.RepairLog;
import io.blobrepair.ops.RepairMetrics;
import io.blobrepair.ops.RepairService;
import io.blobrepair.ops.RepairSettings;
import io.blobrepair.peer.BlobFetch;
import io.blobrepair.peer.BlobWrites;
import io.blobrepair.peer.PeerApi;
import io.blobrepair.peer.PeerAuth;
import io.blobrepair.peer.PeerFilters;
import io.blobrepair.peer.PeerSignature;
import io.blobrepair.peer.PeerHealth;
import io.blobrepair.peer.PeerClient;
import io.blobrepair.peer.StallGuard;
import io.blobrepair.peer.NodeFollower;
import io.blobrepair.peer.StagingArea;
import io.blobrepair.peer.StagingReserve;
import io.blobrepair.placement.NetworkView;
import io.blobrepair.index.KnownPresentCache;
import io.blobrepair.repair.BatchTriage;
import io.blobrepair.repair.BucketRelocation;
import io.blobrepair.repair.CidErrors;
import io.blobrepair.repair.ContentCheck;
import io.blobrepair.repair.CycleSetup;
import io.blobrepair.repair.CycleTracker;
import io.blobrepair.repair.DeletionGate;
import io.blobrepair.repair.FailedStep;
import io.blobrepair.repair.HolderCheck;
import io.blobrepair.repair.DataLossSteps;
import io.blobrepair.repair.PresenceLookup;
import io.blobrepair.repair.PresenceSteps;
import io.blobrepair.repair.PresenceStoreSteps;
import io.blobrepair.repair.PullSteps;
import io.blobrepair.repair.RepairEvents;
import io.blobrepair.repair.StagingSteps;
import io.blobrepair.repair.WorkListWalk;
import io.blobrepair.s3.Buckets;
import io.blobrepair.s3.MultipartUpload;
import io.blobrepair.s3.S3Clients;
import io.blobrepair.s3.S3RequestCounter;
import io.blobrepair.work.CidFailures;
import io.blobrepair.work.DataLossLedger;
import io.blobrepair.work.PresenceStore;
import io.blobrepair.work.ReferenceRepairTrackers;
import io.blobrepair.work.RunStore;
import io.blobrepair.work.WorkListStore;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import org.apache.camel.CamelConfiguration;
import org.apache.camel.CamelContext;
import org.apache.camel.Configuration;
import org.apache.camel.ExtendedStartupListener;
import org.apache.camel.builder.ThreadPoolProfileBuilder;
import org.apache.camel.component.quartz.QuartzComponent;
import org.apache.camel.spi.ExecutorServiceManager;
import org.apache.camel.spi.PropertiesComponent;
import org.apache.camel.spi.Registry;
import org.apache.camel.support.service.ServiceSupport;
import org.apache.camel.util.concurrent.ThreadPoolRejectedPolicy;
import org.quartz.Scheduler;
import org.quartz.SchedulerException;
import software.amazon.awssdk.services.s3.S3Client;

import java.net.http.HttpClient;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;

/**
 * Wires the service: reads and checks every {@code repair.*} option once (a bad value stops
 * startup with a message naming the key), then binds the beans the routes call by name.
 * A {@link Clock} bound as {@code clock} before startup replaces the system clock (tests).
 */
@Configuration
public class BlobRepairConfiguration implements CamelConfiguration {

    private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(BlobRepairConfiguration.class);

    /** The thread-pool profile of the listing's partitions. */
    static final String LISTING_POOL_PROFILE = "presence-listing";

    /** Rows per work-list batch; the cursor is saved after each. */
    static final int WORK_BATCH_SIZE = 1000;

    @Override
    public void configure(CamelContext context) throws Exception {
        PropertiesComponent properties = context.getPropertiesComponent();
        Function<String, Optional<String>> options = systemPropertiesFirst(properties);
        RepairSettings settings = RepairSettings.from(options);
        PLACEHOLDER_ONLY_OPTIONS.forEach(options::apply);
        if (properties instanceof org.apache.camel.component.properties.PropertiesComponent camelProperties) {
            // every option is pinned now: the environment only fills in what neither they nor the files hold
            camelProperties.setEnvironmentVariableMode(org.apache.camel.component.properties.PropertiesComponent.ENVIRONMENT_VARIABLES_MODE_FALLBACK);
        }
        properties.addOverrideProperty("repair.schedule.trigger",
                CycleSchedule.triggerOptions(settings.interval(), settings.cron(), settings.clusterEnabled()));

        // the per-CID handler names the step a CID failed at
        context.getCamelContextExtension().addInterceptStrategy(new FailedStep());

        Registry registry = context.getRegistry();
        Clock clock = registry.lookupByNameAndType("clock", Clock.class);
        if (clock == null) {
            clock = Clock.systemUTC();
        }

        S3RequestCounter s3Requests = new S3RequestCounter();
        S3Client s3 = S3Clients.create(settings.s3(), s3Requests, settings.s3MaxAttempts(), settings.s3MaxRequestsPerSecond());
        HikariDataSource dataSource = dataSource(settings.db());
        context.addService(new Closer(s3, dataSource));
        // neither a database nor an S3 that is down at start stops the service: cycles wait for them
        DatabaseReadiness database = new DatabaseReadiness(dataSource, settings.db().url(), settings.db().initSchema(),
                settings.clusterEnabled());
        database.checkAtStartup();
        S3Reachability s3Reachability = new S3Reachability(s3, settings.s3().bucket(), settings.s3().endpoint(), clock);
        s3Reachability.checkAtStartup();
        QuartzComponent quartz = context.getComponent("quartz", QuartzComponent.class);
        // the scheduler starts once the context has, after repair.startup-delay, on a Camel-managed
        // thread: Quartz's own delayed start outlives a context stopped within the delay and logs an error
        quartz.setAutoStartScheduler(false);
        ScheduledExecutorService schedulerStart = context.getExecutorServiceManager()
                .newSingleThreadScheduledExecutor(this, "repair-schedule-start");
        // a start still pending when the context stops is dropped, not awaited
        context.addService(new Closer(() -> context.getExecutorServiceManager().shutdownNow(schedulerStart)));
        context.addStartupListener(new ExtendedStartupListener() {
            @Override
            public void onCamelContextStarted(CamelContext started, boolean alreadyStarted) {
                // the routes may not be running yet
            }

            @Override
            public void onCamelContextFullyStarted(CamelContext started, boolean alreadyStarted) {
                schedulerStart.schedule(() -> startSchedule(quartz), settings.startupDelay().toMillis(), TimeUnit.MILLISECONDS);
            }
        });
        if (settings.clusterEnabled()) {
            quartz.setProperties(ClusteredQuartz.properties(settings.db()));
        }

        HttpClient http = HttpClient.newBuilder()
                .connectTimeout(settings.pullConnectTimeout())
                .followRedirects(HttpClient.Redirect.NEVER) // only configured peers are ever contacted
                .build();
        KnownPresentCache knownPresent = new KnownPresentCache(settings.knownPresentMaxEntries());
        Buckets buckets = new Buckets(settings.s3().bucket(), settings.archiveBucket());
        PeerAuth peerAuth = settings.peerAuth() == RepairSettings.PeerAuthMode.SIGNED
                ? PeerAuth.signed(PeerSignature.fromPrivateKeyHex(settings.nodeKey().orElseThrow()), Set.copyOf(settings.peerWallets()), clock)
                : PeerAuth.none();
        // the network: the co-located node's (repair.node-url) merged with what is set, else what is set
        NodeFollower follower = new NodeFollower(settings.nodeUrl(), configuredNetwork(settings), http,
                settings.pullConnectTimeout(), view -> peerAuth.allowWallets(view.wallets()));
        NetworkView network = followNode(follower, settings);
        peerAuth.allowWallets(network.wallets());
        if (settings.peerAuth() == RepairSettings.PeerAuthMode.SIGNED && network.wallets().isEmpty()) {
            LOG.warn("repair.peer-auth=signed and no peer wallet is known (repair.peer-wallets unset, the node at {} lists"
                    + " none): every request to /internal/blobs* is refused (401)", settings.nodeUrl().orElse("?"));
        }
        RepairSettings.PullTransfer transfer = settings.pullTransfer();
        StagingArea staging = new StagingArea(transfer.stagingDir(), new StagingReserve(transfer.stagingReserve()));
        // before any pull: what a process stopped mid-pull left behind
        staging.removeLeftovers();
        PeerClient peers = new PeerClient(network.self(), http, settings.pullReadTimeout(),
                new BlobFetch(http, peerAuth, settings.pullReadTimeout(), transfer.rangeSize(), staging, new StallGuard(
                        context.getExecutorServiceManager().newSingleThreadScheduledExecutor(this, "peer-stall-guard"))),
                settings.pullPerHost(), peerAuth);
        RunStore runStore = new RunStore(dataSource);
        CycleTracker tracker = new CycleTracker(runStore, s3Requests, knownPresent, settings.cleanupEvery(),
                settings.abortRetryDelay(), clock);
        DataLossLedger dataLoss = new DataLossLedger(dataSource);
        List<String> nodeBuckets = new ArrayList<>(List.of(settings.s3().bucket()));
        settings.archiveBucket().ifPresent(nodeBuckets::add);
        PresenceStore presenceStore = new PresenceStore(dataSource,
                settings.presenceSource() == RepairSettings.PresenceSource.STORE, nodeBuckets, clock);
        PresenceSteps presence = new PresenceSteps(new PresenceIndexBuilder(s3, settings.s3().bucket(), settings.archiveBucket(),
                clock, settings.listParallelism()), presenceStore, clock, settings.presence() == RepairSettings.PresenceMode.LISTING,
                context.createProducerTemplate());
        // camel-micrometer-prometheus serves the registry bound as "metricsRegistry": share it
        MeterRegistry meters = registry.lookupByNameAndType("metricsRegistry", MeterRegistry.class);
        if (meters == null) {
            meters = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
            registry.bind("metricsRegistry", meters);
        }

        RepairMetrics metrics = new RepairMetrics(meters, s3Requests, knownPresent, presence, presenceStore, dataLoss, tracker,
                settings.interval());
        CamelRepairEvents events = new CamelRepairEvents(context, settings.eventsUri().orElse(null), tracker, metrics, clock);
        context.addService(events);

        registry.bind("repairSettings", settings);
        registry.bind("databaseReadiness", database);
        registry.bind("s3Reachability", s3Reachability);
        registry.bind("repairEvents", events);
        registry.bind("s3Client", s3);
        registry.bind("s3RequestCounter", s3Requests);
        registry.bind("dataSource", dataSource);
        registry.bind("runStore", runStore);
        registry.bind("referenceRepairTrackers", new ReferenceRepairTrackers(dataSource, runStore, settings.cleanupEvery()));
        registry.bind("knownPresentCache", knownPresent);
        PeerHealth peerHealth = new PeerHealth(http, settings.pullConnectTimeout(), Set.copyOf(settings.storeAllPeers()));
        registry.bind("peerHealth", peerHealth);
        registry.bind("cycleTracker", tracker);
        registry.bind("presenceSteps", presence);
        registry.bind("presenceStore", presenceStore);
        registry.bind("presenceStoreSteps", new PresenceStoreSteps(presenceStore, s3, new SplittableRandom()));
        registry.bind("presenceListingPool", listingPool(context, settings.listParallelism()));
        registry.bind("workListWalk", new WorkListWalk(new WorkListStore(dataSource, WORK_BATCH_SIZE), tracker, clock));
        registry.bind("peerAuth", peerAuth);
        registry.bind("nodeFollower", follower);
        // a filter older than two repair intervals is stale: its node has not listed for a cycle
        PeerFilters peerFilters = new PeerFilters(settings.presenceFilterEnabled(), http, peerAuth,
                settings.presenceFilterRefresh(), settings.interval().multipliedBy(2), settings.presenceFilterMaxBytes(),
                settings.pullReadTimeout(), clock);
        registry.bind("peerFilters", peerFilters);
        registry.bind("dataLossLedger", dataLoss);
        // a CID that keeps failing waits one cleanup period
        Duration cleanupPeriod = settings.interval().multipliedBy(settings.cleanupEvery());
        CidFailures cidFailures = new CidFailures(dataSource);
        registry.bind("cycleSetup", new CycleSetup(follower, runStore, settings.retention(), peerHealth, cidFailures,
                settings.cidFailureMaxCycles(), cleanupPeriod, dataLoss, settings.dataLoss(), events, clock));
        registry.bind("batchTriage", new BatchTriage(knownPresent, buckets, clock));
        registry.bind("presenceLookup", new PresenceLookup(knownPresent));
        registry.bind("contentCheck", new ContentCheck());
        registry.bind("holderCheck", new HolderCheck(peers));
        registry.bind("deletionGate", new DeletionGate(settings.dryRun(), settings.maxDeleteFraction(), knownPresent, presenceStore,
                events, clock));
        registry.bind("bucketRelocation", new BucketRelocation(knownPresent, presenceStore));
        registry.bind("pullSteps", new PullSteps(settings.dryRun(), knownPresent, presenceStore, peers, peerFilters, peerHealth,
                settings.pullMaxHosts()));
        registry.bind("stagingSteps", new StagingSteps(peers, staging));
        registry.bind("multipartUpload", new MultipartUpload(s3, transfer.partSize()));
        registry.bind("dataLossSteps", new DataLossSteps(dataLoss, settings.dataLoss(), peerHealth, events, clock));
        registry.bind("cidErrors", new CidErrors(cidFailures, clock));
        registry.bind("blobWrites", new BlobWrites(knownPresent, presenceStore, buckets, follower::current));
        registry.bind("peerApi", new PeerApi(network.self(), network.storeAll(), settings.archiveBucket()));
        registry.bind("repairMetrics", metrics);
        RepairService service = new RepairService(context.createProducerTemplate(), tracker, presence, knownPresent,
                peerHealth, peerAuth);
        registry.bind("repairService", service);
        context.addService(service); // its @ManagedResource becomes the RepairService MBean
        registry.bind("databaseHealthCheck", new RepairHealthCheck.Database(database));
        registry.bind("s3HealthCheck", new RepairHealthCheck.S3(s3Reachability));
        registry.bind("cyclesHealthCheck", new RepairHealthCheck.Cycles(runStore, tracker, presence, clock));
        registry.bind("repairLog", new RepairLog(runStore, dataLoss, clock));
        settings.routesDir().ifPresent(dir -> OpsRoutes.load(context, dir));
    }

    /** Options only Camel's own settings refer to (camel.server.*, camel.management.*). */
    private static final List<String> PLACEHOLDER_ONLY_OPTIONS = List.of("repair.http.host", "repair.http.port",
            "repair.management.host", "repair.management.port");

    /**
     * {@code repair.*} options by precedence, highest first: {@code -D} system properties, the
     * environment, the configuration file, the defaults. Camel itself looks a placeholder up in
     * the environment before the system properties, so each option is resolved here once and
     * pinned as an override for the placeholders the routes resolve later.
     */
    private static Function<String, Optional<String>> systemPropertiesFirst(PropertiesComponent properties) {
        return key -> {
            Optional<String> value = Optional.ofNullable(System.getProperty(key)).or(() -> properties.resolveProperty(key));
            value.ifPresent(v -> properties.addOverrideProperty(key, v));
            return value;
        };
    }

    /** The network as configured, and which of it the operator set (that wins over the node's word). */
    private static NodeFollower.Configured configuredNetwork(RepairSettings settings) {
        Set<String> set = settings.explicitKeys();
        return new NodeFollower.Configured(settings.selfHost(), set.contains("repair.self-host"),
                settings.peers(), set.contains("repair.peers"),
                settings.replicationFactor(), set.contains("repair.replication-factor"),
                settings.storeAll(), set.contains("repair.store-all"),
                Set.copyOf(settings.peerWallets()), set.contains("repair.peer-wallets"), settings.capacityBytes());
    }

    /** The first view; a node that cannot be followed stops startup with one line naming repair.node-url. */
    private static NetworkView followNode(NodeFollower follower, RepairSettings settings) {
        try {
            return follower.start();
        } catch (NodeFollower.NodeAnswerException e) {
            throw new InvalidSettingException("repair.node-url", settings.nodeUrl().orElse(""),
                    "the URL of a running reference node whose /health_check and /internal/blobs/location answer as the"
                            + " reference's do (" + e.getMessage() + ")");
        }
    }

    /**
     * The threads that list the bucket's partitions (repair.list-parallelism of them), from the
     * thread-pool profile "presence-listing": one pool shared by the split of the first partitions
     * and the splits of the partitions split further, so no more requests are in flight than that.
     * Its queue is unbounded: Camel turns a queue size <= 0 into a hand-over queue whose overflow
     * runs on the submitting thread, one listing more than the setting allows.
     */
    public static ExecutorService listingPool(CamelContext context, int parallelism) {
        ExecutorServiceManager executors = context.getExecutorServiceManager();
        executors.registerThreadPoolProfile(new ThreadPoolProfileBuilder(LISTING_POOL_PROFILE)
                .poolSize(parallelism).maxPoolSize(parallelism).maxQueueSize(Integer.MAX_VALUE)
                .rejectedPolicy(ThreadPoolRejectedPolicy.Abort).build());
        return executors.newThreadPool(BlobRepairConfiguration.class, LISTING_POOL_PROFILE, LISTING_POOL_PROFILE);
    }

    private static void startSchedule(QuartzComponent quartz) {
        try {
            Scheduler scheduler = quartz.getScheduler();
            if (!scheduler.isShutdown()) {
                scheduler.start();
            }
        } catch (SchedulerException e) {
            LOG.warn("the repair schedule did not start: {}", e.getMessage());
        }
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
