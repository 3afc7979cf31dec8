package io.blobrepair.ops;

import io.blobrepair.testing.TestNode;
import io.blobrepair.testing.TestPeer;
import io.blobrepair.testing.TestS3;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** /observe/health follows the database and the last cycles. */
@Timeout(value = 5, unit = java.util.concurrent.TimeUnit.MINUTES)
class HealthTest {

    @TempDir
    Path pgData;

    private static EmbeddedPostgres postgres(Path dir, int port) throws Exception {
        return EmbeddedPostgres.builder().setDataDirectory(dir).setCleanDataDirectory(false).setPort(port).start();
    }

    private static HttpResponse<String> health(int port) throws Exception {
        return HttpClient.newHttpClient().send(
                HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/observe/health")).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    /** Probes until the expected status or the deadline, like an orchestrator's health probe. */
    private static int healthWithin(int port, int expected, int seconds) throws Exception {
        long deadline = System.currentTimeMillis() + seconds * 1000L;
        int status;
        do {
            status = health(port).statusCode();
            if (status == expected) {
                return status;
            }
            Thread.sleep(250);
        } while (System.currentTimeMillis() < deadline);
        return status;
    }

    @Test
    void downWhileTheDatabaseIsGoneAndAfterThreeAbortedCycles() throws Exception {
        int pgPort = TestNode.freePort();
        EmbeddedPostgres pg = postgres(pgData, pgPort);
        try (TestS3 s3 = TestS3.start(); TestPeer peer = TestPeer.start()) {
            s3.createBucket("health");
            io.blobrepair.testing.TestDb db = io.blobrepair.testing.TestDb.create(); // only for its settings shape
            Map<String, String> settings = TestNode.settings(s3, "health", db, TestNode.freePort(), List.of(peer.url()));
            settings.put("repair.db.url", pg.getJdbcUrl("postgres", "postgres"));
            int managementPort = TestNode.freePort();
            settings.put("camel.management.enabled", "true");
            settings.put("repair.management.port", String.valueOf(managementPort));
            try (TestNode node = TestNode.start(settings)) {
                node.runCycle();
                HttpResponse<String> up = health(managementPort);
                assertThat(up.statusCode()).as(up.body()).isEqualTo(200);
                assertThat(up.body()).contains("UP");

                pg.close();
                HttpResponse<String> down = health(managementPort);
                assertThat(down.statusCode()).as(down.body()).isEqualTo(503);
                assertThat(down.body()).contains("DOWN");

                pg = postgres(pgData, pgPort);
                // pooled connections broken by the restart are dropped as they are found: UP within a few probes
                assertThat(healthWithin(managementPort, 200, 20)).isEqualTo(200);

                peer.setHealthy(false);
                for (int i = 0; i < 3; i++) {
                    assertThat(node.runCycle().abortedReason()).isEqualTo("NOT_ENOUGH_PEERS");
                }
                HttpResponse<String> aborted = health(managementPort);
                assertThat(aborted.statusCode()).as(aborted.body()).isEqualTo(503);
                peer.setHealthy(true);
                assertThat(node.runCycle().abortedReason()).isNull();
                assertThat(health(managementPort).statusCode()).isEqualTo(200);
            }
        } finally {
            pg.close();
        }
    }
}
