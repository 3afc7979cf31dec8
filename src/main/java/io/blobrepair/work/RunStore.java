package io.blobrepair.work;

import io.blobrepair.json.Json;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;
import com.zaxxer.hikari.HikariDataSource;

import javax.sql.DataSource;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.sql.Types;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/** The tracker table {@code repair_runs}: one row per run, updated after every batch. */
public class RunStore {

    private static final String COLUMNS = "id, cycle, cleanup, started_at, finished_at, phase, cursors::text,"
            + " counters::text, content_size, duration_ms, aborted_reason";

    private final DataSource dataSource;

    public RunStore(DataSource dataSource) {
        this.dataSource = dataSource;
    }

    /** Advisory lock key of "a cycle runs on this node's database" ("blob" in ASCII). */
    static final long CYCLE_LOCK = 0x626c6f62L;

    /**
     * Takes the node-wide cycle lock (a PostgreSQL advisory lock) on a connection of its own, or
     * returns null when another process holds it. The lock lives as long as that connection: a
     * replica that dies releases it with its connection.
     */
    public Connection tryCycleLock() throws SQLException {
        Connection c = dataSource.getConnection();
        try (PreparedStatement ps = c.prepareStatement("SELECT pg_try_advisory_lock(?)")) {
            ps.setLong(1, CYCLE_LOCK);
            try (ResultSet rs = ps.executeQuery()) {
                if (rs.next() && rs.getBoolean(1)) {
                    return c;
                }
            }
        } catch (SQLException | RuntimeException e) {
            c.close();
            throw e;
        }
        c.close();
        return null;
    }

    public void releaseCycleLock(Connection lock) {
        try (lock; PreparedStatement ps = lock.prepareStatement("SELECT pg_advisory_unlock(?)")) {
            ps.setLong(1, CYCLE_LOCK);
            ps.execute();
        } catch (SQLException e) {
            // the connection is gone, and the lock with it
        }
    }

    /**
     * After the database failed a cycle: the pooled connections may be ones a restarted server
     * already closed, so none of them is handed out again (those in use close when returned).
     */
    public void discardPooledConnections() {
        if (dataSource instanceof HikariDataSource pool && pool.getHikariPoolMXBean() != null) {
            pool.getHikariPoolMXBean().softEvictConnections();
        }
    }

    public Optional<RepairRun> latest() throws SQLException {
        List<RepairRun> runs = recent(1);
        return runs.isEmpty() ? Optional.empty() : Optional.of(runs.get(0));
    }

