package io.blobrepair.repair;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;

import java.util.Map;

/** What one cycle did and cost: the last line {@code --once} prints, and what metrics record. */
@JsonPropertyOrder({"cycle", "cleanup", "counters", "s3_requests", "duration_ms", "aborted_reason"})
public record CycleReport(
        @JsonProperty("cycle") long cycle,
        @JsonProperty("cleanup") boolean cleanup,
        @JsonProperty("counters") Map<String, Long> counters,
        @JsonProperty("s3_requests") Map<String, Long> s3Requests,
        @JsonProperty("duration_ms") long durationMs,
        @JsonProperty("aborted_reason") String abortedReason) {

    /** Reason given when another cycle holds the lock. */
    public static final String ALREADY_RUNNING = "ALREADY_RUNNING";
    public static final String NOT_ENOUGH_PEERS = "NOT_ENOUGH_PEERS";
    public static final String S3_UNREACHABLE = "S3_UNREACHABLE";
    /** No run could begin: its cycle number is unknown, so the report's cycle is 0. */
    public static final String DATABASE_UNREACHABLE = "DATABASE_UNREACHABLE";

    public boolean aborted() {
        return abortedReason != null;
    }
}
