package io.blobrepair.ops;

import io.blobrepair.repair.RepairCounter;

import java.util.Arrays;
import java.util.List;

/** The repair counters that metrics add at each cycle's end, by their metric names. */
record RepairCounterName(String name) {

    static List<RepairCounterName> perCycle() {
        return Arrays.stream(RepairCounter.values())
                .filter(c -> c != RepairCounter.PRESENCE_INDEX_ENTRIES && c != RepairCounter.EVENT_SEND_FAIL)
                .map(c -> new RepairCounterName(c.metricName())).toList();
    }
}
