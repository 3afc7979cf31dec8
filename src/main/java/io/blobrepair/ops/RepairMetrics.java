package io.blobrepair.ops;

import io.blobrepair.repair.CycleReport;
import io.blobrepair.index.KnownPresentCache;
import io.blobrepair.repair.CycleTracker;
import io.blobrepair.repair.PresenceSteps;
import io.blobrepair.repair.RepairCounter;
import io.blobrepair.s3.S3RequestCounter;
import io.blobrepair.work.DataLossLedger;
import io.blobrepair.work.PresenceStore;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;

import java.time.Duration;
import java.time.Instant;
import java.util.EnumMap;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Publishes the service's own metrics to Micrometer (scraped at {@code /observe/metrics}), each
 * with its HELP text: {@code blob_repair_<counter>_total} for every repair counter, S3 requests
 * by operation, presence index entries, known-present cache size, cycle duration, data loss
 * (declared and accumulating),
 * the end of the last completed cycle and cleanup cycle (from the tracker table, so a restart
 * keeps them), aborted attempts in a row and the configured interval (for alert thresholds).
 */
public class RepairMetrics {

    /** Not added at a cycle's end: a gauge of its own, and a count kept as it happens. */
    private static final Set<RepairCounter> NOT_PER_CYCLE = Set.of(RepairCounter.PRESENCE_INDEX_ENTRIES, RepairCounter.EVENT_SEND_FAIL);

    private final Map<RepairCounter, Counter> counters = new EnumMap<>(RepairCounter.class);
    private final Counter eventSendFailures;
    private final Timer cycleDuration;
    private volatile long lastCycle;

    public RepairMetrics(MeterRegistry registry, S3RequestCounter s3Requests, KnownPresentCache knownPresent,
                         PresenceSteps presence, PresenceStore presenceStore, DataLossLedger dataLoss, CycleTracker tracker,
                         Duration interval) {
        for (RepairCounter c : RepairCounter.values()) {
            if (!NOT_PER_CYCLE.contains(c)) {
                counters.put(c, counter(registry, c));
            }
        }
        eventSendFailures = counter(registry, RepairCounter.EVENT_SEND_FAIL);
        for (String operation : S3RequestCounter.REPORTED) {
            FunctionCounter.builder("blob.repair.s3.requests", s3Requests, s -> s.count(operation))
                    .tag("operation", operation).description("S3 requests sent, retries included").register(registry);
        }
        Gauge.builder("blob.repair.presence.index.entries", presence, p -> p.latest() == null ? 0 : p.latest().entries())
                .description("Keys in the latest presence index").register(registry);
        // counted as they happen, in or out of a cycle (a peer's push): the store is not used again before a complete listing
        FunctionCounter.builder("blob.repair.presence.store.update.fail", presenceStore, PresenceStore::updateFailures)
                .description("Changes of ours (writes, deletes, a listing's capture) the presence store failed to take").register(registry);
        Gauge.builder("blob.repair.known.present.size", knownPresent, KnownPresentCache::size)
                .description("Keys written since the listing that cycles know are present").register(registry);
        // one family with the state as a tag: a gauge named like the data_loss_declared counter would clash with it
        String dataLossHelp = "CIDs by data-loss state: declared (lost, not recovered) or accumulating (failed cycles, not declared)";
        Gauge.builder("blob.repair.data.loss.cids", dataLoss, d -> d.counts().declared()).tag("state", "declared")
                .description(dataLossHelp).register(registry);
        Gauge.builder("blob.repair.data.loss.cids", dataLoss, d -> d.counts().accumulating()).tag("state", "accumulating")
                .description(dataLossHelp).register(registry);
        Gauge.builder("blob.repair.cycle.last", this, m -> m.lastCycle).description("Number of the last cycle that ended").register(registry);
        Gauge.builder("blob.repair.last.success.timestamp.seconds", tracker, t -> epochSeconds(t.lastCompleted()))
                .description("End of the last completed (not aborted) cycle, seconds since the epoch; 0 before the first")
                .register(registry);
        Gauge.builder("blob.repair.last.cleanup.success.timestamp.seconds", tracker, t -> epochSeconds(t.lastCleanupCompleted()))
                .description("End of the last completed cleanup cycle, seconds since the epoch; 0 before the first")
                .register(registry);
        Gauge.builder("blob.repair.cycles.aborted.in.a.row", tracker, CycleTracker::abortsInARow)
                .description("Cycle attempts that aborted or failed since the last completed one").register(registry);
        Gauge.builder("blob.repair.cycle.interval.seconds", interval, Duration::toSeconds)
                .description("Configured time between cycles (repair.interval), for alert thresholds").register(registry);
        cycleDuration = Timer.builder("blob.repair.cycle.duration").description("Duration of repair cycles, aborted ones included")
                .register(registry);
    }

    private static Counter counter(MeterRegistry registry, RepairCounter c) {
        return Counter.builder("blob.repair." + c.metricName()).description(c.description()).register(registry);
    }

    private static double epochSeconds(Optional<Instant> at) {
        return at.map(i -> i.toEpochMilli() / 1000.0).orElse(0.0);
    }

    /**
     * Adds what one cycle attempt counted: {@code attemptCounters}, not the report's counters,
     * which for a resumed run include what its earlier attempts counted and published.
     */
    public void record(CycleReport report, Map<String, Long> attemptCounters) {
        if (report == null || report.cycle() == 0) {
            return;
        }
        counters.forEach((c, meter) -> meter.increment(attemptCounters.getOrDefault(c.metricName(), 0L)));
        cycleDuration.record(Duration.ofMillis(report.durationMs()));
        lastCycle = report.cycle();
    }

    /** An event the events endpoint did not take. */
    public void eventSendFailed() {
        eventSendFailures.increment();
    }
}
