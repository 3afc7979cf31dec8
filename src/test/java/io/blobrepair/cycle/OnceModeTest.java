package io.blobrepair.cycle;

import com.fasterxml.jackson.databind.JsonNode;
import io.blobrepair.testing.Blob;
import io.blobrepair.testing.ChildJvm;
import io.blobrepair.testing.ChildJvm.Drain;
import io.blobrepair.testing.ChildJvm.Run;
import io.blobrepair.testing.TestDb;
import io.blobrepair.testing.TestNode;
import io.blobrepair.testing.TestPeer;
import io.blobrepair.testing.TestS3;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

/**
 * The command line in a child JVM, configured the way an operator does it (environment, a
 * configuration file, -D): {@code --once} prints one JSON report as the last stdout line and
 * exits 0, 1 when the cycle aborted (with one line saying why) and 2 for a bad configuration
 * value. Every child is read with a deadline: a hung child fails its test with its output.
 */
@Timeout(value = 10, unit = TimeUnit.MINUTES)
class OnceModeTest {

    private static final long CHILD_DEADLINE_SECONDS = 120;
    private static TestS3 s3;
    private static TestPeer peer;

    @TempDir
    Path dir;

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

    private static Process launch(Path workDir, Map<String, String> env, List<String> jvmOptions, String... args) throws IOException {
        return ChildJvm.launch(workDir, env, jvmOptions, args);
    }

    private static Run run(Path workDir, Map<String, String> env, List<String> jvmOptions, String... args) throws Exception {
        return ChildJvm.run(workDir, env, jvmOptions, CHILD_DEADLINE_SECONDS, args);
    }

    private static Run run(Map<String, String> env, String... args) throws Exception {
        return run(null, env, List.of(), args);
    }

    /** Asserts the exit code, showing the child's whole output when it differs. */
    private static Run expectExit(Run run, int exit) {
        assertThat(run.exit()).as(run.describe()).isEqualTo(exit);
        return run;
    }

    private static Map<String, String> env(TestDb db, String bucket, String peers) {
        Map<String, String> env = new HashMap<>(Map.of(
                "REPAIR_S3_ENDPOINT", s3.endpoint(),
                "REPAIR_S3_ACCESS_KEY", TestS3.ACCESS_KEY,
                "REPAIR_S3_SECRET_KEY", TestS3.SECRET_KEY,
                "REPAIR_DB_URL", db.jdbcUrl(),
                "REPAIR_DB_USER", "postgres",
                "REPAIR_SELF_HOST", "http://127.0.0.1:1",
                "REPAIR_PEERS", peers,
                // written for R=3 without peer auth; the defaults are now 4 and signed
                "REPAIR_REPLICATION_FACTOR", "3",
                "REPAIR_PEER_AUTH", "none"));
        if (bucket != null) {
            env.put("REPAIR_S3_BUCKET", bucket);
        }
        return env;
    }

    @Test
    void onceRunsOneCycleAndPrintsItsReport() throws Exception {
        s3.createBucket("once");
        TestDb db = TestDb.create();
        db.createSchema();
        Blob held = Blob.of("held");
        Blob missing = Blob.of("missing");
        s3.put("once", held.key(), held.content());
        peer.serve(missing.cid(), missing.content());
        db.addRows("audio_previews", "cid", List.of(held.cid(), missing.cid()));

        Run run = expectExit(run(env(db, "once", peer.url()), "--once"), 0);

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

        Run cleanup = expectExit(run(env(db, "once", peer.url()), "--once", "--cleanup"), 0);
        assertThat(cleanup.report().get("cycle").asLong()).isEqualTo(2);
        assertThat(cleanup.report().get("cleanup").asBoolean()).isTrue();
        // secrets never reach the output
        assertThat(run.stdout() + run.stderr() + cleanup.stderr()).doesNotContain(TestS3.SECRET_KEY);
    }

