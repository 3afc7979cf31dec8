package io.blobrepair.ops;

import io.blobrepair.index.PresenceIndex;
import io.blobrepair.repair.CycleReport;
import io.blobrepair.repair.CycleTracker;
import io.blobrepair.repair.PresenceSteps;
import io.blobrepair.work.RepairRun;
import io.blobrepair.work.RunStore;
import org.apache.camel.health.HealthCheckResultBuilder;
import org.apache.camel.impl.health.AbstractHealthCheck;

import java.sql.SQLException;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * The checks of {@code /observe/health}, in group {@code blob-repair}, each with its details:
 * {@code database} (DOWN when it does not answer), {@code s3} (DOWN while S3 is not known to
 * answer) and {@code cycles} (DOWN when the last {@value #ABORTED_IN_A_ROW} cycle attempts all
 * aborted; details: last cycle, last completions, presence index age).
 */
public abstract class RepairHealthCheck extends AbstractHealthCheck {

    static final int ABORTED_IN_A_ROW = 3;

    protected RepairHealthCheck(String id) {
        super("blob-repair", id);
    }

    /** DOWN when the database does not answer, with its URL (no credentials) and the reason. */
    public static class Database extends RepairHealthCheck {
        private final DatabaseReadiness database;

        public Database(DatabaseReadiness database) {
            super("database");
            this.database = database;
        }

        @Override
        protected void doCall(HealthCheckResultBuilder builder, Map<String, Object> options) {
            builder.detail("url", database.url());
            if (database.unreachable()) {
                String problem = database.problem().orElse("?");
                builder.detail("error", problem);
                builder.down().message("database " + database.url() + " unreachable: " + problem);
                return;
            }
            builder.up();
        }
    }

    /** DOWN while S3 is not known to answer (checked at startup and before each cycle until it does). */
    public static class S3 extends RepairHealthCheck {
        private final S3Reachability s3;

        public S3(S3Reachability s3) {
            super("s3");
            this.s3 = s3;
        }

        @Override
        protected void doCall(HealthCheckResultBuilder builder, Map<String, Object> options) {
            builder.detail("endpoint", s3.endpoint());
            builder.detail("bucket", s3.bucket());
            s3.checkedAt().ifPresent(at -> builder.detail("checked_at", at.toString()));
            s3.problem().ifPresentOrElse(problem -> {
                builder.detail("error", problem);
                builder.down().message("S3 at " + s3.endpoint() + " " + problem);
            }, builder::up);
        }
    }

    /** DOWN when the last cycle attempts all aborted; the details say when cycles last completed. */
    public static class Cycles extends RepairHealthCheck {
        private final RunStore runs;
        private final CycleTracker tracker;
        private final PresenceSteps presence;
        private final Clock clock;

        public Cycles(RunStore runs, CycleTracker tracker, PresenceSteps presence, Clock clock) {
            super("cycles");
            this.runs = runs;
            this.tracker = tracker;
            this.presence = presence;
            this.clock = clock;
        }

        @Override
        protected void doCall(HealthCheckResultBuilder builder, Map<String, Object> options) {
            tracker.lastReport().ifPresent(r -> {
                builder.detail("last_cycle", r.cycle());
                builder.detail("last_cycle_aborted_reason", r.abortedReason() == null ? "" : r.abortedReason());
            });
            tracker.lastCompleted().ifPresent(at -> builder.detail("last_success", at.toString()));
            tracker.lastCleanupCompleted().ifPresent(at -> builder.detail("last_cleanup_success", at.toString()));
            builder.detail("aborted_in_a_row", tracker.abortsInARow());
            PresenceIndex index = presence.latest();
            if (index != null) {
                builder.detail("presence_index_entries", index.entries());
                builder.detail("presence_index_age_seconds", Duration.between(index.builtAt(), clock.instant()).toSeconds());
                builder.detail("presence_index_available", index.available());
            }
            String latestAbort = tracker.lastReport().map(CycleReport::abortedReason).orElse(null);
            if (tracker.abortsInARow() >= ABORTED_IN_A_ROW) {
                builder.down().message("the last " + tracker.abortsInARow() + " cycle attempts aborted, latest: " + latestAbort);
                return;
            }
            try {
                List<RepairRun> recent = runs.recent(ABORTED_IN_A_ROW);
                if (recent.size() == ABORTED_IN_A_ROW && recent.stream().allMatch(r -> r.abortedReason() != null)) {
                    builder.down().message("the last " + ABORTED_IN_A_ROW + " cycles aborted, latest: " + recent.get(0).abortedReason());
                    return;
                }
            } catch (SQLException e) {
                // the database check reports it
            }
            builder.up();
        }
    }
}
