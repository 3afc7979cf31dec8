package io.blobrepair.cycle;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.blobrepair.testing.Blob;
import io.blobrepair.testing.TestDb;
import io.blobrepair.testing.TestNode;
import io.blobrepair.testing.TestPeer;
import io.blobrepair.testing.TestS3;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code --once} in a child JVM configured only through environment variables: one JSON report
 * as the last stdout line, exit 0; an aborted cycle exits non-zero; a bad value stops startup.
 */
class OnceModeTest {

    record Run(int exit, String stdout, String stderr) {
        JsonNode report() throws Exception {
            String[] lines = stdout.strip().split("\n");
            return new ObjectMapper().readTree(lines[lines.length - 1]);
        }
    }

    private static Run run(Map<String, String> env, String... args) throws Exception {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        List<String> command = new java.util.ArrayList<>(List.of(java, "-cp", System.getProperty("java.class.path"),
                "io.blobrepair.BlobRepairApplication"));
        command.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(command);
        pb.environment().putAll(env);
        Process p = pb.start();
        var err = p.getErrorStream();
        var errText = new java.util.concurrent.CompletableFuture<String>();
        new Thread(() -> {
            try {
                errText.complete(new String(err.readAllBytes(), StandardCharsets.UTF_8));
            } catch (Exception e) {
                errText.complete(e.toString());
            }
        }).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(120, TimeUnit.SECONDS)).isTrue();
        return new Run(p.exitValue(), out, errText.get(30, TimeUnit.SECONDS));
    }

    private static Map<String, String> env(TestS3 s3, TestDb db, String bucket, String peers) {
        return new java.util.HashMap<>(Map.of(
                "REPAIR_S3_ENDPOINT", s3.endpoint(),
                "REPAIR_S3_BUCKET", bucket,
                "REPAIR_S3_ACCESS_KEY", TestS3.ACCESS_KEY,
                "REPAIR_S3_SECRET_KEY", TestS3.SECRET_KEY,
                "REPAIR_DB_URL", db.jdbcUrl(),
                "REPAIR_DB_USER", "postgres",
                "REPAIR_SELF_HOST", "http://127.0.0.1:1",
                "REPAIR_PEERS", peers,
                // written for R=3 without peer auth; the defaults are now 4 and signed
                "REPAIR_REPLICATION_FACTOR", "3",
                "REPAIR_PEER_AUTH", "none"));
    }

    @Test
    void onceRunsOneCycleAndPrintsItsReport() throws Exception {
        try (TestS3 s3 = TestS3.start(); TestPeer peer = TestPeer.start()) {
            s3.createBucket("once");
            TestDb db = TestDb.create();
            db.createSchema();
            Blob held = Blob.of("held");
            Blob missing = Blob.of("missing");
            s3.put("once", held.key(), held.content());
            peer.serve(missing.cid(), missing.content());
            db.addRows("audio_previews", "cid", List.of(held.cid(), missing.cid()));

            Run run = run(env(s3, db, "once", peer.url()), "--once");

            assertThat(run.exit()).as(run.stderr()).isZero();
            JsonNode report = run.report();
            assertThat(report.get("cycle").asLong()).isEqualTo(1);
            assertThat(report.get("cleanup").asBoolean()).isFalse();
            assertThat(report.get("counters").get("already_have").asLong()).isEqualTo(1);
            assertThat(report.get("counters").get("pull_mine_success").asLong()).isEqualTo(1);
            assertThat(report.get("s3_requests").get("ListObjects").asLong()).isEqualTo(1);
            // one HeadObject confirms the missing blob's absence before its pull, none for presence
            assertThat(report.get("s3_requests").get("HeadObject").asLong()).isEqualTo(1);
            assertThat(report.get("s3_requests").get("PutObject").asLong()).isEqualTo(1);
            assertThat(report.has("duration_ms")).isTrue();
            assertThat(report.get("aborted_reason").isNull()).isTrue();
            assertThat(s3.exists("once", missing.key())).isTrue();

            Run cleanup = run(env(s3, db, "once", peer.url()), "--once", "--cleanup");
            assertThat(cleanup.exit()).as(cleanup.stderr()).isZero();
            assertThat(cleanup.report().get("cycle").asLong()).isEqualTo(2);
            assertThat(cleanup.report().get("cleanup").asBoolean()).isTrue();
            // secrets never reach the output
            assertThat(run.stdout() + run.stderr() + cleanup.stderr()).doesNotContain(TestS3.SECRET_KEY);
        }
    }

    @Test
    void abortedCycleExitsNonZero() throws Exception {
        try (TestS3 s3 = TestS3.start()) {
            s3.createBucket("once-aborted");
            TestDb db = TestDb.create();
            Run run = run(env(s3, db, "once-aborted", "http://127.0.0.1:" + TestNode.freePort()), "--once");

            assertThat(run.exit()).isNotZero();
            assertThat(run.report().get("aborted_reason").asText()).isEqualTo("NOT_ENOUGH_PEERS");
        }
    }

    @Test
    void theDefaultSignedPeerAuthWithoutANodeKeyExits2InOneLine() throws Exception {
        try (TestS3 s3 = TestS3.start()) {
            TestDb db = TestDb.create();
            Map<String, String> env = env(s3, db, "once-unsigned", "http://127.0.0.1:1");
            env.remove("REPAIR_PEER_AUTH");
            Run run = run(env, "--once");

            assertThat(run.exit()).isEqualTo(2);
            List<String> lines = run.stderr().strip().lines().filter(l -> l.startsWith("blob-repair:")).toList();
            assertThat(lines).hasSize(1);
            assertThat(lines.get(0)).contains("repair.node-key").contains("repair.peer-auth=none").contains("REPAIR_NODE_KEY");
            assertThat(run.stdout()).isEmpty();
        }
    }

    @Test
    void invalidValueStopsStartupNamingTheKey() throws Exception {
        try (TestS3 s3 = TestS3.start()) {
            TestDb db = TestDb.create();
            Map<String, String> env = env(s3, db, "once-invalid", "http://127.0.0.1:1");
            env.put("REPAIR_PRESENCE", "sometimes");
            Run run = run(env, "--once");

            assertThat(run.exit()).isNotZero();
            assertThat(run.stderr()).contains("repair.presence").contains("one of listing, head");
        }
    }
}
