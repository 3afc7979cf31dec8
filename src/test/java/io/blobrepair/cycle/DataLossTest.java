package io.blobrepair.cycle;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.blobrepair.placement.RendezvousRanking;
import io.blobrepair.repair.CycleReport;
import io.blobrepair.testing.Blob;
import io.blobrepair.testing.MutableClock;
import io.blobrepair.testing.TestDb;
import io.blobrepair.testing.TestNode;
import io.blobrepair.testing.TestPeer;
import io.blobrepair.testing.TestS3;
import io.micrometer.core.instrument.MeterRegistry;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Data loss from evidence, end to end: this node and five real HTTP peers that behave like
 * reference nodes (no presence filter, 500 for a blob they lack), R = 3, a blob of this node's that
 * no peer holds, and a clock the test moves. Five healthy peers are the least that make evidence.
 */
@Timeout(value = 5, unit = TimeUnit.MINUTES)
class DataLossTest {

    private static final int PEERS = 5;
    private static TestS3 s3;
    private static int nodes;
    private final List<TestPeer> peers = new ArrayList<>();
    private final MutableClock clock = new MutableClock();
    private TestDb db;
    private Blob missing;
    private TestNode node;

    @BeforeAll
    static void startS3() throws Exception {
        s3 = TestS3.start();
    }

    @AfterAll
    static void stopS3() throws Exception {
        s3.close();
    }

    @BeforeEach
    void start() throws Exception {
        for (int i = 0; i < PEERS; i++) {
            peers.add(TestPeer.start().likeReference());
        }
        String bucket = "data-loss-" + (++nodes);
        s3.createBucket(bucket);
        db = TestDb.create();
        db.createSchema();
        int port = TestNode.freePort();
        String self = "http://127.0.0.1:" + port;
        List<String> hosts = new ArrayList<>(peers.stream().map(TestPeer::url).toList());
        hosts.add(self);
        for (int i = 0; missing == null; i++) {
            Blob candidate = Blob.of(bucket + " lost " + i);
            if (RendezvousRanking.rank(candidate.cid(), hosts).indexOf(self) < 3) {
                missing = candidate;
            }
        }
        db.addRows("audio_previews", "cid", List.of(missing.cid()));
        Map<String, String> settings = TestNode.settings(s3, bucket, db, port, peers.stream().map(TestPeer::url).toList());
        settings.put("repair.cleanup-every", "1000");
        node = TestNode.start(settings, clock);
    }

    @AfterEach
    void stop() {
        node.close();
        peers.forEach(TestPeer::close);
    }

    @Test
    void oneCycleWithTwoHealthyPeersRecordsNoEvidence() throws Exception {
        peers.subList(2, PEERS).forEach(p -> p.setHealthy(false));

        CycleReport limping = node.runCycle();

        assertThat(limping.counters()).containsEntry("pull_mine_gave_up", 1L).containsEntry("data_loss_evidence_discarded", 1L)
                .containsEntry("data_loss_evidence_recorded", 0L);
        assertThat(db.queryLong("SELECT count(*) FROM repair_data_loss")).isZero();

        peers.forEach(p -> p.setHealthy(true));
        CycleReport healthy = node.runCycle();

        assertThat(healthy.counters()).containsEntry("data_loss_evidence_recorded", 1L).containsEntry("data_loss_evidence_discarded", 0L);
        assertThat(db.queryLong("SELECT failed_cycles FROM repair_data_loss WHERE cid = '" + missing.cid() + "'")).isEqualTo(1);
    }

    @Test
    void aCidThatFailsFiveCyclesInsideSevenDaysIsNotDeclared() throws Exception {
        for (int cycle = 1; cycle <= 5; cycle++) {
            CycleReport report = node.runCycle();
            assertThat(report.counters()).as("cycle %d", cycle).containsEntry("data_loss_evidence_recorded", 1L)
                    .containsEntry("pull_escalated_full_network", cycle > 3 ? 1L : 0L).containsEntry("data_loss_declared", 0L);
            clock.advance(Duration.ofDays(1));
        }

        assertThat(db.queryLong("SELECT failed_cycles FROM repair_data_loss WHERE cid = '" + missing.cid() + "'")).isEqualTo(5);
        assertThat(db.queryLong("SELECT count(*) FROM repair_data_loss WHERE declared_at IS NOT NULL")).isZero();
        JsonNode summary = dataLoss();
        assertThat(summary.get("accumulating").asLong()).isEqualTo(1);
        assertThat(summary.get("total").asLong()).isZero();
    }

