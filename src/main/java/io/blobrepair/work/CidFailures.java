package io.blobrepair.work;

import javax.sql.DataSource;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;

/**
 * The ledger of CIDs whose repair failed with an unexpected error (table {@code repair_cid_failures}),
 * so that one poison CID costs a bounded number of failures instead of one per cycle forever.
 */
public class CidFailures {

    /**
     * @param failedCycles    consecutive cycles the CID failed in
     * @param skippedUntil    the CID is skipped until then (null: tried as usual)
     */
    public record Failure(String cid, int failedCycles, long lastFailedCycle, String lastStep, String lastError,
                          Instant lastFailedAt, Instant skippedUntil) {
    }

    private final DataSource dataSource;

    public CidFailures(DataSource dataSource) {
        this.dataSource = dataSource;
    }

    /**
     * The failures that still matter to cycle {@code cycle}: a failure in the previous cycle (the
     * streak may go on), this one (a resumed run), or a skip not yet over. Older rows are removed.
     */
    public Map<String, Failure> current(long cycle, Instant now) throws SQLException {
        Map<String, Failure> out = new HashMap<>();
        try (Connection c = dataSource.getConnection()) {
            try (PreparedStatement prune = c.prepareStatement("DELETE FROM repair_cid_failures WHERE last_failed_cycle < ?"
                    + " AND (skipped_until IS NULL OR skipped_until <= ?)")) {
                prune.setLong(1, cycle - 1);
                prune.setTimestamp(2, Timestamp.from(now));
                prune.executeUpdate();
            }
            try (PreparedStatement ps = c.prepareStatement("SELECT cid, failed_cycles, last_failed_cycle, last_step, last_error,"
                    + " last_failed_at, skipped_until FROM repair_cid_failures");
                 ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    Timestamp skipped = rs.getTimestamp(7);
                    out.put(rs.getString(1), new Failure(rs.getString(1), rs.getInt(2), rs.getLong(3), rs.getString(4),
                            rs.getString(5), rs.getTimestamp(6).toInstant(), skipped == null ? null : skipped.toInstant()));
                }
            }
        }
        return out;
    }

    public void save(Failure f) throws SQLException {
        try (Connection c = dataSource.getConnection(); PreparedStatement ps = c.prepareStatement(
                "INSERT INTO repair_cid_failures (cid, failed_cycles, last_failed_cycle, last_step, last_error, last_failed_at,"
                        + " skipped_until) VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT (cid) DO UPDATE SET"
                        + " failed_cycles = EXCLUDED.failed_cycles, last_failed_cycle = EXCLUDED.last_failed_cycle,"
                        + " last_step = EXCLUDED.last_step, last_error = EXCLUDED.last_error,"
                        + " last_failed_at = EXCLUDED.last_failed_at, skipped_until = EXCLUDED.skipped_until")) {
            ps.setString(1, f.cid());
            ps.setInt(2, f.failedCycles());
            ps.setLong(3, f.lastFailedCycle());
            ps.setString(4, f.lastStep());
            ps.setString(5, f.lastError());
            ps.setTimestamp(6, Timestamp.from(f.lastFailedAt()));
            ps.setTimestamp(7, f.skippedUntil() == null ? null : Timestamp.from(f.skippedUntil()));
            ps.executeUpdate();
        }
    }
}
