package io.blobrepair.ops;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.blobrepair.repair.CycleTracker;
import io.blobrepair.testing.Blob;
import io.blobrepair.testing.TestDb;
import io.blobrepair.testing.TestNode;
import io.blobrepair.testing.TestPeer;
import io.blobrepair.testing.TestS3;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.sql.Connection;
import java.sql.ResultSet;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * S3 or the database down when the service starts: it stays up, health says why, each cycle
 * aborts before any work and is retried after repair.abort-retry-delay, and repair starts by
 * itself once they answer. A missing bucket or refused credentials stop startup.
 */
@Timeout(value = 4, unit = TimeUnit.MINUTES)
class StartupResilienceTest {

    private static TestS3 s3;
    private static TestPeer peer;

    @BeforeAll
    static void start() throws Exception {
        s3 = TestS3.start();
        peer = TestPeer.start();
    }

    @AfterAll
    static void stop() throws Exception {
        peer.close();
        s3.close();
    }

    private static int port(String url) {
        return Integer.parseInt(url.replaceAll("^[a-z:]+//[^:]+:(\\d+).*$", "$1"));
    }

    /** A service that schedules cycles itself: the first at once, retries one second after an abort. */
    private static Map<String, String> service(String bucket, TestDb db, int managementPort) throws Exception {
        Map<String, String> settings = TestNode.settings(s3, bucket, db, TestNode.freePort(), List.of(peer.url()));
        settings.put("repair.enabled", "true");
        settings.put("repair.startup-delay", "0s");
        settings.put("repair.abort-retry-delay", "1s");
        settings.put("camel.management.enabled", "true");
        settings.put("repair.management.port", String.valueOf(managementPort));
        return settings;
    }

    private static JsonNode check(int managementPort, String name) throws Exception {
        HttpResponse<String> health = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                URI.create("http://127.0.0.1:" + managementPort + "/observe/health?data=true")).build(), HttpResponse.BodyHandlers.ofString());
        for (JsonNode c : new ObjectMapper().readTree(health.body()).get("checks")) {
            if (c.get("name").asText().equals(name)) {
                return c;
            }
        }
        throw new AssertionError("no check " + name + " in " + health.body());
    }

    private static void await(String what, BooleanSupplier condition) throws InterruptedException {
        long deadline = System.currentTimeMillis() + 90_000;
        while (!condition.getAsBoolean()) {
            assertThat(System.currentTimeMillis()).as(what).isLessThan(deadline);
            Thread.sleep(100);
        }
    }

    @Test
    void s3DownAtStartKeepsTheServiceUpAndRepairStartsWhenItAnswers() throws Exception {
        s3.createBucket("s3-down");
        TestDb db = TestDb.create();
        db.createSchema();
        Blob missing = Blob.of("pulled once S3 answers");
        peer.serve(missing.cid(), missing.content());
        db.addRows("audio_previews", "cid", List.of(missing.cid()));
        int managementPort = TestNode.freePort();
        try (SwitchedLink link = new SwitchedLink(port(s3.endpoint()), false)) {
            Map<String, String> settings = service("s3-down", db, managementPort);
            settings.put("repair.s3.endpoint", "http://127.0.0.1:" + link.port());
            settings.put("repair.s3.max-attempts", "1");
            try (TestNode node = TestNode.start(settings)) {
                CycleTracker tracker = node.bean("cycleTracker", CycleTracker.class);
                await("a cycle aborted for S3", () -> tracker.lastReport().map(r -> "S3_UNREACHABLE".equals(r.abortedReason())).orElse(false));
                JsonNode s3Check = check(managementPort, "s3");
                assertThat(s3Check.get("status").asText()).isEqualTo("DOWN");
                assertThat(s3Check.get("message").asText()).contains("unreachable");
                assertThat(check(managementPort, "cycles").get("data").get("last_cycle_aborted_reason").asText()).isEqualTo("S3_UNREACHABLE");
                assertThat(s3.exists("s3-down", missing.key())).isFalse();
                assertThat(tracker.cyclesCompleted()).isZero();

                link.up();
                await("a cycle completed once S3 answers", () -> tracker.cyclesCompleted() >= 1);
                assertThat(s3.exists("s3-down", missing.key())).isTrue();
                assertThat(check(managementPort, "s3").get("status").asText()).isEqualTo("UP");
                // the aborted attempts are in the tracker table, with their reason
                try (Connection c = db.dataSource().getConnection();
                     ResultSet rs = c.createStatement().executeQuery(
                             "SELECT count(*) FROM repair_runs WHERE aborted_reason = 'S3_UNREACHABLE'")) {
                    rs.next();
                    assertThat(rs.getInt(1)).isPositive();
                }
            }
        }
    }

    @Test
    void databaseDownAtStartKeepsTheServiceUpAndRepairStartsWhenItAnswers() throws Exception {
        s3.createBucket("db-down");
        TestDb db = TestDb.create(); // no schema: the service creates it once the database answers
        int managementPort = TestNode.freePort();
        try (SwitchedLink link = new SwitchedLink(port(db.jdbcUrl()), false)) {
            Map<String, String> settings = service("db-down", db, managementPort);
            settings.put("repair.db.url", db.jdbcUrl().replace(":" + port(db.jdbcUrl()) + "/", ":" + link.port() + "/"));
            try (TestNode node = TestNode.start(settings)) {
                CycleTracker tracker = node.bean("cycleTracker", CycleTracker.class);
                await("a cycle aborted for the database",
                        () -> tracker.lastReport().map(r -> "DATABASE_UNREACHABLE".equals(r.abortedReason())).orElse(false));
                JsonNode database = check(managementPort, "database");
                assertThat(database.get("status").asText()).isEqualTo("DOWN");
                assertThat(database.get("message").asText()).contains(":" + link.port()).doesNotContain("user=");

                link.up();
                await("a cycle completed once the database answers", () -> tracker.cyclesCompleted() >= 1);
                assertThat(check(managementPort, "database").get("status").asText()).isEqualTo("UP");
                try (Connection c = db.dataSource().getConnection();
                     ResultSet rs = c.createStatement().executeQuery("SELECT count(*) FROM repair_runs WHERE finished_at IS NOT NULL")) {
                    rs.next();
                    assertThat(rs.getInt(1)).isPositive();
                }
            }
        }
    }

    @Test
    void aMissingBucketOrRefusedCredentialsStopStartup() throws Exception {
        TestDb db = TestDb.create();
        Map<String, String> noBucket = TestNode.settings(s3, "never-created", db, TestNode.freePort(), List.of(peer.url()));
        assertThatThrownBy(() -> TestNode.start(noBucket).close()).satisfies(e ->
                assertThat(invalidSetting(e)).contains("repair.s3.bucket").contains("does not exist"));

        s3.createBucket("refused");
        Map<String, String> wrongSecret = TestNode.settings(s3, "refused", db, TestNode.freePort(), List.of(peer.url()));
        wrongSecret.put("repair.s3.secret-key", "not-the-secret");
        assertThatThrownBy(() -> TestNode.start(wrongSecret).close()).satisfies(e ->
                assertThat(invalidSetting(e)).contains("refused the credentials").doesNotContain("not-the-secret"));
    }

    private static String invalidSetting(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof InvalidSettingException) {
                return t.getMessage();
            }
        }
        throw new AssertionError("no InvalidSettingException in " + e);
    }
}
