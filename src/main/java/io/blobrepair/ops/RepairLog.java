package io.blobrepair.ops;

import io.blobrepair.peer.BadRequest;
import io.blobrepair.work.LostBlobs;
import io.blobrepair.work.RepairRun;
import io.blobrepair.work.RunStore;

import java.sql.SQLException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The log APIs: {@code GET /internal/logs/repair?limit=N}, the last N runs of the tracker, and
 * {@code GET /internal/logs/lost?limit=N}, the lost-blob report; newest first.
 */
public class RepairLog {

    static final int MAX_LIMIT = 1000;

    private final RunStore runs;
    private final LostBlobs lost;

    public RepairLog(RunStore runs, LostBlobs lost) {
        this.runs = runs;
        this.lost = lost;
    }

    /** {@code GET /internal/logs/lost?limit=N}: blobs no reachable peer holds, newest first. */
    public List<Map<String, Object>> lost(String limit) throws SQLException {
        return lost.recent(parseLimit(limit));
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
