package io.blobrepair.ops;

import io.blobrepair.json.Json;
import com.fasterxml.jackson.core.JsonProcessingException;
import io.blobrepair.index.PresenceIndex;
import io.blobrepair.peer.PeerAuth;
import io.blobrepair.peer.PeerHealth;
import io.blobrepair.repair.CycleReport;
import io.blobrepair.repair.CycleState;
import io.blobrepair.repair.CycleTracker;
import io.blobrepair.index.KnownPresentCache;
import io.blobrepair.repair.PresenceSteps;
import org.apache.camel.Exchange;
import org.apache.camel.ProducerTemplate;
import org.apache.camel.StaticService;
import org.apache.camel.api.management.ManagedAttribute;
import org.apache.camel.api.management.ManagedOperation;
import org.apache.camel.api.management.ManagedResource;
import org.apache.camel.support.service.ServiceSupport;

import java.util.concurrent.ExecutorService;

/**
 * The service as operators see it: runs a cycle on demand ({@code --once}, JMX, tests) through
 * the same route Quartz uses, and exposes its state as the JMX MBean
 * {@code org.apache.camel:context=<name>,type=services,name=RepairService} (one per context,
 * hence {@link StaticService}: Camel then names the MBean without an instance suffix).
 */
@ManagedResource(description = "blob-repair: repair cycles of this storage node")
public class RepairService extends ServiceSupport implements StaticService {

    public static final String CYCLE_ENDPOINT = "direct:repair-cycle";


    private final ProducerTemplate template;
    private final CycleTracker tracker;
    private final PresenceSteps presence;
    private final KnownPresentCache knownPresent;
    private final PeerHealth peerHealth;
    private final PeerAuth peerAuth;
    private ExecutorService background;

    public RepairService(ProducerTemplate template, CycleTracker tracker, PresenceSteps presence, KnownPresentCache knownPresent,
                         PeerHealth peerHealth, PeerAuth peerAuth) {
        this.template = template;
        this.tracker = tracker;
        this.presence = presence;
        this.knownPresent = knownPresent;
        this.peerHealth = peerHealth;
        this.peerAuth = peerAuth;
    }

    /** Runs one cycle now and waits for it; a cycle already running makes this one report ALREADY_RUNNING. */
    public CycleReport runCycle(boolean forceCleanup) {
        Exchange done = template.request(CYCLE_ENDPOINT, e -> e.getMessage().setHeader(CycleTracker.FORCE_CLEANUP, forceCleanup));
        CycleReport report = done.getProperty(CycleTracker.REPORT, CycleReport.class);
        if (report == null) {
            throw new IllegalStateException("the repair cycle ended without a report", done.getException());
        }
        return report;
    }

    @ManagedOperation(description = "Start a repair cycle now (returns at once; a running cycle is not disturbed)")
    public String runCycleNow() {
        return startInBackground(false);
    }

    @ManagedOperation(description = "Start a cleanup cycle now (returns at once; a running cycle is not disturbed)")
    public String runCleanupCycleNow() {
        return startInBackground(true);
    }

    @ManagedOperation(description = "List the bucket again now, outside a cycle")
    public String rebuildPresenceIndex() {
        if (tracker.isRunning()) {
            return alreadyRunning();
        }
        return presence.rebuild();
    }

    private synchronized String startInBackground(boolean cleanup) {
        if (tracker.isRunning()) {
            return alreadyRunning();
        }
        background.submit(() -> runCycle(cleanup));
        return cleanup ? "cleanup cycle started" : "cycle started";
    }

    private String alreadyRunning() {
        CycleState cycle = tracker.current();
        return "a cycle is already running" + (cycle == null ? "" : " (cycle " + cycle.getCycle() + ")") + "; nothing started";
    }

    @ManagedAttribute(description = "Whether a cycle is running")
    public boolean isRunning() {
        return tracker.isRunning();
    }

