package io.blobrepair.faults;

import io.blobrepair.repair.CycleReport;
import io.blobrepair.testing.Blob;
import io.blobrepair.testing.TestDb;
import io.blobrepair.testing.TestNode;
import io.blobrepair.testing.TestPeer;
import io.blobrepair.testing.TestS3;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/** The database going away mid-scroll, and the process killed mid-cycle. */
class ProcessFaultTest {

    @TempDir
    Path pgData;

    private static long queryLong(String url, String sql) throws Exception {
        try (Connection c = DriverManager.getConnection(url, "postgres", ""); PreparedStatement ps = c.prepareStatement(sql);
             ResultSet rs = ps.executeQuery()) {
            return rs.next() ? rs.getLong(1) : -1;
        }
    }

    @Test
    void databaseDroppingMidScrollAbortsTheCycleAndTheNextOneResumes() throws Exception {
        int pgPort = TestNode.freePort();
        EmbeddedPostgres pg = EmbeddedPostgres.builder().setDataDirectory(pgData).setCleanDataDirectory(false).setPort(pgPort).start();
        String url = pg.getJdbcUrl("postgres", "postgres");
        try (TestS3 s3 = TestS3.start(); TestPeer peer = TestPeer.start()) {
            s3.createBucket("db-drop");
            TestDb db = TestDb.create(); // only for the settings shape
            Map<String, String> settings = TestNode.settings(s3, "db-drop", db, TestNode.freePort(), List.of(peer.url()));
            settings.put("repair.db.url", url);
            Blob stuck = null;
            try (TestNode node = TestNode.start(settings)) {
                try (Connection c = DriverManager.getConnection(url, "postgres", "");
                     PreparedStatement ps = c.prepareStatement("INSERT INTO audio_previews (cid) VALUES (?)")) {
                    for (int i = 0; i < 1500; i++) {
                        Blob b = Blob.of("db drop " + i);
                        ps.setString(1, b.cid());
                        ps.addBatch();
                        s3.put("db-drop", b.key(), b.content());
                    }
                    ps.executeBatch();
                }
                List<String> cids = new ArrayList<>();
                try (Connection c = DriverManager.getConnection(url, "postgres", "");
                     ResultSet rs = c.createStatement().executeQuery("SELECT cid FROM audio_previews ORDER BY cid")) {
                    while (rs.next()) {
                        cids.add(rs.getString(1));
                    }
                }
                // the 1201st row's blob goes missing: its pull hangs in the second batch
                String stuckCid = cids.get(1200);
                for (int i = 0; stuck == null; i++) {
                    Blob b = Blob.of("db drop " + i);
                    if (b.cid().equals(stuckCid)) {
                        stuck = b;
                    }
                }
                s3.client().deleteObject(r -> r.bucket("db-drop").key(stuckCid.substring(stuckCid.length() - 5) + "/" + stuckCid));
                peer.serve(stuck.cid(), stuck.content());
                TestPeer.Hold hold = peer.hold(stuck.cid());

                CompletableFuture<CycleReport> cycle = CompletableFuture.supplyAsync(node::runCycle);
                assertThat(hold.reached().await(30, TimeUnit.SECONDS)).isTrue();
                pg.close(); // the database goes away mid-scroll
                hold.release().countDown();
                CycleReport aborted = cycle.get(60, TimeUnit.SECONDS);
                assertThat(aborted.abortedReason()).startsWith("FAILED:");

                pg = EmbeddedPostgres.builder().setDataDirectory(pgData).setCleanDataDirectory(false).setPort(pgPort).start();
                assertThat(queryLong(url, "SELECT count(*) FROM repair_runs WHERE finished_at IS NULL AND cursors->>'previews' IS NOT NULL")).isEqualTo(1);

                CycleReport resumed = node.runCycle();
                if (resumed.abortedReason() != null) {
                    // the failed cycle discarded the pooled connections; should one the stopped server
                    // closed still reach this cycle, it fails on the database (or its guard finds the
                    // database not answering yet), stays resumable, and the one after resumes
                    assertThat(resumed.abortedReason()).satisfiesAnyOf(
                            reason -> assertThat(reason).startsWith("FAILED:"),
                            reason -> assertThat(reason).isEqualTo("DATABASE_UNREACHABLE"));
                    resumed = node.runCycle();
                }
                assertThat(resumed.abortedReason()).isNull();
                assertThat(resumed.cycle()).isEqualTo(aborted.cycle());
                assertThat(resumed.counters()).containsEntry("total_checked", 1500L).containsEntry("pull_mine_success", 1L);
                assertThat(s3.read("db-drop", stuck.key())).isEqualTo(stuck.content());
            }
        } finally {
            pg.close();
        }
    }

