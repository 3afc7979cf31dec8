package io.blobrepair.work;

import javax.sql.DataSource;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Blobs this node should hold that no reachable peer holds: every peer's filter said absent and
 * every direct attempt failed. Recorded once (table {@code lost_blobs}), retried at most once
 * per cleanup period.
 */
public class LostBlobs {

    private final DataSource dataSource;
    private volatile long count = -1;

    public LostBlobs(DataSource dataSource) {
        this.dataSource = dataSource;
    }

    /** Records a lost blob (first time) or its new attempt. */
    public void record(String cid, String storageKey, List<String> hostsTried, Instant now) throws SQLException {
        try (Connection c = dataSource.getConnection(); PreparedStatement ps = c.prepareStatement(
                "INSERT INTO lost_blobs (cid, storage_key, first_seen, last_tried, hosts_tried, tries) VALUES (?, ?, ?, ?, ?, 1)"
                        + " ON CONFLICT (cid) DO UPDATE SET last_tried = EXCLUDED.last_tried, hosts_tried = EXCLUDED.hosts_tried,"
                        + " tries = lost_blobs.tries + 1")) {
            ps.setString(1, cid);
            ps.setString(2, storageKey);
            ps.setTimestamp(3, Timestamp.from(now));
            ps.setTimestamp(4, Timestamp.from(now));
            ps.setString(5, String.join(",", hostsTried));
            ps.executeUpdate();
        }
        count = -1;
    }

    /** Whether the blob was found lost less than {@code period} ago: then it is not tried again yet. */
    public boolean triedWithin(String cid, Duration period, Instant now) throws SQLException {
        try (Connection c = dataSource.getConnection();
             PreparedStatement ps = c.prepareStatement("SELECT last_tried FROM lost_blobs WHERE cid = ?")) {
            ps.setString(1, cid);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() && rs.getTimestamp(1).toInstant().plus(period).isAfter(now);
            }
        }
    }

    /** A lost blob that came back (pulled at last) leaves the report. */
    public void found(String cid) throws SQLException {
        try (Connection c = dataSource.getConnection();
             PreparedStatement ps = c.prepareStatement("DELETE FROM lost_blobs WHERE cid = ?")) {
            ps.setString(1, cid);
            if (ps.executeUpdate() > 0) {
                count = -1;
            }
        }
    }

    public long count() {
        long n = count;
        if (n < 0) {
            try (Connection c = dataSource.getConnection(); PreparedStatement ps = c.prepareStatement("SELECT count(*) FROM lost_blobs");
                 ResultSet rs = ps.executeQuery()) {
                rs.next();
                n = rs.getLong(1);
                count = n;
            } catch (SQLException e) {
                return 0;
            }
        }
        return n;
    }

    /** The newest {@code limit} lost blobs, for {@code GET /internal/logs/lost}. */
    public List<Map<String, Object>> recent(int limit) throws SQLException {
        List<Map<String, Object>> out = new ArrayList<>();
        try (Connection c = dataSource.getConnection(); PreparedStatement ps = c.prepareStatement(
                "SELECT cid, storage_key, first_seen, last_tried, hosts_tried, tries FROM lost_blobs ORDER BY first_seen DESC, cid LIMIT ?")) {
            ps.setInt(1, limit);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    Map<String, Object> m = new LinkedHashMap<>();
                    m.put("cid", rs.getString(1));
                    m.put("storage_key", rs.getString(2));
                    m.put("first_seen", rs.getTimestamp(3).toInstant().toString());
                    m.put("last_tried", rs.getTimestamp(4).toInstant().toString());
                    m.put("hosts_tried", List.of(rs.getString(5).split(",")));
                    m.put("tries", rs.getInt(6));
                    out.add(m);
                }
            }
        }
        return out;
    }
}
