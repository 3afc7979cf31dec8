package io.blobrepair.reference;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.blobrepair.repair.CycleReport;
import io.blobrepair.testing.Blob;
import io.blobrepair.testing.TestDb;
import io.blobrepair.testing.TestNode;
import io.blobrepair.testing.TestPeer;
import io.blobrepair.testing.TestS3;
import org.junit.jupiter.api.Test;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Timestamp;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** Ended cycles appear in the reference node's own repair_trackers table, with its column meanings. */
class ReferenceRepairTrackersTest {

    /** The table as gorm's AutoMigrate creates it for the reference's RepairTracker on PostgreSQL. */
    static final String GORM_DDL = "CREATE TABLE \"repair_trackers\" (\"started_at\" timestamptz NOT NULL,"
            + "\"updated_at\" timestamptz NOT NULL,\"finished_at\" timestamptz,\"cleanup_mode\" boolean NOT NULL,"
            + "\"cursor_i\" bigint NOT NULL,\"cursor_upload_id\" text NOT NULL,\"cursor_preview_c_id\" text,"
            + "\"cursor_qm_c_id\" text NOT NULL,\"counters\" text NOT NULL,\"content_size\" bigint NOT NULL,"
            + "\"duration\" bigint NOT NULL,\"aborted_reason\" text NOT NULL,PRIMARY KEY (\"started_at\"))";

    /** The node's startup query for lastSuccessfulRepair (cleanup: the same with cleanup_mode = true). */
    static final String LAST_SUCCESSFUL = "SELECT * FROM repair_trackers WHERE finished_at IS NOT NULL"
            + " AND finished_at != '0001-01-01 00:00:00+00' AND aborted_reason = '' %s ORDER BY started_at DESC LIMIT 1";

    @Test
    void endedCyclesAreRecordedAsTheNodesOwnRepairRecordsThem() throws Exception {
        try (TestS3 s3 = TestS3.start(); TestPeer peer = TestPeer.start()) {
            s3.createBucket("trackers");
            TestDb db = TestDb.create();
            db.createSchema();
            db.execute(GORM_DDL);
            Blob held = Blob.of("held for the tracker");
            Blob missing = Blob.of("pulled for the tracker");
            s3.put("trackers", held.key(), held.content());
            peer.serve(missing.cid(), missing.content());
            db.addRows("audio_previews", "cid", List.of(held.cid(), missing.cid()));
            db.addRows("qm_cids", "key", List.of("QmP8Wuu1kN9iHBoBptB4UrTN3orna3Z6ZW2xevNkoE2y22"));
            Map<String, String> settings = TestNode.settings(s3, "trackers", db, TestNode.freePort(), List.of(peer.url()));
            settings.put("repair.store-all", "true");
            try (TestNode node = TestNode.start(settings)) {
                CycleReport normal = node.runCycle();
                Map<String, Object> row = lastSuccessful(db, "");
                assertThat(row.get("cleanup_mode")).isEqualTo(false);
                assertThat(row.get("cursor_i")).isEqualTo(2L); // cycle 1 of a 4-cycle period: the run after the cleanup run
                assertThat(row.get("cursor_preview_c_id")).isEqualTo(missing.cid().compareTo(held.cid()) > 0 ? missing.cid() : held.cid());
                assertThat(row.get("cursor_qm_c_id")).isEqualTo("QmP8Wuu1kN9iHBoBptB4UrTN3orna3Z6ZW2xevNkoE2y22");
                assertThat(row.get("cursor_upload_id")).isEqualTo("");
                assertThat(row.get("aborted_reason")).isEqualTo("");
                // what the node holds now, the pulled blob included, as the reference counts it
                assertThat(row.get("content_size")).isEqualTo((long) held.content().length + missing.content().length);
                assertThat((Long) row.get("duration")).isEqualTo(normal.durationMs() * 1_000_000L);
                JsonNode counters = new ObjectMapper().readTree((String) row.get("counters"));
                assertThat(counters.get("pull_mine_success").asLong()).isEqualTo(1);
                assertThat(counters.get("already_have").asLong()).isEqualTo(normal.counters().get("already_have"));
                Timestamp started = (Timestamp) row.get("started_at");
                assertThat(((Timestamp) row.get("finished_at"))).isAfterOrEqualTo(started);
                assertThat(lastSuccessful(db, "AND cleanup_mode = true")).isEmpty();

                node.runCleanupCycle();
                Map<String, Object> cleanup = lastSuccessful(db, "AND cleanup_mode = true");
                assertThat(cleanup.get("cursor_i")).isEqualTo(1L);
                assertThat(db.queryLong("SELECT count(*) FROM repair_trackers")).isEqualTo(2);

                // an aborted cycle is recorded with its reason, and is no successful repair
                peer.setHealthy(false);
                assertThat(node.runCycle().abortedReason()).isEqualTo("NOT_ENOUGH_PEERS");
                assertThat(db.queryLong("SELECT count(*) FROM repair_trackers WHERE aborted_reason = 'NOT_ENOUGH_PEERS'"
                        + " AND finished_at IS NOT NULL")).isEqualTo(1);
                assertThat(lastSuccessful(db, "").get("started_at")).isEqualTo(cleanup.get("started_at"));
            }
        }
    }

    @Test
    void withoutTheTableNothingHappensAndNothingFails() throws Exception {
        try (TestS3 s3 = TestS3.start(); TestPeer peer = TestPeer.start()) {
            s3.createBucket("no-trackers");
            TestDb db = TestDb.create();
            db.createSchema();
            Blob missing = Blob.of("pulled without a tracker table");
            peer.serve(missing.cid(), missing.content());
            db.addRows("audio_previews", "cid", List.of(missing.cid()));
            Map<String, String> settings = TestNode.settings(s3, "no-trackers", db, TestNode.freePort(), List.of(peer.url()));
            settings.put("repair.store-all", "true");
            try (TestNode node = TestNode.start(settings)) {
                CycleReport report = node.runCycle();
                assertThat(report.aborted()).isFalse();
                assertThat(report.counters()).containsEntry("pull_mine_success", 1L);
                assertThat(db.queryLong("SELECT count(*) FROM information_schema.tables WHERE table_name = 'repair_trackers'"))
                        .isZero();
            }
        }
    }

    private static Map<String, Object> lastSuccessful(TestDb db, String extra) throws Exception {
        try (Connection c = db.dataSource().getConnection();
             PreparedStatement ps = c.prepareStatement(String.format(LAST_SUCCESSFUL, extra));
             ResultSet rs = ps.executeQuery()) {
            if (!rs.next()) {
                return Map.of();
            }
            Map<String, Object> row = new java.util.HashMap<>();
            for (int i = 1; i <= rs.getMetaData().getColumnCount(); i++) {
                row.put(rs.getMetaData().getColumnName(i), rs.getObject(i));
            }
            return row;
        }
    }
}
