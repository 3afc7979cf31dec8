package io.blobrepair.work;

import com.google.common.base.Suppliers;
import io.blobrepair.cid.Cid;

import javax.sql.DataSource;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * The evidence of data loss, table {@code repair_data_loss} in the reference's columns (so a
 * reference node sharing the database reports the same figures), plus {@code last_failed_cycle}
 * (ours: a failed cycle counts once even when a resumed run walks its batch again). Every time
 * written is the service's clock's, never the database's {@code now()}.
 */
public class DataLossLedger {

    /**
     * One CID's evidence.
     *
     * @param failedCycles      cycles in which no host served the CID
     * @param declaredAt        when it was declared lost; written once
     * @param recheckAfter      a declared loss is not tried again before then
     * @param recoveredAt       a pull succeeded after the failures; null while open
     * @param lastFailedCycle   the cycle that counted the last failure (null in rows the reference wrote)
     */
    public record Entry(String cid, int failedCycles, Instant firstFailedAt, Instant lastFailedAt,
                        boolean lastAttemptExhaustive, Instant declaredAt, Instant recheckAfter, Instant recoveredAt,
                        Long lastFailedCycle) {
    }

    /** What the gauges show: declared and not recovered, accumulating (neither declared nor recovered). */
    public record Counts(double declared, double accumulating) {
    }

    /** {@code GET /internal/data-loss}, the reference's {@code DataLossSummary}; total only grows when a new CID is declared. */
    public record Summary(long total, long pendingRecheck, long recovered, long accumulating, long declaredLast24h,
                          Instant oldestDeclared, Instant newestDeclared) {

        /** The reference's JSON: its field names, the two times left out when there are none. */
        public Map<String, Object> asJson() {
            Map<String, Object> json = new LinkedHashMap<>();
            json.put("total", total);
            json.put("pendingRecheck", pendingRecheck);
            json.put("recovered", recovered);
            json.put("accumulating", accumulating);
            json.put("declaredLast24h", declaredLast24h);
            if (oldestDeclared != null) {
                json.put("oldestDeclared", oldestDeclared.toString());
            }
            if (newestDeclared != null) {
                json.put("newestDeclared", newestDeclared.toString());
            }
            return json;
        }
    }

    private static final String COLUMNS = "cid, failed_cycles, first_failed_at, last_failed_at, last_attempt_exhaustive,"
            + " declared_at, recheck_after, recovered_at, last_failed_cycle";

    private final DataSource dataSource;
    // a scrape reads both gauges: one query for the two, at most every few seconds
    private final Supplier<Counts> counts = Suppliers.memoizeWithExpiration(this::queryCounts, 5, TimeUnit.SECONDS);

    public DataLossLedger(DataSource dataSource) {
        this.dataSource = dataSource;
    }

    /** Every CID whose evidence is open (accumulating or declared, not recovered). */
    public Map<String, Entry> open() throws SQLException {
        Map<String, Entry> out = new HashMap<>();
        try (Connection c = dataSource.getConnection();
             PreparedStatement ps = c.prepareStatement("SELECT " + COLUMNS + " FROM repair_data_loss WHERE recovered_at IS NULL");
             ResultSet rs = ps.executeQuery()) {
            while (rs.next()) {
                Entry e = entry(rs);
                out.put(e.cid(), e);
            }
        }
        return out;
    }

