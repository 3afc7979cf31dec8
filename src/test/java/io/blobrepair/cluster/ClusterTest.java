package io.blobrepair.cluster;

import io.blobrepair.testing.Blob;
import io.blobrepair.testing.TestDb;
import io.blobrepair.testing.TestNode;
import io.blobrepair.testing.TestPeer;
import io.blobrepair.testing.TestS3;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Two replicas of the service (two JVMs) for one node, sharing its PostgreSQL with clustered
 * Quartz: every trigger runs the cycle on exactly one replica, and when the active replica is
 * killed mid-cycle the other one resumes that cycle at its next trigger.
 */
class ClusterTest {

    @TempDir
    Path logs;

    private record Replica(Process process, Path log) {
        String output() throws Exception {
            return Files.readString(log);
        }

        /** Its last log lines, for a failure message. */
        String tail() throws Exception {
            List<String> lines = Files.readAllLines(log);
            return String.join("\n", lines.subList(Math.max(0, lines.size() - 30), lines.size()));
        }
    }

    private static Replica start(Map<String, String> env, Path log) throws Exception {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        ProcessBuilder pb = new ProcessBuilder(java, "-cp", System.getProperty("java.class.path"), "io.blobrepair.BlobRepairApplication");
        pb.environment().putAll(env);
        pb.redirectErrorStream(true);
        pb.redirectOutput(log.toFile());
        return new Replica(pb.start(), log);
    }

    private static List<long[]> finishedRuns(TestDb db) throws Exception {
        List<long[]> runs = new ArrayList<>();
        try (Connection c = db.dataSource().getConnection(); ResultSet rs = c.createStatement().executeQuery(
                "SELECT cycle, id FROM repair_runs WHERE finished_at IS NOT NULL AND aborted_reason IS NULL ORDER BY id")) {
            while (rs.next()) {
                runs.add(new long[]{rs.getLong(1), rs.getLong(2)});
            }
        }
        return runs;
    }

    private static void await(BooleanSupplier condition, int seconds, List<Replica> replicas) throws Exception {
        long deadline = System.currentTimeMillis() + seconds * 1000L;
        while (!condition.getAsBoolean()) {
            if (System.currentTimeMillis() > deadline) {
                StringBuilder logs = new StringBuilder("condition not reached in " + seconds + " s; the replicas' last lines:");
                for (Replica r : replicas) {
                    logs.append("\n--- ").append(r.log().getFileName()).append(r.process().isAlive() ? " (alive)" : " (exited)")
                            .append("\n").append(r.tail());
                }
                throw new AssertionError(logs.toString());
            }
            Thread.sleep(200);
        }
    }

    @Test
    void eachTriggerRunsOnceAndAKilledReplicasCycleIsResumedByTheOther() throws Exception {
        try (TestS3 s3 = TestS3.start(); TestPeer peer = TestPeer.start()) {
            s3.createBucket("cluster");
            TestDb db = TestDb.create();
            db.createSchema();
            List<String> cids = new ArrayList<>();
            for (int i = 0; i < 30; i++) {
                Blob b = Blob.of("cluster " + i);
                s3.put("cluster", b.key(), b.content());
                cids.add(b.cid());
            }
            db.addRows("audio_previews", "cid", cids);
            Map<String, String> env = new HashMap<>(Map.of(
                    "REPAIR_S3_ENDPOINT", s3.endpoint(), "REPAIR_S3_BUCKET", "cluster",
                    "REPAIR_S3_ACCESS_KEY", TestS3.ACCESS_KEY, "REPAIR_S3_SECRET_KEY", TestS3.SECRET_KEY,
                    "REPAIR_DB_URL", db.jdbcUrl(), "REPAIR_DB_USER", "postgres",
                    "REPAIR_SELF_HOST", "http://127.0.0.1:1", "REPAIR_PEERS", peer.url(),
                    "REPAIR_CLUSTER_ENABLED", "true", "REPAIR_INTERVAL", "3s"));
            env.put("REPAIR_REPLICATION_FACTOR", "3");
            env.put("REPAIR_PEER_AUTH", "none");
            env.put("REPAIR_STARTUP_DELAY", "1s");
            List<Replica> replicas = new ArrayList<>();
            try {
                for (int i = 0; i < 2; i++) {
                    Map<String, String> own = new HashMap<>(env);
                    own.put("REPAIR_HTTP_PORT", String.valueOf(TestNode.freePort()));
                    own.put("REPAIR_MANAGEMENT_PORT", String.valueOf(TestNode.freePort()));
                    replicas.add(start(own, logs.resolve("replica-" + i + ".log")));
                }
                // several triggers with both replicas up
                await(() -> {
                    try {
                        return finishedRuns(db).size() >= 4;
                    } catch (Exception e) {
                        return false;
                    }
                }, 120, replicas);
                List<long[]> runs = finishedRuns(db);
                for (int i = 0; i < runs.size(); i++) {
                    assertThat(runs.get(i)[0]).as("cycle numbers run once each, in order").isEqualTo(i + 1);
                }
                for (Replica r : replicas) {
                    assertThat(r.process().isAlive()).as("%s is up; its last lines:%n%s", r.log().getFileName(), r.tail()).isTrue();
                    assertThat(r.output()).doesNotContain("another replica is running");
                }

                // a missing blob whose pull hangs: the replica running that cycle is killed there
                Blob missing = Blob.of("cluster missing");
                peer.serve(missing.cid(), missing.content());
                TestPeer.Hold hold = peer.hold(missing.cid());
                db.addRows("audio_previews", "cid", List.of(missing.cid()));
                assertThat(hold.reached().await(60, TimeUnit.SECONDS)).isTrue();
                long stuckCycle = db.queryLong("SELECT cycle FROM repair_runs WHERE finished_at IS NULL");
                Replica active = null;
                for (Replica r : replicas) {
                    if (r.output().contains("cycle " + stuckCycle + " starts")) {
                        active = r;
                    }
                }
                assertThat(active).isNotNull();
                active.process().destroyForcibly();
                assertThat(active.process().waitFor(30, TimeUnit.SECONDS)).isTrue();
                hold.release().countDown();
                Replica survivor = replicas.get(0) == active ? replicas.get(1) : replicas.get(0);

                await(() -> {
                    try {
                        return db.queryLong("SELECT count(*) FROM repair_runs WHERE cycle = " + stuckCycle
                                + " AND finished_at IS NOT NULL AND aborted_reason IS NULL") == 1;
                    } catch (Exception e) {
                        return false;
                    }
                }, 120, replicas);
                assertThat(survivor.output()).contains("cycle " + stuckCycle + " resumes");
                assertThat(s3.read("cluster", missing.key())).isEqualTo(missing.content());
                assertThat(db.queryLong("SELECT count(*) FROM repair_runs WHERE cycle = " + stuckCycle)).isEqualTo(1);
            } finally {
                for (Replica r : replicas) {
                    r.process().destroyForcibly();
                }
            }
        }
    }
}
