package io.blobrepair.repair;

import io.blobrepair.s3.S3RequestCounter;
import io.blobrepair.work.RepairRun;
import io.blobrepair.work.RunStore;
import io.blobrepair.index.KnownPresentCache;
import io.blobrepair.work.WorkLists;
import org.apache.camel.Exchange;
import org.apache.camel.util.ObjectHelper;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.sql.Connection;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Starts, resumes and ends repair cycles against the tracker table. Only one cycle runs at a
 * time for a node, whoever triggers it (Quartz, {@code --once}, JMX) and however many replicas
 * run: in-process by a flag, across processes by a PostgreSQL advisory lock.
 */
public class CycleTracker {

    /** Header of a cycle request asking for a cleanup cycle whatever its number. */
    public static final String FORCE_CLEANUP = "repairForceCleanup";
    public static final String REPORT = "cycleReport";

    private static final Logger LOG = LoggerFactory.getLogger(CycleTracker.class);

    private final RunStore runs;
    private final S3RequestCounter s3Requests;
    private final KnownPresentCache knownPresent;
    private final int cleanupEvery;
    private final Duration abortRetryDelay;
    private final Clock clock;
    private final AtomicBoolean running = new AtomicBoolean();
    private volatile Instant retryAt;
    private volatile CycleReport lastReport;
    private volatile CycleState current;
    private volatile Instant lastStart;
    private final AtomicLong cyclesCompleted = new AtomicLong();
    private volatile Connection cycleLock;

    public CycleTracker(RunStore runs, S3RequestCounter s3Requests, KnownPresentCache knownPresent, int cleanupEvery,
                        Duration abortRetryDelay, Clock clock) {
        this.runs = runs;
        this.s3Requests = s3Requests;
        this.knownPresent = knownPresent;
        this.cleanupEvery = cleanupEvery;
        this.abortRetryDelay = abortRetryDelay;
        this.clock = clock;
    }

    /**
     * Takes the cycle lock and loads or creates the run. Sets {@code repairCycle}; when another
     * cycle is running, sets the report instead and leaves {@code repairCycle} unset.
     */
    public void begin(Exchange exchange) throws SQLException {
        if (!running.compareAndSet(false, true)) {
            LOG.info("a repair cycle is already running; this trigger starts nothing");
            exchange.setProperty(REPORT, new CycleReport(0, false, Map.of(), Map.of(), 0, CycleReport.ALREADY_RUNNING));
            return;
        }
        try {
            cycleLock = runs.tryCycleLock();
            if (cycleLock == null) {
                running.set(false);
                LOG.info("another replica is running a repair cycle for this node; this trigger starts nothing");
                exchange.setProperty(REPORT, new CycleReport(0, false, Map.of(), Map.of(), 0, CycleReport.ALREADY_RUNNING));
                return;
            }
            boolean forceCleanup = Boolean.TRUE.equals(exchange.getMessage().getHeader(FORCE_CLEANUP, Boolean.class));
            CyclePlan plan = CyclePlan.next(runs.latest(), forceCleanup, cleanupEvery);
            Instant now = clock.instant();
            if (plan.supersede().isPresent()) {
                RepairRun old = plan.supersede().get();
                runs.end(old.id(), true, now, old.counters(), old.contentSize(), 0, "SUPERSEDED_BY_FORCED_CLEANUP");
            }
            CycleState cycle;
            if (plan.resume().isPresent()) {
                RepairRun run = plan.resume().get();
                cycle = new CycleState(run.id(), run.cycle(), run.cleanup(), now, RepairCounters.restore(run.counters()),
                        run.phase(), run.cursors(), run.contentSize(), s3Requests.snapshot());
                LOG.info("cycle {} resumes (cleanup={}) at {} after cursor {}", run.cycle(), run.cleanup(),
                        run.phase(), run.cursors().get(run.phase()));
            } else {
                long id = runs.insert(plan.cycle(), plan.cleanup(), now, WorkLists.first());
                cycle = new CycleState(id, plan.cycle(), plan.cleanup(), now, new RepairCounters(), WorkLists.first(),
                        Map.of(), 0, s3Requests.snapshot());
                LOG.info("cycle {} starts (cleanup={})", plan.cycle(), plan.cleanup());
            }
            if (cycle.isCleanup()) {
                // a cleanup cycle trusts only what it sees itself
                knownPresent.clear();
            }
            retryAt = null;
            current = cycle;
            lastStart = now;
            exchange.setProperty(RepairExchange.CYCLE, cycle);
        } catch (SQLException | RuntimeException e) {
            releaseLock();
            running.set(false);
            throw e;
        }
    }