    /** The CID's entry, null when it has none. */
    public Entry find(String cid) throws SQLException {
        try (Connection c = dataSource.getConnection();
             PreparedStatement ps = c.prepareStatement("SELECT " + COLUMNS + " FROM repair_data_loss WHERE cid = ?")) {
            ps.setString(1, cid);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? entry(rs) : null;
            }
        }
    }

    public void save(Entry e) throws SQLException {
        try (Connection c = dataSource.getConnection(); PreparedStatement ps = c.prepareStatement(
                "INSERT INTO repair_data_loss (" + COLUMNS + ") VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (cid) DO UPDATE SET"
                        + " failed_cycles = EXCLUDED.failed_cycles, first_failed_at = EXCLUDED.first_failed_at,"
                        + " last_failed_at = EXCLUDED.last_failed_at, last_attempt_exhaustive = EXCLUDED.last_attempt_exhaustive,"
                        + " declared_at = EXCLUDED.declared_at, recheck_after = EXCLUDED.recheck_after,"
                        + " recovered_at = EXCLUDED.recovered_at, last_failed_cycle = EXCLUDED.last_failed_cycle")) {
            ps.setString(1, e.cid());
            ps.setInt(2, e.failedCycles());
            ps.setTimestamp(3, timestamp(e.firstFailedAt()));
            ps.setTimestamp(4, timestamp(e.lastFailedAt()));
            ps.setBoolean(5, e.lastAttemptExhaustive());
            ps.setTimestamp(6, timestamp(e.declaredAt()));
            ps.setTimestamp(7, timestamp(e.recheckAfter()));
            ps.setTimestamp(8, timestamp(e.recoveredAt()));
            if (e.lastFailedCycle() == null) {
                ps.setNull(9, java.sql.Types.BIGINT);
            } else {
                ps.setLong(9, e.lastFailedCycle());
            }
            ps.executeUpdate();
        }
    }

    /** The reference's summary, at {@code now} (the service's clock). */
    public Summary summary(Instant now) throws SQLException {
        try (Connection c = dataSource.getConnection(); PreparedStatement ps = c.prepareStatement("SELECT"
                + " count(*) FILTER (WHERE declared_at IS NOT NULL AND recovered_at IS NULL),"
                + " count(*) FILTER (WHERE declared_at IS NOT NULL AND recovered_at IS NULL AND recheck_after IS NOT NULL"
                + " AND recheck_after <= ?),"
                + " count(*) FILTER (WHERE recovered_at IS NOT NULL),"
                + " count(*) FILTER (WHERE declared_at IS NULL AND recovered_at IS NULL),"
                + " count(*) FILTER (WHERE declared_at > ?),"
                + " min(declared_at) FILTER (WHERE recovered_at IS NULL),"
                + " max(declared_at) FILTER (WHERE recovered_at IS NULL)"
                + " FROM repair_data_loss")) {
            ps.setTimestamp(1, timestamp(now));
            ps.setTimestamp(2, timestamp(now.minus(Duration.ofHours(24))));
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                return new Summary(rs.getLong(1), rs.getLong(2), rs.getLong(3), rs.getLong(4), rs.getLong(5),
                        instant(rs.getTimestamp(6)), instant(rs.getTimestamp(7)));
            }
        }
    }

    /** Declared and accumulating CIDs for the gauges; unknown (NaN) while the database does not answer. */
    public Counts counts() {
        return counts.get();
    }

    private Counts queryCounts() {
        try (Connection c = dataSource.getConnection(); PreparedStatement ps = c.prepareStatement("SELECT"
                + " count(*) FILTER (WHERE declared_at IS NOT NULL AND recovered_at IS NULL),"
                + " count(*) FILTER (WHERE declared_at IS NULL AND recovered_at IS NULL) FROM repair_data_loss");
             ResultSet rs = ps.executeQuery()) {
            rs.next();
            return new Counts(rs.getLong(1), rs.getLong(2));
        } catch (SQLException e) {
            return new Counts(Double.NaN, Double.NaN);
        }
    }

    /** The {@code limit} entries failed most recently, for {@code GET /internal/logs/lost}. */
    public List<Map<String, Object>> recent(int limit) throws SQLException {
        List<Map<String, Object>> out = new ArrayList<>();
        try (Connection c = dataSource.getConnection(); PreparedStatement ps = c.prepareStatement(
                "SELECT " + COLUMNS + " FROM repair_data_loss ORDER BY last_failed_at DESC, cid LIMIT ?")) {
            ps.setInt(1, limit);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    out.add(asJson(entry(rs)));
                }
            }
        }
        return out;
    }

    private static Map<String, Object> asJson(Entry e) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("cid", e.cid());
        m.put("storage_key", Cid.parse(e.cid()).map(Cid::storageKey).orElse(e.cid()));
        m.put("state", e.recoveredAt() != null ? "recovered" : e.declaredAt() != null ? "declared" : "accumulating");
        m.put("failed_cycles", e.failedCycles());
        m.put("first_failed_at", text(e.firstFailedAt()));
        m.put("last_failed_at", text(e.lastFailedAt()));
        m.put("last_attempt_exhaustive", e.lastAttemptExhaustive());
        m.put("declared_at", text(e.declaredAt()));
        m.put("recheck_after", text(e.recheckAfter()));
        m.put("recovered_at", text(e.recoveredAt()));
        return m;
    }

    private static Entry entry(ResultSet rs) throws SQLException {
        long lastCycle = rs.getLong(9);
        return new Entry(rs.getString(1), rs.getInt(2), instant(rs.getTimestamp(3)), instant(rs.getTimestamp(4)),
                rs.getBoolean(5), instant(rs.getTimestamp(6)), instant(rs.getTimestamp(7)), instant(rs.getTimestamp(8)),
                rs.wasNull() ? null : lastCycle);
    }

    private static Timestamp timestamp(Instant at) {
        return at == null ? null : Timestamp.from(at);
    }

    private static Instant instant(Timestamp t) {
        return t == null ? null : t.toInstant();
    }

    private static String text(Instant at) {
        return at == null ? null : at.toString();
    }
}