    @ManagedAttribute(description = "Cycles completed by this process")
    public long getCyclesCompleted() {
        return tracker.cyclesCompleted();
    }

    @ManagedAttribute(description = "Start of the last cycle (ISO-8601), empty before the first")
    public String getLastCycleStart() {
        return tracker.lastStart().map(Object::toString).orElse("");
    }

    @ManagedAttribute(description = "Number of the last cycle that ended")
    public long getLastCycle() {
        return tracker.lastReport().map(CycleReport::cycle).orElse(0L);
    }

    @ManagedAttribute(description = "Duration of the last cycle in ms")
    public long getLastCycleDurationMs() {
        return tracker.lastReport().map(CycleReport::durationMs).orElse(0L);
    }

    @ManagedAttribute(description = "Why the last cycle aborted, empty when it completed")
    public String getLastAbortedReason() {
        return tracker.lastReport().map(CycleReport::abortedReason).orElse("");
    }

    @ManagedAttribute(description = "Counters of the last cycle, as JSON")
    public String getLastCycleCounters() throws JsonProcessingException {
        return Json.MAPPER.writeValueAsString(tracker.lastReport().map(CycleReport::counters).orElse(java.util.Map.of()));
    }

    @ManagedAttribute(description = "S3 requests of the last cycle by operation, as JSON")
    public String getLastCycleS3Requests() throws JsonProcessingException {
        return Json.MAPPER.writeValueAsString(tracker.lastReport().map(CycleReport::s3Requests).orElse(java.util.Map.of()));
    }

    @ManagedAttribute(description = "Keys in the latest presence index")
    public int getPresenceIndexEntries() {
        PresenceIndex index = presence.latest();
        return index == null ? 0 : index.entries();
    }

    @ManagedAttribute(description = "When the latest presence index was listed (ISO-8601)")
    public String getPresenceIndexBuiltAt() {
        PresenceIndex index = presence.latest();
        return index == null ? "" : index.builtAt().toString();
    }

    @ManagedAttribute(description = "Whether the latest presence index is usable (false: listing failed or repair.presence=head)")
    public boolean isPresenceIndexAvailable() {
        PresenceIndex index = presence.latest();
        return index != null && index.available();
    }

    @ManagedAttribute(description = "Time the latest listing took, in ms")
    public long getPresenceIndexBuildMs() {
        return presence.latestBuildTime().toMillis();
    }

    @ManagedAttribute(description = "Keys written since the listing that the cycle knows are present")
    public int getKnownPresentSize() {
        return knownPresent.size();
    }

    @ManagedAttribute(description = "Peers that answered /health_check at the last cycle's start")
    public String getHealthyPeers() {
        return String.join(",", peerHealth.healthyPeers());
    }

    @ManagedAttribute(description = "This node's wallet address for peers' repair.peer-wallets (empty with repair.peer-auth=none)")
    public String getNodeWallet() {
        return peerAuth.wallet().orElse("");
    }

    @ManagedAttribute(description = "Phase of the running cycle (listing, uploads, previews, qm_cids), empty when idle")
    public String getCurrentPhase() {
        CycleState cycle = tracker.current();
        return cycle == null ? "" : cycle.getProgress().phase();
    }

    @ManagedAttribute(description = "Last saved cursor of the running cycle's work list, empty when idle")
    public String getCurrentCursor() {
        CycleState cycle = tracker.current();
        if (cycle == null) {
            return "";
        }
        String cursor = cycle.cursor(cycle.getPhase());
        return cursor == null ? "" : cursor;
    }

    @Override
    protected void doStart() {
        // a cycle asked for over JMX runs on a thread of Camel's, so Camel sees and stops it
        background = template.getCamelContext().getExecutorServiceManager().newSingleThreadExecutor(this, "runCycleNow");
    }

    @Override
    protected void doStop() {
        template.getCamelContext().getExecutorServiceManager().shutdownNow(background);
    }
}
