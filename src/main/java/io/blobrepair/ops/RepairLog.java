package io.blobrepair.ops;

import io.blobrepair.peer.BadRequest;
import io.blobrepair.work.DataLossLedger;
import io.blobrepair.work.RepairRun;
import io.blobrepair.work.RunStore;

import java.sql.SQLException;
import java.time.Clock;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The log APIs: {@code GET /internal/logs/repair?limit=N}, the last N runs of the tracker, and
 * {@code GET /internal/logs/lost?limit=N}, the data-loss evidence; newest first. And
 * {@code GET /internal/data-loss}, the reference's summary of that evidence.
 */
public class RepairLog {

    static final int MAX_LIMIT = 1000;

    private final RunStore runs;
    private final DataLossLedger dataLoss;
    private final Clock clock;

    public RepairLog(RunStore runs, DataLossLedger dataLoss, Clock clock) {
        this.runs = runs;
        this.dataLoss = dataLoss;
        this.clock = clock;
    }

    /** {@code GET /internal/logs/lost?limit=N}: the CIDs with data-loss evidence, the last failed first. */
    public List<Map<String, Object>> lost(String limit) throws SQLException {
        return dataLoss.recent(parseLimit(limit));
    }

    /** {@code GET /internal/data-loss}: the reference's summary (total declared, pending rechecks, …). */
    public Map<String, Object> dataLoss() throws SQLException {
        return dataLoss.summary(clock.instant()).asJson();
    }

    public List<Map<String, Object>> recent(String limit) throws SQLException {
        List<Map<String, Object>> out = new ArrayList<>();
        for (RepairRun run : runs.recent(parseLimit(limit))) {
            out.add(toJson(run));
        }
        return out;
    }

    /** 1 to 1000, default 1000 (larger values are capped); anything else is a bad request. */
    static int parseLimit(String limit) {
        if (limit == null || limit.isEmpty()) {
            return MAX_LIMIT;
        }
        try {
            long n = Long.parseLong(limit.trim());
            if (n >= 1) {
                return (int) Math.min(n, MAX_LIMIT);
            }
        } catch (NumberFormatException ignored) {
            // reported below
        }
        throw new BadRequest("limit must be a whole number from 1 to " + MAX_LIMIT + ", got " + BadRequest.quote(limit));
    }

    private static Map<String, Object> toJson(RepairRun run) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("id", run.id());
        m.put("cycle", run.cycle());
        m.put("cleanup", run.cleanup());
        m.put("started_at", run.startedAt().toString());
        m.put("finished_at", run.finishedAt() == null ? null : run.finishedAt().toString());
        m.put("phase", run.phase());
        m.put("cursors", new java.util.TreeMap<>(run.cursors()));
        m.put("counters", run.counters());
        m.put("content_size", run.contentSize());
        m.put("duration_ms", run.durationMs());
        m.put("aborted_reason", run.abortedReason());
        return m;
    }
}
