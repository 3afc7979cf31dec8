package io.blobrepair.ops;

import io.blobrepair.work.RepairRun;
import io.blobrepair.work.RunStore;
import org.apache.camel.health.HealthCheckResultBuilder;
import org.apache.camel.impl.health.AbstractHealthCheck;

import java.sql.SQLException;
import java.util.List;
import java.util.Map;

/**
 * {@code /observe/health}: DOWN when the database cannot be reached, or when the last
 * {@value #ABORTED_IN_A_ROW} runs all aborted; the reason is in the check's message.
 */
public class RepairHealthCheck extends AbstractHealthCheck {

    static final int ABORTED_IN_A_ROW = 3;

    private final RunStore runs;

    public RepairHealthCheck(RunStore runs) {
        super("blob-repair", "repair");
        this.runs = runs;
    }

    @Override
    protected void doCall(HealthCheckResultBuilder builder, Map<String, Object> options) {
        List<RepairRun> recent;
        try {
            recent = runs.recent(ABORTED_IN_A_ROW);
        } catch (SQLException e) {
            builder.down().message("database unreachable: " + e.getMessage());
            return;
        }
        builder.detail("runs.recorded", recent.size());
        if (recent.size() == ABORTED_IN_A_ROW && recent.stream().allMatch(r -> r.abortedReason() != null)) {
            builder.down().message("the last " + ABORTED_IN_A_ROW + " cycles aborted, latest: " + recent.get(0).abortedReason());
            return;
        }
        builder.up();
    }
}