    /**
     * A cleanup run in a child JVM is killed (SIGKILL) while it repairs corrupted blobs; a
     * second run resumes it. Every corrupted copy is deleted exactly once, no valid blob ever.
     */
    @Test
    void killedMidCycleResumesAndDeletesNothingTwiceOrWrongly() throws Exception {
        try (TestS3 s3 = TestS3.start(); TestPeer peer = TestPeer.start()) {
            s3.createBucket("killed");
            TestDb db = TestDb.create();
            db.createSchema();
            List<Blob> blobs = new ArrayList<>();
            Set<String> corrupted = new HashSet<>();
            for (int i = 0; i < 2500; i++) {
                Blob b = Blob.of("killed " + i);
                blobs.add(b);
                peer.serve(b.cid(), b.content());
                if (i % 100 == 7) {
                    corrupted.add(b.key());
                    s3.put("killed", b.key(), "corrupted".getBytes(StandardCharsets.UTF_8));
                } else {
                    s3.put("killed", b.key(), b.content());
                }
            }
            db.addRows("audio_previews", "cid", blobs.stream().map(Blob::cid).toList());
            // the re-pull of a corrupted blob in the second batch hangs: the child is killed there
            List<Blob> sorted = new ArrayList<>(blobs);
            sorted.sort((a, b) -> a.cid().compareTo(b.cid()));
            Blob hangsOn = sorted.subList(1000, 2000).stream().filter(b -> corrupted.contains(b.key())).findFirst().orElseThrow();
            TestPeer.Hold hold = peer.hold(hangsOn.cid());

            Map<String, String> env = new java.util.HashMap<>(Map.of(
                    "REPAIR_S3_ENDPOINT", s3.endpoint(), "REPAIR_S3_BUCKET", "killed",
                    "REPAIR_S3_ACCESS_KEY", TestS3.ACCESS_KEY, "REPAIR_S3_SECRET_KEY", TestS3.SECRET_KEY,
                    "REPAIR_DB_URL", db.jdbcUrl(), "REPAIR_DB_USER", "postgres",
                    "REPAIR_SELF_HOST", "http://127.0.0.1:1", "REPAIR_PEERS", peer.url(),
                    "REPAIR_MAX_DELETE_FRACTION", "1"));
            // written for R=3 without peer auth; the defaults are now 4 and signed
            env.put("REPAIR_REPLICATION_FACTOR", "3");
            env.put("REPAIR_PEER_AUTH", "none");
            Process first = child(env);
            assertThat(hold.reached().await(120, TimeUnit.SECONDS)).isTrue();
            first.destroyForcibly(); // SIGKILL
            assertThat(first.waitFor(30, TimeUnit.SECONDS)).isTrue();
            hold.release().countDown();
            assertThat(db.queryLong("SELECT count(*) FROM repair_runs WHERE finished_at IS NULL AND cleanup")).isEqualTo(1);
            int deletedBeforeKill = s3.store().removedKeys().size();
            assertThat(deletedBeforeKill).isGreaterThan(0);

            Process second = child(env);
            assertThat(second.waitFor(180, TimeUnit.SECONDS)).isTrue();
            assertThat(second.exitValue()).isZero();

            assertThat(s3.store().removedKeys()).doesNotHaveDuplicates().allMatch(corrupted::contains);
            assertThat(s3.store().removedKeys()).hasSize(corrupted.size());
            for (Blob b : blobs) {
                assertThat(s3.read("killed", b.key())).as(b.key()).isEqualTo(b.content());
            }
            assertThat(db.queryLong("SELECT count(*) FROM repair_runs")).isEqualTo(1);
        }
    }

    private static Process child(Map<String, String> env) throws Exception {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        ProcessBuilder pb = new ProcessBuilder(java, "-cp", System.getProperty("java.class.path"),
                "io.blobrepair.BlobRepairApplication", "--once", "--cleanup");
        pb.environment().putAll(env);
        pb.redirectErrorStream(true);
        pb.redirectOutput(ProcessBuilder.Redirect.DISCARD);
        return pb.start();
    }
}
