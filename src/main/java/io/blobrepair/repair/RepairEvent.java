package io.blobrepair.repair;

import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * One event for operators. As JSON: {@code type}, {@code cycle}, {@code time} (ISO-8601), then
 * the {@code fields} at the top level:
 * <ul>
 *   <li>{@value #CYCLE_FINISHED}: {@code cleanup}, {@code duration_ms}, {@code counters}, {@code s3_requests}</li>
 *   <li>{@value #CYCLE_ABORTED}: {@code cleanup}, {@code reason}, {@code duration_ms}, {@code counters}, {@code s3_requests}</li>
 *   <li>{@value #BLOB_LOST}: {@code cid}, {@code key}, {@code hosts_tried}</li>
 *   <li>{@value #DELETE_BRAKE_ENGAGED}: {@code deletions}, {@code held}, {@code max_delete_fraction}</li>
 *   <li>{@value #HOSTS_CHANGED}: {@code hosts} (the new ranked host list)</li>
 * </ul>
 */
public record RepairEvent(String type, long cycle, Instant time, Map<String, Object> fields) {

    public static final String CYCLE_FINISHED = "cycle_finished";
    public static final String CYCLE_ABORTED = "cycle_aborted";
    public static final String BLOB_LOST = "blob_lost";
    public static final String DELETE_BRAKE_ENGAGED = "delete_brake_engaged";
    public static final String HOSTS_CHANGED = "hosts_changed";

    public RepairEvent {
        fields = Map.copyOf(fields);
    }

    /** {@value #CYCLE_FINISHED} or, with a reason, {@value #CYCLE_ABORTED}. */
    public static RepairEvent cycleEnded(CycleReport report, Instant time) {
        Map<String, Object> fields = new LinkedHashMap<>();
        fields.put("cleanup", report.cleanup());
        if (report.aborted()) {
            fields.put("reason", report.abortedReason());
        }
        fields.put("duration_ms", report.durationMs());
        fields.put("counters", report.counters());
        fields.put("s3_requests", report.s3Requests());
        return new RepairEvent(report.aborted() ? CYCLE_ABORTED : CYCLE_FINISHED, report.cycle(), time, fields);
    }

    public static RepairEvent blobLost(long cycle, Instant time, String cid, String key, List<String> hostsTried) {
        return new RepairEvent(BLOB_LOST, cycle, time, Map.of("cid", cid, "key", key, "hosts_tried", List.copyOf(hostsTried)));
    }

    public static RepairEvent deleteBrakeEngaged(long cycle, Instant time, long deletions, long held, double maxDeleteFraction) {
        return new RepairEvent(DELETE_BRAKE_ENGAGED, cycle, time,
                Map.of("deletions", deletions, "held", held, "max_delete_fraction", maxDeleteFraction));
    }

    public static RepairEvent hostsChanged(long cycle, Instant time, List<String> hosts) {
        return new RepairEvent(HOSTS_CHANGED, cycle, time, Map.of("hosts", List.copyOf(hosts)));
    }

    /** The JSON shape: type, cycle and time first, then the fields (in a stable order). */
    public Map<String, Object> asJson() {
        Map<String, Object> json = new LinkedHashMap<>();
        json.put("type", type);
        json.put("cycle", cycle);
        json.put("time", time.toString());
        fields.entrySet().stream().sorted(Map.Entry.comparingByKey()).forEach(e -> json.put(e.getKey(), e.getValue()));
        return json;
    }
}
