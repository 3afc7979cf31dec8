package io.blobrepair.work;

import io.blobrepair.json.Json;
import com.fasterxml.jackson.core.JsonProcessingException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import javax.sql.DataSource;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.TimeUnit;

/**
 * Records each ended cycle in the reference node's own tracker table {@code repair_trackers}, when
 * the database has it, so the node's {@code /health_check} ({@code lastSuccessfulRepair},
 * {@code lastSuccessfulCleanup}, which the node loads from this table when it starts) and its
 * {@code /internal/logs/repair} report this service's repairs. Without the table nothing happens.
 *
 * <p>The columns are those gorm gives the reference's {@code RepairTracker}: {@code started_at}
 * (primary key), {@code updated_at}, {@code finished_at} (timestamptz), {@code cleanup_mode},
 * {@code cursor_i} (bigint: the run's place in the cleanup period, 1 = the cleanup run, as the
 * node's own repair counts), {@code cursor_upload_id}, the preview and Qm cursors (gorm names
 * {@code CursorPreviewCID} {@code cursor_preview_c_id}; a table made by hand may say
 * {@code cursor_preview_cid}: whichever exists is written), {@code counters} (JSON text of name →
 * count), {@code content_size}, {@code duration} (Go's {@code time.Duration}: nanoseconds) and
 * {@code aborted_reason} ({@code ''} for a successful run: the node's query for its last successful
 * repair asks for exactly that, with {@code finished_at} set). Only ended runs are written, never a
 * run that is still resumable: the node would take that for its own interrupted run.
 */
public class ReferenceRepairTrackers {

    static final String TABLE = "repair_trackers";

    private static final Logger LOG = LoggerFactory.getLogger(ReferenceRepairTrackers.class);

    private final DataSource dataSource;
    private final RunStore runs;
    private final int cleanupEvery;

    public ReferenceRepairTrackers(DataSource dataSource, RunStore runs, int cleanupEvery) {
        this.dataSource = dataSource;
        this.runs = runs;
        this.cleanupEvery = cleanupEvery;
    }

    /**
     * Writes run {@code runId} (of {@code repair_runs}) into {@code repair_trackers}, when the table
     * exists and the run has ended. Never fails the cycle: a failure is logged and the cycle's own
     * record in {@code repair_runs} stands.
     */
    public void record(long runId) {
        try {
            Optional<RepairRun> run = runs.find(runId);
            if (run.isEmpty() || run.get().unfinished()) {
                return;
            }
            try (Connection c = dataSource.getConnection()) {
                Set<String> columns = columns(c);
                if (!columns.isEmpty()) {
                    write(c, columns, run.get());
                }
            }
        } catch (SQLException | RuntimeException e) {
            LOG.warn("cycle could not be recorded in the node's {} table (its health check will not show it): {}",
                    TABLE, e.getMessage());
        }
    }

    /** The table's columns, empty when there is no such table on the search path. */
    private static Set<String> columns(Connection c) throws SQLException {
        Set<String> columns = new LinkedHashSet<>();
        try (PreparedStatement ps = c.prepareStatement("SELECT column_name FROM information_schema.columns"
                + " WHERE table_name = ? AND table_schema = ANY (current_schemas(false))")) {
            ps.setString(1, TABLE);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    columns.add(rs.getString(1));
                }
            }
        }
        return columns;
    }

    private void write(Connection c, Set<String> columns, RepairRun run) throws SQLException {
        Map<String, Object> row = new LinkedHashMap<>();
        Timestamp finished = Timestamp.from(run.finishedAt());
        row.put("updated_at", finished);
        row.put("finished_at", finished);
        row.put("cleanup_mode", run.cleanup());
        row.put("cursor_i", (long) runInCleanupPeriod(run));
        row.put("cursor_upload_id", cursor(run, WorkLists.UPLOADS));
        for (String name : List.of("cursor_preview_c_id", "cursor_preview_cid")) {
            row.put(name, cursor(run, WorkLists.PREVIEWS));
        }
        for (String name : List.of("cursor_qm_c_id", "cursor_qm_cid")) {
            row.put(name, cursor(run, WorkLists.QM_CIDS));
        }
        row.put("counters", countersJson(run.counters()));
        row.put("content_size", run.contentSize());
        row.put("duration", TimeUnit.MILLISECONDS.toNanos(run.durationMs() == null ? 0 : run.durationMs()));
        row.put("aborted_reason", run.abortedReason() == null ? "" : run.abortedReason());
        row.keySet().retainAll(columns);

        // the same run recorded twice (a retried step) updates its row; started_at is the key
        StringBuilder update = new StringBuilder("UPDATE " + TABLE + " SET ");
        update.append(String.join(" = ?, ", row.keySet())).append(" = ? WHERE started_at = ?");
        Timestamp started = Timestamp.from(run.startedAt());
        if (execute(c, update.toString(), row.values(), started) > 0) {
            return;
        }
        String insert = "INSERT INTO " + TABLE + " (" + String.join(", ", row.keySet()) + ", started_at) VALUES ("
                + "?, ".repeat(row.size()) + "?)";
        execute(c, insert, row.values(), started);
    }

    private static int execute(Connection c, String sql, java.util.Collection<Object> values, Timestamp startedAt)
            throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(sql)) {
            int i = 1;
            for (Object v : values) {
                ps.setObject(i++, v);
            }
            ps.setTimestamp(i, startedAt);
            return ps.executeUpdate();
        }
    }

    /**
     * The run's number within the cleanup period, as the node's own repair numbers its runs
     * (1 = the cleanup run, then 2, 3, …): a node that takes over from this row continues the same
     * cleanup rhythm.
     */
    int runInCleanupPeriod(RepairRun run) {
        return run.cleanup() ? 1 : (int) (run.cycle() % cleanupEvery) + 1;
    }

    private static String cursor(RepairRun run, WorkList list) {
        return run.cursors().getOrDefault(list.name(), "");
    }

    private static String countersJson(Map<String, Long> counters) {
        try {
            return Json.MAPPER.writeValueAsString(counters);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("counters are plain numbers", e);
        }
    }
}