    @Test
    void dryRunOnTheCommandLineCountsThePullAndChangesNothing() throws Exception {
        s3.createBucket("once-dry");
        TestDb db = TestDb.create();
        db.createSchema();
        Blob missing = Blob.of("missing, but only a dry run");
        peer.serve(missing.cid(), missing.content());
        db.addRows("audio_previews", "cid", List.of(missing.cid()));

        Run run = expectExit(run(env(db, "once-dry", peer.url()), "--once", "--dry-run"), 0);

        assertThat(run.report().get("counters").get("pull_mine_needed").asLong()).isEqualTo(1);
        assertThat(run.report().get("counters").get("dry_run_skipped").asLong()).isEqualTo(1);
        assertThat(run.report().get("counters").get("pull_mine_success").asLong()).isZero();
        assertThat(run.report().get("s3_requests").get("PutObject").asLong()).isZero();
        assertThat(s3.exists("once-dry", missing.key())).isFalse();
        // --dry-run is for --once only; the service takes repair.dry-run
        Run service = expectExit(run(env(db, "once-dry", peer.url()), "--dry-run"), 2);
        assertThat(service.reasonLine()).contains("--dry-run").contains("repair.dry-run");
    }

    @Test
    void abortedCycleExitsOneWithItsReasonOnOneLine() throws Exception {
        s3.createBucket("once-aborted");
        TestDb db = TestDb.create();
        Run run = expectExit(run(env(db, "once-aborted", "http://127.0.0.1:" + TestNode.freePort()), "--once"), 1);

        assertThat(run.report().get("aborted_reason").asText()).isEqualTo("NOT_ENOUGH_PEERS");
        assertThat(run.reasonLine()).startsWith("blob-repair: cycle aborted: NOT_ENOUGH_PEERS");
    }

    @Test
    void s3DownExitsOneNamingS3() throws Exception {
        TestDb db = TestDb.create();
        Map<String, String> env = env(db, "once-s3-down", peer.url());
        env.put("REPAIR_S3_ENDPOINT", "http://127.0.0.1:" + TestNode.freePort());
        env.put("REPAIR_S3_MAX_ATTEMPTS", "1");
        Run run = expectExit(run(env, "--once"), 1);

        assertThat(run.report().get("aborted_reason").asText()).isEqualTo("S3_UNREACHABLE");
        assertThat(run.reasonLine()).startsWith("blob-repair: cycle aborted: S3_UNREACHABLE").contains(env.get("REPAIR_S3_ENDPOINT"));
        assertThat(run.stderr()).doesNotContain("\tat ");
    }

    @Test
    void databaseDownExitsOneWithOneLineNamingItsUrlWithoutCredentials() throws Exception {
        s3.createBucket("once-db-down");
        TestDb db = TestDb.create();
        Map<String, String> env = env(db, "once-db-down", peer.url());
        int downPort = TestNode.freePort();
        env.put("REPAIR_DB_URL", "jdbc:postgresql://127.0.0.1:" + downPort + "/node?user=postgres&password=db-secret-3f9a");
        Run run = expectExit(run(env, "--once"), 1);

        assertThat(run.report().get("aborted_reason").asText()).isEqualTo("DATABASE_UNREACHABLE");
        assertThat(run.reasonLine()).startsWith("blob-repair: cycle aborted: DATABASE_UNREACHABLE")
                .contains("jdbc:postgresql://127.0.0.1:" + downPort + "/node");
        assertThat(run.stdout() + run.stderr()).as(run.describe()).doesNotContain("db-secret-3f9a").doesNotContain("\tat ");
    }

    @Test
    void theDefaultSignedPeerAuthWithoutANodeKeyExitsTwoInOneLine() throws Exception {
        TestDb db = TestDb.create();
        Map<String, String> env = env(db, "once-unsigned", "http://127.0.0.1:1");
        env.remove("REPAIR_PEER_AUTH");

        Run run = expectExit(run(env, "--once"), 2);

        assertThat(run.reasonLine()).contains("repair.node-key").contains("repair.peer-auth=none").contains("REPAIR_NODE_KEY");
        assertThat(run.stdout()).isEmpty();
    }

    @Test
    void invalidValueExitsTwoWithOneLineNamingTheKey() throws Exception {
        TestDb db = TestDb.create();
        Map<String, String> env = env(db, "once-invalid", "http://127.0.0.1:1");
        env.put("REPAIR_PRESENCE", "sometimes");
        Run run = expectExit(run(env, "--once"), 2);

        assertThat(run.reasonLine()).contains("repair.presence").contains("one of listing, head").contains("REPAIR_PRESENCE");
    }

