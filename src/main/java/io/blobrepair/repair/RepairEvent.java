package io.blobrepair.repair;

import java.time.Instant;
import java.util.Map;

/** One event of the service: its type, the cycle it belongs to, when, and what matters about it. */
public record RepairEvent(String type, long cycle, Instant time, Map<String, Object> fields) {
}
