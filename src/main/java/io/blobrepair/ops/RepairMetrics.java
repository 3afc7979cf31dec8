package io.blobrepair.ops;

import io.blobrepair.repair.CycleReport;
import io.blobrepair.index.KnownPresentCache;
import io.blobrepair.repair.PresenceSteps;
import io.blobrepair.repair.RepairCounter;
import io.blobrepair.s3.S3RequestCounter;
import io.blobrepair.work.LostBlobs;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;

import java.time.Duration;
import java.util.EnumMap;
import java.util.Map;

/**
 * Publishes the service's own metrics to Micrometer (scraped at {@code /observe/metrics}):
 * {@code blob_repair_<counter>_total} for every repair counter, S3 requests by operation,
 * presence index entries, known-present cache size and cycle duration.
 */
public class RepairMetrics {

    private final Map<RepairCounter, Counter> counters = new EnumMap<>(RepairCounter.class);
    private final Timer cycleDuration;
    private volatile long lastCycle;

    public RepairMetrics(MeterRegistry registry, S3RequestCounter s3Requests, KnownPresentCache knownPresent,
                         PresenceSteps presence, LostBlobs lostBlobs) {
        for (RepairCounter c : RepairCounter.values()) {
            if (c != RepairCounter.PRESENCE_INDEX_ENTRIES) {
                counters.put(c, Counter.builder("blob.repair." + c.metricName()).register(registry));
            }
        }
        for (String operation : S3RequestCounter.REPORTED) {
            FunctionCounter.builder("blob.repair.s3.requests", s3Requests, s -> s.count(operation))
                    .tag("operation", operation).description("S3 requests sent, retries included").register(registry);
        }
        Gauge.builder("blob.repair.presence.index.entries", presence,
                p -> p.latest() == null ? 0 : p.latest().entries()).register(registry);
        Gauge.builder("blob.repair.known.present.size", knownPresent, KnownPresentCache::size).register(registry);
        Gauge.builder("blob.repair.lost.blobs", lostBlobs, LostBlobs::count)
                .description("blobs this node should hold that no reachable peer holds").register(registry);
        Gauge.builder("blob.repair.cycle.last", this, m -> m.lastCycle).description("number of the last cycle that ended").register(registry);
        cycleDuration = Timer.builder("blob.repair.cycle.duration").register(registry);
    }

    /** Adds a finished (or aborted) cycle's counts. */
    public void record(CycleReport report) {
        if (report == null || report.cycle() == 0) {
            return;
        }
        counters.forEach((c, meter) -> meter.increment(report.counters().getOrDefault(c.metricName(), 0L)));
        cycleDuration.record(Duration.ofMillis(report.durationMs()));
        lastCycle = report.cycle();
    }
}
