package io.blobrepair.ops;

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
import org.apache.camel.component.mock.MockEndpoint;
import org.apache.camel.builder.NotifyBuilder;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Events as Camel messages: an operator's route file in {@code repair.routes.dir} receives
 * {@code cycle_finished}, {@code blob_lost} and {@code delete_brake_engaged}; a failing event
 * endpoint changes nothing in the cycle; a broken route file stops startup with one line.
 */
@Timeout(value = 5, unit = TimeUnit.MINUTES)
class EventsTest {

    private static final int PEERS = 6;
    private static TestS3 s3;
    private static final List<TestPeer> peers = new ArrayList<>();

    @TempDir
    Path routes;

    @BeforeAll
    static void start() throws Exception {
        s3 = TestS3.start();
        for (int i = 0; i < PEERS; i++) {
            peers.add(TestPeer.start());
        }
    }

    @AfterAll
    static void stop() throws Exception {
        peers.forEach(TestPeer::close);
        s3.close();
    }

    private Path routeFile(String name, String yaml) throws Exception {
        return Files.writeString(routes.resolve(name), yaml);
    }

    private static final String FORWARD_TO_MOCK = """
            - route:
                id: ops-events
                from:
                  uri: direct:ops-events
                  steps:
                    - to:
                        id: ops-events-received
                        uri: mock:events
            """;

    @Test
    void anOpsRouteReceivesCycleFinishedBlobLostAndDeleteBrakeEngaged() throws Exception {
        routeFile("50-events.camel.yaml", FORWARD_TO_MOCK);
        // node B: a real node whose presence filter says it holds nothing
        s3.createBucket("events-b");
        TestDb dbB = TestDb.create();
        dbB.createSchema();
        int portA = TestNode.freePort();
        int portB = TestNode.freePort();
        String a = "http://127.0.0.1:" + portA;
        String b = "http://127.0.0.1:" + portB;
        List<String> network = new ArrayList<>(peers.stream().map(TestPeer::url).toList());
        network.add(b);
        try (TestNode nodeB = TestNode.start(TestNode.settings(s3, "events-b", dbB, portB, List.of(a, peers.get(0).url())))) {
            assertThat(nodeB.runCycle().abortedReason()).isNull(); // builds B's (empty) presence filter

            s3.createBucket("events-a");
            TestDb db = TestDb.create();
            db.createSchema();
            // lost: placed on A and B only, B does not have it, and no host served it in four cycles over
            // more than a week already: this cycle's pull asks the whole network (B), fails, and declares it
            Blob lost = Blob.of("nobody holds this one");
            db.addUpload("lost-upload", "img", lost.cid(), "[\"" + a + "\",\"" + b + "\"]", null);
            db.execute("INSERT INTO repair_data_loss (cid, failed_cycles, first_failed_at, last_failed_at) VALUES ('"
                    + lost.cid() + "', 4, now() - interval '1 day', now())");
            // 40 copies far down the ranking, old and held by the peers: the brake stops their deletion
            List<String> hosts = new ArrayList<>(network);
            hosts.add(a);
            for (int i = 0, found = 0; found < 40; i++) {
                Blob blob = Blob.of("over-replicated " + i);
                if (RendezvousRanking.rank(blob.cid(), hosts).indexOf(a) >= 5) {
                    s3.put("events-a", blob.key(), blob.content());
                    db.addRows("audio_previews", "cid", List.of(blob.cid()));
                    peers.forEach(p -> p.serve(blob.cid(), blob.content()));
                    found++;
                }
            }
            Map<String, String> settings = TestNode.settings(s3, "events-a", db, portA, network);
            settings.put("repair.replication-factor", "1");
            settings.put("repair.max-delete-fraction", "0.1");
            settings.put("repair.interval", "30d"); // B's filter stays fresh on A's clock, 8 days ahead
            settings.put("repair.routes.dir", routes.toString());
            settings.put("repair.events.uri", "direct:ops-events");
            MutableClock clock = new MutableClock();
            clock.advance(Duration.ofDays(8));
            try (TestNode node = TestNode.start(settings, clock)) {
                MockEndpoint events = node.context().getEndpoint("mock:events", MockEndpoint.class);
                events.expectedMessageCount(3);
                NotifyBuilder delivered = new NotifyBuilder(node.context()).fromRoute("ops-events").whenDone(3).create();

                CycleReport cleanup = node.runCleanupCycle();

                assertThat(cleanup.counters()).containsEntry("data_loss_declared", 1L).containsEntry("pull_escalated_full_network", 1L)
                        .containsEntry("delete_brake_engaged", 1L)
                        .containsEntry("event_send_fail", 0L);
                assertThat(delivered.matches(30, TimeUnit.SECONDS)).isTrue();
                events.assertIsSatisfied();
                Map<String, JsonNode> byType = new HashMap<>();
                for (var exchange : events.getExchanges()) {
                    JsonNode event = new ObjectMapper().readTree(exchange.getMessage().getBody(String.class));
                    assertThat(exchange.getMessage().getHeader(CamelRepairEvents.TYPE_HEADER)).isEqualTo(event.get("type").asText());
                    byType.put(event.get("type").asText(), event);
                }
                assertThat(byType).containsOnlyKeys("cycle_finished", "blob_lost", "delete_brake_engaged");
                JsonNode finished = byType.get("cycle_finished");
                assertThat(finished.get("cycle").asLong()).isEqualTo(cleanup.cycle());
                assertThat(finished.get("time").asText()).isNotEmpty();
                assertThat(finished.get("cleanup").asBoolean()).isTrue();
                assertThat(finished.get("counters").get("delete_over_replicated_success").asLong())
                        .isEqualTo(cleanup.counters().get("delete_over_replicated_success")).isEqualTo(4);
                assertThat(finished.get("s3_requests").get("ListObjects").asLong()).isEqualTo(1);
                JsonNode blobLost = byType.get("blob_lost");
                assertThat(blobLost.get("cid").asText()).isEqualTo(lost.cid());
                assertThat(blobLost.get("key").asText()).isEqualTo(lost.key());
                assertThat(blobLost.get("hosts_tried").toString()).contains(b);
                JsonNode brake = byType.get("delete_brake_engaged");
                assertThat(brake.get("deletions").asLong()).isEqualTo(4);
                assertThat(brake.get("held").asLong()).isEqualTo(40);
            }
        }
    }