    /** The newest {@code limit} runs, newest first. */
    public List<RepairRun> recent(int limit) throws SQLException {
        List<RepairRun> runs = new ArrayList<>();
        try (Connection c = dataSource.getConnection();
             PreparedStatement ps = c.prepareStatement("SELECT " + COLUMNS + " FROM repair_runs ORDER BY id DESC LIMIT ?")) {
            ps.setInt(1, limit);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    runs.add(read(rs));
                }
            }
        }
        return runs;
    }

    /** One run by its id. */
    public Optional<RepairRun> find(long id) throws SQLException {
        try (Connection c = dataSource.getConnection();
             PreparedStatement ps = c.prepareStatement("SELECT " + COLUMNS + " FROM repair_runs WHERE id = ?")) {
            ps.setLong(1, id);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? Optional.of(read(rs)) : Optional.empty();
            }
        }
    }

    /**
     * When the newest run that completed (finished, not aborted) ended; with {@code cleanupOnly},
     * the newest completed cleanup run.
     */
    public Optional<Instant> lastCompleted(boolean cleanupOnly) throws SQLException {
        try (Connection c = dataSource.getConnection();
             PreparedStatement ps = c.prepareStatement("SELECT max(finished_at) FROM repair_runs WHERE finished_at IS NOT NULL"
                     + " AND aborted_reason IS NULL" + (cleanupOnly ? " AND cleanup" : ""));
             ResultSet rs = ps.executeQuery()) {
            rs.next();
            Timestamp at = rs.getTimestamp(1);
            return at == null ? Optional.empty() : Optional.of(at.toInstant());
        }
    }

    public long insert(long cycle, boolean cleanup, Instant startedAt, String phase) throws SQLException {
        try (Connection c = dataSource.getConnection();
             PreparedStatement ps = c.prepareStatement(
                     "INSERT INTO repair_runs (cycle, cleanup, started_at, phase) VALUES (?, ?, ?, ?) RETURNING id")) {
            ps.setLong(1, cycle);
            ps.setBoolean(2, cleanup);
            ps.setTimestamp(3, Timestamp.from(startedAt));
            ps.setString(4, phase);
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                return rs.getLong(1);
            }
        }
    }

    /** The hosts the latest run that recorded them ranked against; empty before the first. */
    public Optional<Set<String>> lastRankedHosts() throws SQLException {
        try (Connection c = dataSource.getConnection();
             PreparedStatement ps = c.prepareStatement(
                     "SELECT ranked_hosts FROM repair_runs WHERE ranked_hosts IS NOT NULL ORDER BY id DESC LIMIT 1");
             ResultSet rs = ps.executeQuery()) {
            if (!rs.next()) {
                return Optional.empty();
            }
            return Optional.of(Set.of((String[]) rs.getArray(1).getArray()));
        }
    }

    public void recordRankedHosts(long id, Collection<String> hosts) throws SQLException {
        try (Connection c = dataSource.getConnection();
             PreparedStatement ps = c.prepareStatement("UPDATE repair_runs SET ranked_hosts = ? WHERE id = ?")) {
            ps.setArray(1, c.createArrayOf("text", hosts.toArray()));
            ps.setLong(2, id);
            ps.executeUpdate();
        }
    }

    /** Saves where the run stands; called after every batch so a restart resumes there. */
    public void saveProgress(long id, String phase, Map<String, String> cursors,
                             Map<String, Long> counters, long contentSize) throws SQLException {
        try (Connection c = dataSource.getConnection();
             PreparedStatement ps = c.prepareStatement("UPDATE repair_runs SET phase = ?, cursors = ?::jsonb,"
                     + " counters = ?::jsonb, content_size = ? WHERE id = ?")) {
            ps.setString(1, phase);
            ps.setString(2, toJson(cursors));
            ps.setString(3, toJson(counters));
            ps.setLong(4, contentSize);
            ps.setLong(5, id);
            ps.executeUpdate();
        }
    }

    /**
     * Ends a run. With {@code finished} false the run stays resumable (it failed mid-way and
     * the next cycle picks it up); the reason is recorded either way.
     */
    public void end(long id, boolean finished, Instant at, Map<String, Long> counters, long contentSize,
                    long durationMs, String abortedReason) throws SQLException {
        try (Connection c = dataSource.getConnection();
             PreparedStatement ps = c.prepareStatement("UPDATE repair_runs SET finished_at = ?, counters = ?::jsonb,"
                     + " content_size = ?, duration_ms = ?, aborted_reason = ? WHERE id = ?")) {
            if (finished) {
                ps.setTimestamp(1, Timestamp.from(at));
            } else {
                ps.setNull(1, Types.TIMESTAMP_WITH_TIMEZONE);
            }
            ps.setString(2, toJson(counters));
            ps.setLong(3, contentSize);
            ps.setLong(4, durationMs);
            ps.setString(5, abortedReason);
            ps.setLong(6, id);
            ps.executeUpdate();
        }
    }

    private static RepairRun read(ResultSet rs) throws SQLException {
        Timestamp finished = rs.getTimestamp("finished_at");
        Long durationMs = rs.getObject("duration_ms", Long.class);
        return new RepairRun(rs.getLong("id"), rs.getLong("cycle"), rs.getBoolean("cleanup"),
                rs.getTimestamp("started_at").toInstant(), finished == null ? null : finished.toInstant(),
                rs.getString("phase"), fromJson(rs.getString("cursors"), CURSORS), fromJson(rs.getString("counters"), COUNTERS),
                rs.getLong("content_size"), durationMs, rs.getString("aborted_reason"));
    }

    private static final TypeReference<Map<String, Long>> COUNTERS = new TypeReference<>() { };
    private static final TypeReference<Map<String, String>> CURSORS = new TypeReference<>() { };

    private static String toJson(Map<String, ?> values) {
        try {
            return Json.MAPPER.writeValueAsString(values);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("counters and cursors are plain values", e);
        }
    }

    private static <T> Map<String, T> fromJson(String text, TypeReference<Map<String, T>> type) {
        try {
            return Json.MAPPER.readValue(text == null ? "{}" : text, type);
        } catch (JsonProcessingException e) {
            return Map.of();
        }
    }
}
