package io.blobrepair.ops;

import io.blobrepair.repair.CycleReport;
import io.blobrepair.repair.CycleTracker;
import org.apache.camel.Exchange;
import org.apache.camel.ProducerTemplate;

/** Runs a cycle on demand ({@code --once}, JMX, tests) through the same route Quartz uses. */
public class RepairService {

    public static final String CYCLE_ENDPOINT = "direct:repair-cycle";

    private final ProducerTemplate template;

    public RepairService(ProducerTemplate template) {
        this.template = template;
    }

    /** Runs one cycle now and waits for it; a cycle already running makes this one report ALREADY_RUNNING. */
    public CycleReport runCycle(boolean forceCleanup) {
        Exchange done = template.request(CYCLE_ENDPOINT, e -> e.getMessage().setHeader(CycleTracker.FORCE_CLEANUP, forceCleanup));
        CycleReport report = done.getProperty(CycleTracker.REPORT, CycleReport.class);
        if (report == null) {
            Exception e = done.getException();
            throw new IllegalStateException("the repair cycle ended without a report", e);
        }
        return report;
    }
}