    private void releaseLock() {
        Connection lock = cycleLock;
        cycleLock = null;
        if (lock != null) {
            runs.releaseCycleLock(lock);
        }
    }

    /** Saves the position reached in a work list; called after every batch. */
    public void saveProgress(CycleState cycle) throws SQLException {
        runs.saveProgress(cycle.getRunId(), cycle.getPhase(), cycle.cursors(), cycle.getCounters().asMap(), cycle.getContentSize());
    }

    /** The cycle cannot start (no healthy peer): recorded, and retried after the abort retry delay. */
    public CycleReport abort(Exchange exchange, String reason) {
        retryAt = clock.instant().plus(abortRetryDelay);
        return end(exchange, true, reason);
    }

    public CycleReport finish(Exchange exchange) {
        return end(exchange, true, null);
    }

    /**
     * The cycle failed mid-way (database gone, …): the run stays unfinished so the next cycle
     * resumes from its last saved cursor.
     */
    public CycleReport fail(Exchange exchange) {
        Exception cause = exchange.getProperty(Exchange.EXCEPTION_CAUGHT, Exception.class);
        String reason = "FAILED: " + (cause == null ? "unknown" : cause.getClass().getSimpleName() + ": " + cause.getMessage());
        if (ObjectHelper.getException(SQLException.class, cause) != null) {
            runs.discardPooledConnections();
        }
        if (exchange.getProperty(RepairExchange.CYCLE) == null) {
            LOG.error("repair cycle could not start: {}", reason);
            releaseLock();
            running.set(false);
            CycleReport report = new CycleReport(0, false, Map.of(), Map.of(), 0, reason);
            exchange.setProperty(REPORT, report);
            lastReport = report;
            return report;
        }
        LOG.error("repair cycle failed, it resumes from its last saved cursor next time: {}", reason, cause);
        return end(exchange, false, reason);
    }

    private CycleReport end(Exchange exchange, boolean finished, String abortedReason) {
        CycleState cycle = exchange.getProperty(RepairExchange.CYCLE, CycleState.class);
        boolean completed = false;
        try {
            Instant now = clock.instant();
            long durationMs = Duration.between(cycle.getStartedAt(), now).toMillis();
            Map<String, Long> counters = cycle.getCounters().asMap();
            CycleReport report = new CycleReport(cycle.getCycle(), cycle.isCleanup(), counters,
                    S3RequestCounter.difference(cycle.getS3RequestsAtStart(), s3Requests.snapshot()), durationMs, abortedReason);
            try {
                runs.end(cycle.getRunId(), finished, now, counters, cycle.getContentSize(), durationMs, abortedReason);
            } catch (SQLException e) {
                LOG.error("cycle {}: could not record its end in the tracker: {}", cycle.getCycle(), e.getMessage());
            }
            LOG.info("cycle {} {} in {} ms: {} s3={}", cycle.getCycle(), abortedReason == null ? "finished" : "aborted (" + abortedReason + ")",
                    durationMs, counters, report.s3Requests());
            exchange.setProperty(REPORT, report);
            lastReport = report;
            completed = finished && abortedReason == null;
            return report;
        } finally {
            current = null;
            releaseLock();
            running.set(false);
            // counted once the cycle is over, so whoever sees the count also sees it not running
            if (completed) {
                cyclesCompleted.incrementAndGet();
            }
        }
    }

    /** True once, when a cycle aborted for lack of peers and its retry delay has passed. */
    public boolean retryDue() {
        Instant at = retryAt;
        if (at != null && !clock.instant().isBefore(at) && !running.get()) {
            retryAt = null;
            return true;
        }
        return false;
    }

    public boolean isRunning() {
        return running.get();
    }

    /** The cycle in progress, or null. */
    public CycleState current() {
        return current;
    }

    public long cyclesCompleted() {
        return cyclesCompleted.get();
    }

    public Optional<Instant> lastStart() {
        return Optional.ofNullable(lastStart);
    }

    /** One progress line for the running cycle (the progress timer calls this every 30 s). */
    public void logProgress() {
        CycleState cycle = current;
        if (cycle != null) {
            LOG.info("cycle {} progress: {}", cycle.getCycle(), cycle.getProgress().describe(clock.instant(),
                    "listing".equals(cycle.getProgress().phase()) ? "keys" : "rows"));
        }
    }

    public Optional<CycleReport> lastReport() {
        return Optional.ofNullable(lastReport);
    }
}
