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
import java.util.LinkedHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
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
    /**
     * Exchange property with the counts of this attempt alone: a resumed run's report carries
     * the counters restored from its earlier attempts, which metrics have already published.
     */
    public static final String ATTEMPT_COUNTERS = "cycleAttemptCounters";

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
    /** The running cycle resumed an unfinished run: what it restored, or null for a fresh run. */
    private volatile Map<String, Long> restoredCounters;
    private final AtomicInteger abortsInARow = new AtomicInteger();
    private volatile Optional<Instant> lastCompleted;
    private volatile Optional<Instant> lastCleanupCompleted;

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
            restoredCounters = null;
            if (plan.resume().isPresent()) {
                RepairRun run = plan.resume().get();
                restoredCounters = Map.copyOf(run.counters());
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

    /**
     * The cycle cannot start its work (no healthy peer, S3 unreachable): recorded, and retried
     * after the abort retry delay. A fresh run ends here and keeps its cycle number; a resumed
     * run stays unfinished, so its retry resumes from the same cursor.
     */
    public CycleReport abort(Exchange exchange, String reason) {
        retryAt = clock.instant().plus(abortRetryDelay);
        return end(exchange, restoredCounters == null, reason);
    }

    /**
     * No cycle could begin (the database is unreachable, so there is no run to record it in):
     * reported, counted as an abort, and retried after the abort retry delay.
     */
    public CycleReport abortBeforeStart(Exchange exchange, String reason) {
        retryAt = clock.instant().plus(abortRetryDelay);
        abortsInARow.incrementAndGet();
        LOG.warn("repair cycle not started ({}), retried in {} s", reason, abortRetryDelay.toSeconds());
        CycleReport report = new CycleReport(0, false, Map.of(), Map.of(), 0, reason);
        exchange.setProperty(REPORT, report);
        exchange.setProperty(ATTEMPT_COUNTERS, Map.of());
        lastReport = report;
        return report;
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
            releaseLock();
            running.set(false);
            return abortBeforeStart(exchange, reason);
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
            exchange.setProperty(ATTEMPT_COUNTERS, attemptCounters(counters, restoredCounters));
            lastReport = report;
            completed = abortedReason == null;
            if (abortedReason == null) {
                abortsInARow.set(0);
                lastCompleted = Optional.of(now);
                if (cycle.isCleanup()) {
                    lastCleanupCompleted = Optional.of(now);
                }
            } else {
                abortsInARow.incrementAndGet();
            }
            return report;
        } finally {
            restoredCounters = null;
            current = null;
            releaseLock();
            running.set(false);
            // counted once the cycle is over, so whoever sees the count also sees it not running
            if (completed) {
                cyclesCompleted.incrementAndGet();
            }
        }
    }

    /** The run's counters less those restored when it resumed: what this attempt counted. */
    static Map<String, Long> attemptCounters(Map<String, Long> counters, Map<String, Long> restored) {
        if (restored == null) {
            return counters;
        }
        Map<String, Long> attempt = new LinkedHashMap<>();
        counters.forEach((name, n) -> attempt.put(name, n - restored.getOrDefault(name, 0L)));
        return attempt;
    }

    /** Cycle attempts that aborted or failed since the last completed one (in this process). */
    public int abortsInARow() {
        return abortsInARow.get();
    }

    /** When the newest completed cycle ended, from the tracker table (so it survives a restart). */
    public Optional<Instant> lastCompleted() {
        loadHistory();
        Optional<Instant> at = lastCompleted;
        return at == null ? Optional.empty() : at;
    }

    /** When the newest completed cleanup cycle ended, from the tracker table. */
    public Optional<Instant> lastCleanupCompleted() {
        loadHistory();
        Optional<Instant> at = lastCleanupCompleted;
        return at == null ? Optional.empty() : at;
    }

    /** Reads the last completions once the database answers; until then they are unknown. */
    private void loadHistory() {
        if (lastCompleted != null && lastCleanupCompleted != null) {
            return;
        }
        try {
            Optional<Instant> any = runs.lastCompleted(false);
            Optional<Instant> cleanup = runs.lastCompleted(true);
            synchronized (this) {
                if (lastCompleted == null) {
                    lastCompleted = any;
                }
                if (lastCleanupCompleted == null) {
                    lastCleanupCompleted = cleanup;
                }
            }
        } catch (SQLException e) {
            // the database is down: asked again next time
        }
    }

    /** True once, when a cycle aborted (no healthy peer, S3 or the database unreachable) and its retry delay has passed. */
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
