package io.blobrepair.faults;

import io.blobrepair.BlobRepairConfiguration;
import io.blobrepair.ops.RepairService;
import io.blobrepair.placement.RendezvousRanking;
import io.blobrepair.repair.CidDecision;
import io.blobrepair.repair.CycleReport;
import io.blobrepair.repair.RepairExchange;
import io.blobrepair.testing.Blob;
import io.blobrepair.testing.MutableClock;
import io.blobrepair.testing.TestDb;
import io.blobrepair.testing.TestNode;
import io.blobrepair.testing.TestPeer;
import io.blobrepair.testing.TestS3;
import org.apache.camel.CamelConfiguration;
import org.apache.camel.CamelContext;
import org.apache.camel.builder.AdviceWith;
import org.apache.camel.main.MainConfigurationProperties;
import org.apache.camel.test.junit5.CamelContextConfiguration;
import org.apache.camel.test.junit5.TestExecutionConfiguration;
import org.apache.camel.test.main.junit5.CamelMainTestSupport;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.nio.charset.StandardCharsets;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.IntPredicate;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * No CID can stop a cycle: an unexpected exception injected (Camel's AdviceWith) at any step of
 * the per-CID routes, for one chosen CID, is counted once as {@code repair_cid_error}, the cycle
 * completes and every other CID is repaired; a CID that keeps failing is skipped after three
 * cycles. Failures of the cycle's own work (reading a batch, saving the cursor) still abort the
 * cycle, and the next one resumes. Real s3proxy, PostgreSQL and HTTP peers.
 */
@Timeout(value = 5, unit = TimeUnit.MINUTES)
class PerCidFailureTest extends CamelMainTestSupport {

    private static final int PEERS = 5;
    private static final int PER_KIND = 3;
    private static TestS3 s3;
    private static final List<TestPeer> peers = new ArrayList<>();
    private static int buckets;

    /** This test's node: its bucket and database, and the CIDs of each kind it starts with. */
    private String bucket;
    private TestDb db;
    private String self;
    private List<String> hosts;
    // set by seedNode, which Camel's test support calls from its constructor, before field initialisers
    private List<Blob> missingMine;
    private List<Blob> heldMine;
    private List<Blob> invalidMine;
    private List<Blob> overReplicated;

    @BeforeAll
    static void startServers() throws Exception {
        s3 = TestS3.start();
        for (int i = 0; i < PEERS; i++) {
            peers.add(TestPeer.start());
        }
    }

    @AfterAll
    static void stopServers() throws Exception {
        peers.forEach(TestPeer::close);
        s3.close();
    }

    /**
     * The service's wiring, with a clock eight days on (bound first, as the service's clock): the
     * copies written now are old enough to be deleted as over-replicated.
     */
    @Override
    protected void configure(MainConfigurationProperties configuration) {
        MutableClock clock = new MutableClock();
        clock.advance(Duration.ofDays(8));
        configuration.addConfiguration(new CamelConfiguration() {
            @Override
            public void configure(CamelContext camelContext) {
                camelContext.getRegistry().bind("clock", clock);
            }
        });
        configuration.addConfiguration(BlobRepairConfiguration.class);
    }

    @Override
    public void configureTest(TestExecutionConfiguration test) {
        super.configureTest(test);
        test.withUseAdviceWith(true).withJMX(false);
    }

    @Override
    public void configureContext(CamelContextConfiguration context) {
        super.configureContext(context);
        try {
            context.withUseOverridePropertiesWithPropertiesComponent(seedNode());
        } catch (Exception e) {
            throw new IllegalStateException("could not seed the test node", e);
        }
    }

    /**
     * A node with R=1 among five peers (over-replication threshold T=3): blobs of its own that are
     * missing, held, or held with wrong bytes, and old copies ranked beyond T that every peer holds.
     * Every peer serves every blob.
     */
    private Properties seedNode() throws Exception {
        bucket = "per-cid-" + (++buckets);
        s3.createBucket(bucket);
        db = TestDb.create();
        db.createSchema();
        int port = TestNode.freePort();
        self = "http://127.0.0.1:" + port;
        hosts = new ArrayList<>(peers.stream().map(TestPeer::url).toList());
        hosts.add(self);
        missingMine = pick("missing", rank -> rank == 0);
        heldMine = pick("held", rank -> rank == 0);
        invalidMine = pick("invalid", rank -> rank == 0);
        overReplicated = pick("over-replicated", rank -> rank > 3);
        for (Blob b : heldMine) {
            s3.put(bucket, b.key(), b.content());
        }
        for (Blob b : invalidMine) {
            s3.put(bucket, b.key(), "not what the CID says".getBytes(StandardCharsets.UTF_8));
        }
        for (Blob b : overReplicated) {
            s3.put(bucket, b.key(), b.content());
        }
        List<String> cids = new ArrayList<>();
        for (List<Blob> kind : List.of(missingMine, heldMine, invalidMine, overReplicated)) {
            for (Blob b : kind) {
                cids.add(b.cid());
                peers.forEach(p -> p.serve(b.cid(), b.content()));
            }
        }
        db.addRows("audio_previews", "cid", cids);
        Map<String, String> settings = TestNode.settings(s3, bucket, db, port, peers.stream().map(TestPeer::url).toList());
        settings.put("repair.replication-factor", "1");
        settings.put("repair.max-delete-fraction", "1");
        settings.put("repair.cleanup-every", "1000");
        Properties properties = new Properties();
        properties.putAll(settings);
        return properties;
    }

    private List<Blob> pick(String kind, IntPredicate rank) {
        List<Blob> picked = new ArrayList<>();
        for (int i = 0; picked.size() < PER_KIND; i++) {
            Blob b = Blob.of(bucket + " " + kind + " " + i);
            if (rank.test(RendezvousRanking.rank(b.cid(), hosts).indexOf(self))) {
                picked.add(b);
            }
        }
        return picked;
    }

    /**
     * Throws, for the one CID {@code chosen}, every time it reaches {@code stepId}: from a step
     * woven in just before it, whose id is {@link #injectedAt}.
     */
    private void failAt(String routeId, String stepId, Blob chosen, Exception failure) throws Exception {
        AdviceWith.adviceWith(context, routeId, route -> route.weaveById(stepId).before().process(exchange -> {
            CidDecision decision = exchange.getProperty(RepairExchange.CID, CidDecision.class);
            if (decision != null && decision.facts().cid().value().equals(chosen.cid())) {
                throw failure;
            }
        }).id(injectedAt(stepId)));
    }

    private static String injectedAt(String stepId) {
        return "fault-before-" + stepId;
    }

    private CycleReport cycle(boolean cleanup) {
        return context.getRegistry().lookupByNameAndType("repairService", RepairService.class).runCycle(cleanup);
    }

    @ParameterizedTest(name = "{2} at {1}")
    @CsvSource({
            // route,          step,                      the chosen CID's kind
            "head-object,      s3-head-object,            missing",
            "pull-blob,        check-declared-loss,       missing",
            "pull-blob,        plan-pull,                 missing",
            "pull-blob,        reserve-staging,           missing",
            "pull-blob,        pull-from-peers,           missing",
            "store-pulled,     s3-put-object,             missing",
            "store-pulled,     close-loss-evidence,       missing",
            "validate-blob,    s3-get-object-to-validate, held",
            "validate-blob,    compare-content,           held",
            "repair-cid,       ask-hosts-ahead,           over-replicated",
            "delete-blob,      s3-delete-object,          invalid",
            "delete-blob,      mark-deleted,              over-replicated",
    })
    void anUnexpectedFailureAtAnyStepCostsOnlyItsCid(String route, String step, String kind) throws Exception {
        Blob chosen = switch (kind) {
            case "missing" -> missingMine.get(1);
            case "held" -> heldMine.get(1);
            case "invalid" -> invalidMine.get(1);
            default -> overReplicated.get(1);
        };
        failAt(route, step, chosen, new IllegalStateException("injected at " + step));
        context.start();

        CycleReport report = cycle(true);

        assertThat(report.abortedReason()).isNull();
        assertThat(report.counters()).containsEntry("repair_cid_error", 1L);
        for (Blob b : missingMine) {
            if (b != chosen) {
                assertThat(s3.read(bucket, b.key())).as("pulled %s", b.cid()).isEqualTo(b.content());
            }
        }
        for (Blob b : invalidMine) {
            if (b != chosen) {
                assertThat(s3.read(bucket, b.key())).as("replaced %s", b.cid()).isEqualTo(b.content());
            }
        }
        for (Blob b : overReplicated) {
            if (b != chosen) {
                assertThat(s3.exists(bucket, b.key())).as("deleted %s", b.cid()).isFalse();
            }
        }
        for (Blob b : heldMine) {
            assertThat(s3.read(bucket, b.key())).isEqualTo(b.content());
        }
        // the failure is on record with the step it happened at
        assertThat(db.queryLong("SELECT count(*) FROM repair_cid_failures WHERE cid = '" + chosen.cid()
                + "' AND last_step = '" + injectedAt(step) + "'")).isEqualTo(1);
    }

    /** The SQL fault the issue measured: data-loss bookkeeping failing for one pull. */
    @Test
    void anSqlErrorInTheDataLossLedgerCostsOnlyItsCid() throws Exception {
        Blob chosen = missingMine.get(0);
        failAt("pull-blob", "check-declared-loss", chosen, new SQLException("relation \"repair_data_loss\" is locked", "55P03"));
        context.start();

        CycleReport report = cycle(false);

        assertThat(report.abortedReason()).isNull();
        assertThat(report.counters()).containsEntry("repair_cid_error", 1L)
                .containsEntry("pull_mine_success", (long) missingMine.size() - 1);
        assertThat(s3.exists(bucket, chosen.key())).isFalse();
    }

    @Test
    void aCidFailingThreeCyclesInARowIsSkippedInTheFourth() throws Exception {
        Blob poison = missingMine.get(2);
        failAt("pull-blob", "pull-from-peers", poison, new IllegalStateException("a peer client bug"));
        context.start();

        for (int cycle = 1; cycle <= 3; cycle++) {
            CycleReport report = cycle(false);
            assertThat(report.abortedReason()).isNull();
            assertThat(report.counters()).as("cycle %d", cycle).containsEntry("repair_cid_error", 1L)
                    .containsEntry("repair_cid_skipped", 0L);
        }
        CycleReport fourth = cycle(false);

        assertThat(fourth.counters()).containsEntry("repair_cid_error", 0L).containsEntry("repair_cid_skipped", 1L);
        assertThat(db.queryLong("SELECT failed_cycles FROM repair_cid_failures WHERE cid = '" + poison.cid() + "'")).isEqualTo(3);
        for (Blob b : missingMine) {
            assertThat(s3.exists(bucket, b.key())).isEqualTo(b != poison);
        }
    }

    @ParameterizedTest(name = "{0} failing aborts the cycle")
    @CsvSource({"next-batch", "save-cursor"})
    void theCyclesOwnWorkFailingAbortsItAndTheNextCycleResumes(String step) throws Exception {
        AtomicBoolean failedOnce = new AtomicBoolean();
        // the work-list routes come from one template: their step ids end with the list's name
        AdviceWith.adviceWith(context, "repair-previews", route -> route.weaveById(step + "-*").before().process(exchange -> {
            if (failedOnce.compareAndSet(false, true)) {
                throw new SQLException("the database went away", "08006");
            }
        }));
        context.start();

        CycleReport failed = cycle(false);
        CycleReport resumed = cycle(false);

        assertThat(failed.abortedReason()).startsWith("FAILED: SQLException: the database went away");
        assertThat(resumed.abortedReason()).isNull();
        assertThat(resumed.cycle()).isEqualTo(failed.cycle());
        for (Blob b : missingMine) {
            assertThat(s3.read(bucket, b.key())).isEqualTo(b.content());
        }
        assertThat(resumed.counters()).containsEntry("repair_cid_error", 0L);
    }
}