    @Test
    void aMissingBucketExitsTwoWithOneLine() throws Exception {
        TestDb db = TestDb.create();
        Run run = expectExit(run(env(db, "never-created-bucket", peer.url()), "--once"), 2);

        assertThat(run.reasonLine()).contains("repair.s3.bucket").contains("never-created-bucket").contains("does not exist");
        assertThat(run.stderr()).doesNotContain("\tat ");
    }

    @Test
    void configurationFileBesideTheJarThenEnvironmentThenSystemProperties() throws Exception {
        s3.createBucket("from-file");
        TestDb db = TestDb.create();
        db.createSchema();
        Blob missing = Blob.of("configured from three places");
        peer.serve(missing.cid(), missing.content());
        db.addRows("audio_previews", "cid", List.of(missing.cid()));
        // the file: a bucket (the default "blobs" does not exist), peers the environment replaces, no dry run
        Files.writeString(dir.resolve("application.properties"), """
                repair.s3.bucket = from-file
                repair.peers = http://127.0.0.1:1
                repair.dry-run = false
                """);
        Map<String, String> env = env(db, null, peer.url());
        env.put("REPAIR_DRY_RUN", "false");

        // -D wins over the environment: a dry run
        Run dry = expectExit(run(dir, env, List.of("-Drepair.dry-run=true"), "--once"), 0);
        assertThat(dry.report().get("counters").get("dry_run_skipped").asLong()).as(dry.describe()).isEqualTo(1);
        // the environment wins over the file (its peer is reached), the file over the defaults (its bucket)
        Run real = expectExit(run(dir, env, List.of(), "--once"), 0);
        assertThat(real.report().get("counters").get("pull_mine_success").asLong()).as(real.describe()).isEqualTo(1);
        assertThat(s3.exists("from-file", missing.key())).isTrue();

        // --config names a file elsewhere; a bad value in it exits 2 naming the key (nothing set in the environment hides it)
        env.remove("REPAIR_REPLICATION_FACTOR");
        Path other = Files.createDirectory(dir.resolve("etc")).resolve("repair.properties");
        Files.writeString(other, "repair.s3.bucket = from-file\nrepair.replication-factor = notanumber\n");
        Run bad = expectExit(run(null, env, List.of(), "--once", "--config", other.toString()), 2);
        assertThat(bad.reasonLine()).contains("repair.replication-factor").contains("notanumber");
        Files.writeString(dir.resolve("application.properties"), "repair.replication-factor = notanumber\n");
        Run badBeside = expectExit(run(dir, env, List.of(), "--once"), 2);
        assertThat(badBeside.reasonLine()).contains("repair.replication-factor").contains("notanumber");
        Run missingFile = expectExit(run(null, env, List.of(), "--once", "--config", dir.resolve("nope.properties").toString()), 2);
        assertThat(missingFile.reasonLine()).contains("repair.config-file");
    }

    @Test
    void camelManagementPortFromTheEnvironmentMovesTheManagementPort() throws Exception {
        s3.createBucket("service-port");
        TestDb db = TestDb.create();
        Map<String, String> env = env(db, "service-port", peer.url());
        int port = TestNode.freePort();
        env.put("CAMEL_MANAGEMENT_PORT", String.valueOf(port));
        env.put("REPAIR_HTTP_PORT", "0");
        env.put("REPAIR_ENABLED", "false");
        Process service = launch(null, env, List.of());
        Drain out = new Drain(service.getInputStream(), "service-stdout");
        Drain err = new Drain(service.getErrorStream(), "service-stderr");
        try {
            long deadline = System.currentTimeMillis() + CHILD_DEADLINE_SECONDS * 1000;
            int status = 0;
            String body = "";
            while (status != 200 && System.currentTimeMillis() < deadline && service.isAlive()) {
                try {
                    var health = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/observe/health"))
                            .build(), java.net.http.HttpResponse.BodyHandlers.ofString());
                    status = health.statusCode();
                    body = health.body();
                } catch (IOException notYet) {
                    // not listening yet
                }
                Thread.sleep(200);
            }
            if (status != 200) {
                service.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
                fail("no healthy management endpoint on " + port + " (last answer " + status + ": " + body + ")\n--- stdout\n" + out.text() + "\n--- stderr\n" + err.text());
            }
        } finally {
            service.destroy();
            if (!service.waitFor(30, TimeUnit.SECONDS)) {
                service.destroyForcibly();
            }
        }
    }
}
