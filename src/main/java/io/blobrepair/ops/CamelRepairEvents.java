package io.blobrepair.ops;

import io.blobrepair.json.Json;
import com.fasterxml.jackson.core.JsonProcessingException;
import io.blobrepair.repair.CycleReport;
import io.blobrepair.repair.CycleState;
import io.blobrepair.repair.CycleTracker;
import io.blobrepair.repair.RepairCounter;
import io.blobrepair.repair.RepairEvent;
import io.blobrepair.repair.RepairEvents;
import org.apache.camel.CamelContext;
import org.apache.camel.Exchange;
import org.apache.camel.ProducerTemplate;
import org.apache.camel.util.concurrent.ThreadPoolRejectedPolicy;
import org.apache.camel.spi.ThreadPoolProfile;
import org.apache.camel.support.service.ServiceSupport;
import org.apache.camel.builder.ThreadPoolProfileBuilder;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Sends each {@link RepairEvent} as one JSON message to {@code repair.events.uri}, any Camel
 * endpoint ({@code direct:} a route of {@code repair.routes.dir}, {@code file:}, {@code log:},
 * an HTTP webhook…). Sending happens on one thread of its own behind a bounded queue, so a slow
 * or failing endpoint never holds up or changes a cycle: a failure is counted
 * ({@code event_send_fail}, in the metric and in the running cycle's counters) and logged at
 * most once a minute.
 */
public class CamelRepairEvents extends ServiceSupport implements RepairEvents {

    /** Header carrying the event's type, for routes that branch on it without parsing the body. */
    public static final String TYPE_HEADER = "RepairEventType";
    static final int QUEUE_SIZE = 1000;
    private static final Duration LOG_EVERY = Duration.ofMinutes(1);
    private static final Logger LOG = LoggerFactory.getLogger(CamelRepairEvents.class);

    private final CamelContext context;
    private final String uri;
    private final CycleTracker tracker;
    private final RepairMetrics metrics;
    private final Clock clock;
    private final AtomicLong failures = new AtomicLong();
    private final AtomicLong failuresAtLastLog = new AtomicLong();
    private volatile Instant lastLogged = Instant.MIN;
    private ProducerTemplate template;
    private ExecutorService sender;

    /** @param uri the endpoint, or null for no events */
    public CamelRepairEvents(CamelContext context, String uri, CycleTracker tracker, RepairMetrics metrics, Clock clock) {
        this.context = context;
        this.uri = uri;
        this.tracker = tracker;
        this.metrics = metrics;
        this.clock = clock;
    }

    /** The cycle route's last step: {@code cycle_finished} or {@code cycle_aborted}. */
    public void cycleEnded(CycleReport report) {
        if (report != null && !CycleReport.ALREADY_RUNNING.equals(report.abortedReason())) {
            publish(RepairEvent.cycleEnded(report, clock.instant()));
        }
    }

    @Override
    public boolean enabled() {
        return uri != null;
    }

    @Override
    public void publish(RepairEvent event) {
        if (uri == null) {
            return;
        }
        String json;
        try {
            json = Json.MAPPER.writeValueAsString(event.asJson());
        } catch (JsonProcessingException e) {
            failed(event.type(), e);
            return;
        }
        try {
            sender.execute(() -> send(event.type(), json));
        } catch (RejectedExecutionException e) {
            failed(event.type(), new IllegalStateException(sender.isShutdown() ? "the service is stopping"
                    : "more than " + QUEUE_SIZE + " events waiting for the endpoint"));
        }
    }

    private void send(String type, String json) {
        Exchange done = template.send(uri, e -> {
            e.getMessage().setHeader(Exchange.CONTENT_TYPE, "application/json");
            e.getMessage().setHeader(TYPE_HEADER, type);
            e.getMessage().setBody(json);
        });
        if (done.getException() != null) {
            failed(type, done.getException());
        }
    }

    private void failed(String type, Exception cause) {
        long n = failures.incrementAndGet();
        metrics.eventSendFailed();
        CycleState cycle = tracker.current();
        if (cycle != null) {
            cycle.getCounters().increment(RepairCounter.EVENT_SEND_FAIL);
        }
        Instant now = clock.instant();
        if (Duration.between(lastLogged, now).compareTo(LOG_EVERY) >= 0) {
            long unlogged = n - failuresAtLastLog.getAndSet(n) - 1;
            lastLogged = now;
            LOG.warn("event {} not taken by {}: {}{}", type, uri, cause.toString(),
                    unlogged > 0 ? " (" + unlogged + " more failures since the last such line)" : "");
        }
    }

    /** Waits until the queued events are sent (or {@code timeout} passes): {@code --once} calls it before exiting. */
    public void drain(Duration timeout) throws InterruptedException {
        if (sender == null) {
            return;
        }
        sender.shutdown();
        if (!sender.awaitTermination(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
            LOG.warn("events not all sent to {} within {} s", uri, timeout.toSeconds());
        }
    }

    @Override
    protected void doStart() {
        if (uri == null) {
            return;
        }
        template = context.createProducerTemplate();
        ThreadPoolProfile profile = new ThreadPoolProfileBuilder("repair-events").poolSize(1).maxPoolSize(1)
                .maxQueueSize(QUEUE_SIZE).rejectedPolicy(ThreadPoolRejectedPolicy.Abort).build();
        sender = context.getExecutorServiceManager().newThreadPool(this, "RepairEvents", profile);
    }

    @Override
    protected void doStop() throws Exception {
        if (sender == null) {
            return;
        }
        context.getExecutorServiceManager().shutdownGraceful(sender);
        template.stop();
    }
}