    /** The whole way: declared after a week, skipped until its recheck, a failed recheck moves it, a later pull recovers it. */
    @Test
    void declaredAfterAWeekSkippedUntilItsRecheckAndRecoveredWhenAPeerHasItAgain() throws Exception {
        CycleReport declared = fiveFailedCyclesOverEightDays();
        // the fifth failure came eight days after the first, on an exhaustive pull
        assertThat(declared.counters()).containsEntry("data_loss_declared", 1L).containsEntry("pull_escalated_full_network", 1L)
                .containsEntry("pull_mine_fail", (long) PEERS);
        Instant declaredAt = timestamp("declared_at");
        JsonNode summary = dataLoss();
        assertThat(summary.get("total").asLong()).isEqualTo(1);
        assertThat(summary.get("declaredLast24h").asLong()).isEqualTo(1);
        assertThat(summary.get("accumulating").asLong()).isZero();
        assertThat(Instant.parse(summary.get("oldestDeclared").asText())).isEqualTo(declaredAt);
        assertThat(Instant.parse(summary.get("newestDeclared").asText())).isEqualTo(declaredAt);
        MeterRegistry meters = node.bean("metricsRegistry", MeterRegistry.class);
        assertThat(meters.get("blob.repair.data.loss.cids").tag("state", "declared").gauge().value()).isEqualTo(1.0);
        assertThat(meters.get("blob.repair.data.loss.cids").tag("state", "accumulating").gauge().value()).isEqualTo(0.0);

        // until the recheck, nobody is asked
        int requests = requests();
        CycleReport skipped = node.runCycle();
        assertThat(skipped.counters()).containsEntry("pull_lost_skipped", 1L).containsEntry("pull_mine_fail", 0L);
        assertThat(requests()).isEqualTo(requests);

        // thirty days on: the recheck is a bounded pull; it fails, the recheck moves, no new loss
        clock.advance(Duration.ofDays(30).plusHours(1));
        CycleReport recheck = node.runCycle();
        assertThat(recheck.counters()).containsEntry("data_loss_recheck_failed", 1L).containsEntry("data_loss_declared", 0L)
                .containsEntry("pull_escalated_full_network", 0L);
        assertThat(timestamp("declared_at")).isEqualTo(declaredAt);
        assertThat(timestamp("recheck_after")).isAfter(clock.instant().plus(Duration.ofDays(29)));
        assertThat(dataLoss().get("total").asLong()).isEqualTo(1);

        // a peer has it again: the next recheck pulls it and the loss is recovered
        peers.get(0).serve(missing.cid(), missing.content());
        clock.advance(Duration.ofDays(31));
        CycleReport recovered = node.runCycle();
        assertThat(recovered.counters()).containsEntry("pull_mine_success", 1L).containsEntry("data_loss_recovered", 1L);
        JsonNode after = dataLoss();
        assertThat(after.get("total").asLong()).isZero();
        assertThat(after.get("recovered").asLong()).isEqualTo(1);
        assertThat(after.has("oldestDeclared")).isFalse();
    }

    /**
     * The recheck period, to the minute: a declared loss back on a peer is still not asked for a
     * minute before its {@code recheck_after}; the first cycle after it pulls the blob.
     */
    @Test
    void aDeclaredLossIsNotPulledBeforeItsRecheckEvenWhenAPeerHasItAgain() throws Exception {
        assertThat(fiveFailedCyclesOverEightDays().counters()).containsEntry("data_loss_declared", 1L);
        peers.get(0).serve(missing.cid(), missing.content());
        Instant recheckAfter = timestamp("recheck_after");
        assertThat(recheckAfter).isAfter(clock.instant().plus(Duration.ofDays(29)));

        clock.advance(Duration.between(clock.instant(), recheckAfter).minusMinutes(1));
        int requests = requests();
        CycleReport early = node.runCycle();

        assertThat(early.counters()).containsEntry("pull_lost_skipped", 1L).containsEntry("pull_mine_success", 0L);
        assertThat(requests()).isEqualTo(requests);
        assertThat(s3.exists(node.bucket(), missing.key())).isFalse();

        clock.advance(Duration.ofMinutes(2));
        CycleReport due = node.runCycle();

        assertThat(due.counters()).containsEntry("pull_lost_skipped", 0L).containsEntry("pull_mine_success", 1L)
                .containsEntry("data_loss_recovered", 1L);
        assertThat(s3.read(node.bucket(), missing.key())).isEqualTo(missing.content());
        assertThat(timestamp("recovered_at")).isNotNull();
    }

    /** Five cycles two days apart in which no peer serves the blob: the fifth declares it lost. */
    private CycleReport fiveFailedCyclesOverEightDays() {
        CycleReport last = node.runCycle();
        for (int cycle = 2; cycle <= 5; cycle++) {
            clock.advance(Duration.ofDays(2));
            last = node.runCycle();
        }
        return last;
    }

    private int requests() {
        return peers.stream().mapToInt(p -> p.blobRequests().size()).sum();
    }

    private Instant timestamp(String column) throws Exception {
        try (var c = db.dataSource().getConnection(); var st = c.createStatement();
             var rs = st.executeQuery("SELECT " + column + " FROM repair_data_loss WHERE cid = '" + missing.cid() + "'")) {
            rs.next();
            Timestamp t = rs.getTimestamp(1);
            return t == null ? null : t.toInstant();
        }
    }

    private JsonNode dataLoss() throws Exception {
        HttpResponse<String> response = HttpClient.newHttpClient().send(
                HttpRequest.newBuilder(URI.create(node.url() + "/internal/data-loss")).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(response.statusCode()).isEqualTo(200);
        return new ObjectMapper().readTree(response.body());
    }
}
