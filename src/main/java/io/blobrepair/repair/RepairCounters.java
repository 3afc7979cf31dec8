package io.blobrepair.repair;

import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.atomic.LongAdder;

/** The counters of one cycle, safe to bump from parallel work. */
public final class RepairCounters {

    private final EnumMap<RepairCounter, LongAdder> values = new EnumMap<>(RepairCounter.class);

    public RepairCounters() {
        for (RepairCounter c : RepairCounter.values()) {
            values.put(c, new LongAdder());
        }
    }

    /** Counters of an interrupted cycle, read back from the tracker; unknown names are ignored. */
    public static RepairCounters restore(Map<String, ? extends Number> saved) {
        RepairCounters counters = new RepairCounters();
        for (RepairCounter c : RepairCounter.values()) {
            Number n = saved.get(c.metricName());
            if (n != null) {
                counters.add(c, n.longValue());
            }
        }
        return counters;
    }

    public void increment(RepairCounter counter) {
        values.get(counter).increment();
    }

    public void add(RepairCounter counter, long n) {
        values.get(counter).add(n);
    }

    public long get(RepairCounter counter) {
        return values.get(counter).sum();
    }

    /** All counters by name, in declaration order. */
    public Map<String, Long> asMap() {
        Map<String, Long> out = new LinkedHashMap<>();
        values.forEach((c, v) -> out.put(c.metricName(), v.sum()));
        return out;
    }
}