    @Test
    void aFailingEventEndpointLeavesTheCycleAsItWouldBe() throws Exception {
        routeFile("50-failing.camel.yaml", """
                - route:
                    id: ops-events-failing
                    from:
                      uri: direct:ops-events
                      steps:
                        - throwException:
                            id: webhook-down
                            exceptionType: java.io.IOException
                            message: webhook down
                """);
        TestPeer peer = peers.get(0);
        Blob missing = Blob.of("pulled although events fail");
        peer.serve(missing.cid(), missing.content());
        s3.createBucket("events-failing");
        TestDb db = TestDb.create();
        db.createSchema();
        db.addRows("audio_previews", "cid", List.of(missing.cid()));
        Map<String, String> settings = TestNode.settings(s3, "events-failing", db, TestNode.freePort(), List.of(peer.url()));
        settings.put("repair.routes.dir", routes.toString());
        settings.put("repair.events.uri", "direct:ops-events");
        try (TestNode node = TestNode.start(settings)) {
            NotifyBuilder failed = new NotifyBuilder(node.context()).fromRoute("ops-events-failing").whenFailed(1).create();
            CycleReport report = node.runCycle();
            assertThat(report.abortedReason()).isNull();
            assertThat(report.counters()).containsEntry("pull_mine_success", 1L).containsEntry("pull_mine_needed", 1L);
            assertThat(s3.exists("events-failing", missing.key())).isTrue();
            assertThat(failed.matches(30, TimeUnit.SECONDS)).isTrue();
            var meter = node.bean("metricsRegistry", io.micrometer.core.instrument.MeterRegistry.class)
                    .find("blob.repair.event_send_fail").counter();
            long deadline = System.currentTimeMillis() + 10_000;
            while (meter.count() < 1 && System.currentTimeMillis() < deadline) {
                Thread.sleep(20);
            }
            assertThat(meter.count()).isEqualTo(1.0);
            // the next cycle runs as usual
            assertThat(node.runCycle().abortedReason()).isNull();
        }
    }

    @Test
    void aBrokenRouteFileStopsStartupWithOneLineNamingIt() throws Exception {
        Path broken = routeFile("60-broken.camel.yaml", "- route:\n    from: [unclosed\n");
        s3.createBucket("events-broken");
        TestDb db = TestDb.create();
        Map<String, String> settings = TestNode.settings(s3, "events-broken", db, TestNode.freePort(), List.of(peers.get(0).url()));
        settings.put("repair.routes.dir", routes.toString());
        assertThatThrownBy(() -> TestNode.start(settings).close())
                .satisfies(e -> {
                    Throwable t = e;
                    while (!(t instanceof InvalidSettingException) && t.getCause() != null) {
                        t = t.getCause();
                    }
                    assertThat(t).isInstanceOf(InvalidSettingException.class);
                    assertThat(t.getMessage()).contains(broken.toString()).contains("does not load").doesNotContain("\n");
                });
    }
}
