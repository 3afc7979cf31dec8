package io.blobrepair.ops;

import io.blobrepair.repair.CycleReport;
import io.blobrepair.testing.Blob;
import io.blobrepair.testing.TestDb;
import io.blobrepair.testing.TestNode;
import io.blobrepair.testing.TestPeer;
import io.blobrepair.testing.TestS3;
import io.micrometer.core.instrument.MeterRegistry;
import org.apache.camel.builder.AdviceWith;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

import static org.assertj.core.api.Assertions.assertThat;

/** A run that resumes keeps its cursor through an abort, and its counters reach the metrics once. */
@Timeout(value = 3, unit = TimeUnit.MINUTES)
class ResumedCycleTest {

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

    @Test
    void aResumedRunThatAbortsForLackOfPeersResumesFromItsCursorLater() throws Exception {
        s3.createBucket("resume-abort");
        TestDb db = TestDb.create();
        db.createSchema();
        List<Blob> blobs = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            Blob b = Blob.of("resumed after an abort " + i);
            peer.serve(b.cid(), b.content());
            blobs.add(b);
        }
        blobs.sort(Comparator.comparing(Blob::cid));
        db.addRows("audio_previews", "cid", blobs.stream().map(Blob::cid).toList());
        // a process stopped in cycle 1 after the first two previews (its cursor), as ResumeTest leaves one
        long runId;
        try (Connection c = db.dataSource().getConnection(); PreparedStatement ps = c.prepareStatement(
                "INSERT INTO repair_runs (cycle, cleanup, started_at, phase, cursors, counters)"
                        + " VALUES (1, false, now(), 'previews', jsonb_build_object('previews', ?::text),"
                        + " '{\"total_checked\": 2, \"pull_mine_needed\": 2}'::jsonb) RETURNING id")) {
            ps.setString(1, blobs.get(1).cid());
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                runId = rs.getLong(1);
            }
        }
        try (TestNode node = TestNode.start(TestNode.settings(s3, "resume-abort", db, TestNode.freePort(), List.of(peer.url())))) {
            peer.setHealthy(false);
            CycleReport aborted = node.runCycle();
            assertThat(aborted.abortedReason()).isEqualTo("NOT_ENOUGH_PEERS");
            assertThat(aborted.cycle()).isEqualTo(1);
            peer.setHealthy(true);

            CycleReport resumed = node.runCycle();

            assertThat(resumed.abortedReason()).isNull();
            assertThat(resumed.cycle()).isEqualTo(1);
            // only the rows after the cursor were walked: the first two were done before the stop
            assertThat(resumed.counters()).containsEntry("total_checked", 4L).containsEntry("pull_mine_success", 2L);
            assertThat(s3.exists("resume-abort", blobs.get(0).key())).isFalse();
            assertThat(s3.exists("resume-abort", blobs.get(1).key())).isFalse();
            assertThat(s3.exists("resume-abort", blobs.get(2).key())).isTrue();
            assertThat(s3.exists("resume-abort", blobs.get(3).key())).isTrue();
            try (Connection c = db.dataSource().getConnection(); ResultSet rs = c.createStatement().executeQuery(
                    "SELECT id, finished_at IS NOT NULL, aborted_reason FROM repair_runs ORDER BY id")) {
                assertThat(rs.next()).isTrue();
                assertThat(rs.getLong(1)).isEqualTo(runId); // the same run, finished once it completed
                assertThat(rs.getBoolean(2)).isTrue();
                assertThat(rs.getString(3)).isNull();
                assertThat(rs.next()).as("no fresh run of cycle 1").isFalse();
            }
        }
    }

    @Test
    void countersOfAFailedAttemptReachTheMetricsOnceWhenTheRunResumes() throws Exception {
        s3.createBucket("resume-metrics");
        TestDb db = TestDb.create();
        db.createSchema();
        List<String> held = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            Blob b = Blob.of("held through a failure " + i);
            s3.put("resume-metrics", b.key(), b.content());
            held.add(b.cid());
        }
        db.addRows("audio_previews", "cid", held);
        try (TestNode node = TestNode.start(TestNode.settings(s3, "resume-metrics", db, TestNode.freePort(), List.of(peer.url())))) {
            // the cycle fails once after the previews, their cursor saved: the run stays resumable
            AtomicBoolean failOnce = new AtomicBoolean(true);
            AdviceWith.adviceWith(node.context(), "repair-qm_cids", a -> a.weaveAddFirst().process(e -> {
                if (failOnce.getAndSet(false)) {
                    throw new IllegalStateException("injected failure after the previews");
                }
            }));
            CycleReport failed = node.runCycle();
            assertThat(failed.abortedReason()).startsWith("FAILED");
            assertThat(failed.counters()).containsEntry("already_have", 3L);

            CycleReport resumed = node.runCycle();
            assertThat(resumed.abortedReason()).isNull();
            assertThat(resumed.cycle()).isEqualTo(failed.cycle());
            assertThat(resumed.counters()).containsEntry("already_have", 3L); // the run's total, restored

            MeterRegistry meters = node.bean("metricsRegistry", MeterRegistry.class);
            assertThat(meters.find("blob.repair.already_have").counter().count()).isEqualTo(3.0);
            assertThat(meters.find("blob.repair.total_checked").counter().count()).isEqualTo(3.0);
        }
    }
}
