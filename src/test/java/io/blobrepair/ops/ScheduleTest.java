package io.blobrepair.ops;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import io.blobrepair.repair.CycleTracker;
import io.blobrepair.testing.TestDb;
import io.blobrepair.testing.TestNode;
import io.blobrepair.testing.TestPeer;
import io.blobrepair.testing.TestS3;
import org.apache.camel.builder.NotifyBuilder;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.slf4j.LoggerFactory;

import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/** repair.cron starts cycles on its own schedule, whatever repair.interval says; repair.startup-delay holds the first back. */
@Timeout(value = 2, unit = TimeUnit.MINUTES)
class ScheduleTest {

    @Test
    void aCronExpressionWinsOverTheInterval() throws Exception {
        try (TestS3 s3 = TestS3.start(); TestPeer peer = TestPeer.start()) {
            Map<String, String> settings = scheduledNode(s3, peer, "cron");
            settings.put("repair.interval", "1d"); // alone, at most one cycle in this test
            settings.put("repair.cron", "* * * * * ?"); // every second
            settings.put("repair.startup-delay", "0s");
            try (TestNode node = TestNode.start(settings)) {
                NotifyBuilder threeFires = node.cyclesEnded(3);
                assertThat(threeFires.matches(60, TimeUnit.SECONDS)).isTrue();
                assertThat(node.bean("cycleTracker", CycleTracker.class).cyclesCompleted()).isGreaterThanOrEqualTo(3);
                assertThat(node.context().getRoute("repair-trigger").getEndpoint().getEndpointUri()).contains("cron=");
            }
        }
    }

    @Test
    void theFirstCycleWaitsForTheStartupDelayThenRuns() throws Exception {
        try (TestS3 s3 = TestS3.start(); TestPeer peer = TestPeer.start()) {
            Map<String, String> settings = scheduledNode(s3, peer, "startup-delay");
            settings.put("repair.interval", "1d");
            settings.put("repair.startup-delay", "5s");
            long started = System.currentTimeMillis();
            try (TestNode node = TestNode.start(settings)) {
                NotifyBuilder firstFire = node.cyclesEnded(1);
                assertThat(firstFire.matches(60, TimeUnit.SECONDS)).isTrue();
                CycleTracker tracker = node.bean("cycleTracker", CycleTracker.class);
                assertThat(tracker.lastStart()).isPresent();
                // not at once (it used to start with the context), and not an interval later
                assertThat(tracker.lastStart().get().toEpochMilli() - started).isGreaterThanOrEqualTo(5_000);
            }
        }
    }

    /** Quartz's own delayed start outlived a node stopped within the delay and logged an error. */
    @Test
    void aNodeStoppedWithinItsStartupDelayLeavesNoStartBehind() throws Exception {
        ListAppender<ILoggingEvent> quartzLog = new ListAppender<>();
        quartzLog.start();
        Logger quartz = (Logger) LoggerFactory.getLogger("org.quartz");
        quartz.addAppender(quartzLog);
        try (TestS3 s3 = TestS3.start(); TestPeer peer = TestPeer.start()) {
            Map<String, String> settings = scheduledNode(s3, peer, "stopped-early");
            settings.put("repair.startup-delay", "2s");
            TestNode.start(settings).close();
            Thread.sleep(3_000); // past the delay
        } finally {
            quartz.detachAppender(quartzLog);
        }
        assertThat(quartzLog.list).noneMatch(e -> e.getLevel().isGreaterOrEqual(Level.WARN));
    }

    /** Settings of a node with its own bucket and database whose schedule is on (repair.enabled). */
    private static Map<String, String> scheduledNode(TestS3 s3, TestPeer peer, String bucket) throws Exception {
        s3.createBucket(bucket);
        TestDb db = TestDb.create();
        db.createSchema();
        Map<String, String> settings = TestNode.settings(s3, bucket, db, TestNode.freePort(), List.of(peer.url()));
        settings.put("repair.enabled", "true");
        return settings;
    }
}
