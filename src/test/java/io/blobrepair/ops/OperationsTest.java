package io.blobrepair.ops;

import io.blobrepair.repair.CycleReport;
import io.blobrepair.testing.Blob;
import io.blobrepair.testing.Multipart;
import io.blobrepair.testing.TestDb;
import io.blobrepair.testing.TestNode;
import io.blobrepair.testing.TestPeer;
import io.blobrepair.testing.TestS3;
import org.apache.camel.builder.NotifyBuilder;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import javax.management.MBeanServer;
import javax.management.ObjectName;
import java.lang.management.ManagementFactory;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/** What an operator sees: the JMX MBean, Prometheus metrics and the repair log API. */
@Timeout(value = 5, unit = java.util.concurrent.TimeUnit.MINUTES)
class OperationsTest {

    private static TestS3 s3;
    private static TestPeer peer;
    private static TestNode node;
    private static int managementPort;
    private static TestDb db;

    @BeforeAll
    static void start() throws Exception {
        s3 = TestS3.start();
        peer = TestPeer.start();
        s3.createBucket("operations");
        db = TestDb.create();
        db.createSchema();
        Blob held = Blob.of("held for operations");
        s3.put("operations", held.key(), held.content());
        db.addRows("audio_previews", "cid", List.of(held.cid()));
        Map<String, String> settings = TestNode.settings(s3, "operations", db, TestNode.freePort(), List.of(peer.url()));
        managementPort = TestNode.freePort();
        settings.put("camel.management.enabled", "true");
        settings.put("repair.management.port", String.valueOf(managementPort));
        node = TestNode.start(settings);
    }

    @AfterAll
    static void stop() throws Exception {
        node.close();
        peer.close();
        s3.close();
    }

    private static ObjectName repairServiceMBean() throws Exception {
        MBeanServer server = ManagementFactory.getPlatformMBeanServer();
        Set<ObjectName> names = server.queryNames(new ObjectName("org.apache.camel:context="
                + node.context().getManagementName() + ",type=services,name=RepairService"), null);
        assertThat(names).as(server.queryNames(new ObjectName("org.apache.camel:type=services,*"), null).toString()).hasSize(1);
        return names.iterator().next();
    }

    private static Object attribute(String name) throws Exception {
        return ManagementFactory.getPlatformMBeanServer().getAttribute(repairServiceMBean(), name);
    }

    private static String invoke(String operation) throws Exception {
        return (String) ManagementFactory.getPlatformMBeanServer().invoke(repairServiceMBean(), operation, null, null);
    }

    private static HttpResponse<String> get(String url) throws Exception {
        return HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(url)).build(), HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void jmxShowsTheServiceAndRunsCyclesWithoutOverlap() throws Exception {
        // a missing blob whose pull hangs until released: the cycle is running meanwhile
        Blob missing = Blob.of("missing for operations");
        peer.serve(missing.cid(), missing.content());
        TestPeer.Hold hold = peer.hold(missing.cid());
        db.addRows("audio_previews", "cid", List.of(missing.cid()));
        assertThat(attribute("Running")).isEqualTo(false);
        long completed = (Long) attribute("CyclesCompleted");
        NotifyBuilder cycleDone = node.cyclesEnded(1);

        assertThat(invoke("runCycleNow")).isEqualTo("cycle started");
        assertThat(hold.reached().await(30, TimeUnit.SECONDS)).isTrue(); // the cycle is pulling now
        assertThat(attribute("Running")).isEqualTo(true);
        assertThat(attribute("CurrentPhase")).isEqualTo("previews");
        assertThat(invoke("runCleanupCycleNow")).contains("already running").contains("nothing started");
        assertThat(invoke("rebuildPresenceIndex")).contains("already running");
        hold.release().countDown();
        assertThat(cycleDone.matches(60, TimeUnit.SECONDS)).isTrue();
        assertThat(attribute("CyclesCompleted")).isEqualTo(completed + 1);

        assertThat(attribute("Running")).isEqualTo(false);
        assertThat((String) attribute("LastCycleCounters")).contains("\"pull_mine_needed\":1").contains("\"pull_mine_fail\":1");
        assertThat((String) attribute("LastCycleS3Requests")).contains("\"ListObjects\":1");
        assertThat(attribute("LastAbortedReason")).isEqualTo("");
        assertThat(attribute("HealthyPeers")).isEqualTo(peer.url());
        assertThat(attribute("NodeWallet")).isEqualTo(""); // repair.peer-auth=none
        assertThat((String) attribute("PresenceIndexBuiltAt")).isNotEmpty();
        int knownPresent = (Integer) attribute("KnownPresentSize");
        Blob pushed = Blob.of("pushed while watching JMX");
        assertThat(Multipart.postBlobs(node.url(), Map.of(pushed.cid(), pushed.content())).statusCode()).isEqualTo(200);
        assertThat(attribute("KnownPresentSize")).isEqualTo(knownPresent + 1);
        int keys = s3.client().listObjectsV2(b -> b.bucket("operations")).keyCount();
        assertThat(invoke("rebuildPresenceIndex")).startsWith("presence index rebuilt: " + keys + " keys");
        assertThat(attribute("PresenceIndexEntries")).isEqualTo(keys);
    }

    /** The samples of a Prometheus text page: series (name and labels) → value. */
    static Map<String, Double> samples(String page) {
        Map<String, Double> out = new java.util.HashMap<>();
        for (String line : page.split("\n")) {
            if (!line.startsWith("#") && !line.isBlank()) {
                int space = line.lastIndexOf(' ');
                out.put(line.substring(0, space), Double.parseDouble(line.substring(space + 1)));
            }
        }
        return out;
    }

    private static String metricsPage() throws Exception {
        HttpResponse<String> metrics = get("http://127.0.0.1:" + managementPort + "/observe/metrics");
        assertThat(metrics.statusCode()).isEqualTo(200);
        return metrics.body();
    }

    @Test
    void metricsAddWhatEachCycleCountedWithHelpForEveryFamily() throws Exception {
        Map<String, Double> before = samples(metricsPage());
        CycleReport report = node.runCycle();
        assertThat(report.abortedReason()).isNull();
        java.time.Instant ended = java.time.Instant.now();
        String page = metricsPage();
        Map<String, Double> after = samples(page);

        assertThat(report.counters().get("already_have")).isPositive();
        for (RepairCounterName c : RepairCounterName.perCycle()) {
            String series = "blob_repair_" + c.name() + "_total";
            assertThat(after).as(series).containsKey(series);
            assertThat(after.get(series) - before.getOrDefault(series, 0.0)).as(series)
                    .isEqualTo(report.counters().get(c.name()).doubleValue());
        }
        assertThat(after.get("blob_repair_s3_requests_total{operation=\"ListObjects\"}")
                - before.getOrDefault("blob_repair_s3_requests_total{operation=\"ListObjects\"}", 0.0)).isEqualTo(1.0);
        assertThat(after.get("blob_repair_cycle_last")).isEqualTo((double) report.cycle());
        assertThat(after.get("blob_repair_presence_index_entries")).isEqualTo(report.counters().get("presence_index_entries").doubleValue());
        assertThat(after.get("blob_repair_cycle_duration_seconds_count") - before.getOrDefault("blob_repair_cycle_duration_seconds_count", 0.0))
                .isEqualTo(1.0);
        assertThat(after.get("blob_repair_last_success_timestamp_seconds")).isCloseTo(ended.toEpochMilli() / 1000.0,
                org.assertj.core.data.Offset.offset(5.0));

        // every blob_repair_* family has a HELP line with text (what promtool check metrics asks)
        java.util.Set<String> families = new java.util.TreeSet<>();
        java.util.Map<String, String> help = new java.util.HashMap<>();
        for (String line : page.split("\n")) {
            String[] parts = line.split(" ", 4);
            if (line.startsWith("# TYPE blob_repair_")) {
                families.add(parts[2]);
            } else if (line.startsWith("# HELP blob_repair_")) {
                help.put(parts[2], parts.length > 3 ? parts[3].trim() : "");
            }
        }
        assertThat(families).contains("blob_repair_last_success_timestamp_seconds", "blob_repair_last_cleanup_success_timestamp_seconds",
                "blob_repair_event_send_fail_total");
        for (String family : families) {
            assertThat(help.get(family)).as("HELP of " + family).isNotBlank();
        }
        // the page for .ci/run's promtool check metrics
        java.nio.file.Files.writeString(java.nio.file.Path.of("target", "metrics-sample.txt"), page);
    }

    @Test
    void lastSuccessGaugesComeFromTheTrackerTableAndSurviveARestart() throws Exception {
        s3.createBucket("operations-restart");
        TestDb restartDb = TestDb.create();
        restartDb.createSchema();
        Map<String, String> settings = TestNode.settings(s3, "operations-restart", restartDb, TestNode.freePort(), List.of(peer.url()));
        int port = TestNode.freePort();
        settings.put("camel.management.enabled", "true");
        settings.put("repair.management.port", String.valueOf(port));
        String metrics = "http://127.0.0.1:" + port + "/observe/metrics";
        double success;
        double cleanup;
        try (TestNode first = TestNode.start(settings)) {
            assertThat(samples(get(metrics).body()).get("blob_repair_last_success_timestamp_seconds")).isZero();
            assertThat(first.runCleanupCycle().abortedReason()).isNull();
            assertThat(first.runCycle().abortedReason()).isNull();
            Map<String, Double> after = samples(get(metrics).body());
            success = after.get("blob_repair_last_success_timestamp_seconds");
            cleanup = after.get("blob_repair_last_cleanup_success_timestamp_seconds");
            assertThat(success).isCloseTo(java.time.Instant.now().toEpochMilli() / 1000.0, org.assertj.core.data.Offset.offset(5.0));
            assertThat(cleanup).isPositive().isLessThan(success);
        }
        settings.put("camel.main.name", "operations-restarted");
        try (TestNode restarted = TestNode.start(settings)) {
            Map<String, Double> again = samples(get(metrics).body());
            // the table keeps microseconds: the same instants, to the millisecond
            assertThat(again.get("blob_repair_last_success_timestamp_seconds")).isCloseTo(success, org.assertj.core.data.Offset.offset(0.001));
            assertThat(again.get("blob_repair_last_cleanup_success_timestamp_seconds")).isCloseTo(cleanup, org.assertj.core.data.Offset.offset(0.001));
        }
    }

    @Test
    void jolokiaReadsTheServiceAndRunsACycleOverHttpOnLoopbackOnly() throws Exception {
        String mbean = "org.apache.camel:context=" + node.context().getManagementName() + ",type=services,name=RepairService";
        String base = "http://127.0.0.1:" + managementPort + "/observe/jolokia";
        var json = new com.fasterxml.jackson.databind.ObjectMapper();
        var read = json.readTree(get(base + "/read/" + mbean + "/CyclesCompleted").body());
        assertThat(read.get("status").asInt()).as(read.toString()).isEqualTo(200);
        long completed = read.get("value").asLong();
        assertThat(completed).isEqualTo((Long) attribute("CyclesCompleted"));

        String exec = "{\"type\":\"exec\",\"mbean\":\"" + mbean + "\",\"operation\":\"runCycleNow\"}";
        NotifyBuilder execDone = node.cyclesEnded(1);
        HttpResponse<String> started = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(base))
                .POST(HttpRequest.BodyPublishers.ofString(exec)).header("Content-Type", "application/json").build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(json.readTree(started.body()).get("value").asText()).as(started.body()).isEqualTo("cycle started");
        assertThat(execDone.matches(60, TimeUnit.SECONDS)).isTrue();
        assertThat(json.readTree(get(base + "/read/" + mbean + "/CyclesCompleted").body()).get("value").asLong())
                .isEqualTo(completed + 1);
        // attributes cannot be written through it
        String write = "{\"type\":\"write\",\"mbean\":\"" + mbean + "\",\"attribute\":\"Running\",\"value\":true}";
        HttpResponse<String> refused = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(base))
                .POST(HttpRequest.BodyPublishers.ofString(write)).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(json.readTree(refused.body()).get("status").asInt()).isEqualTo(403);

        // bound to loopback: another address of this machine does not answer
        java.net.InetAddress other = java.util.Collections.list(java.net.NetworkInterface.getNetworkInterfaces()).stream()
                .flatMap(i -> java.util.Collections.list(i.getInetAddresses()).stream())
                .filter(address -> !address.isLoopbackAddress() && address instanceof java.net.Inet4Address)
                .findFirst().orElse(null);
        org.junit.jupiter.api.Assumptions.assumeTrue(other != null, "no non-loopback IPv4 address on this machine");
        try (java.net.Socket socket = new java.net.Socket()) {
            org.assertj.core.api.Assertions.assertThatThrownBy(() -> socket.connect(
                    new java.net.InetSocketAddress(other, managementPort), 2000)).isInstanceOf(java.io.IOException.class);
        }
    }

    @Test
    void repairLogReturnsTheLastRunsAndRejectsBadLimits() throws Exception {
        node.runCycle();
        node.runCycle();
        HttpResponse<String> one = get(node.url() + "/internal/logs/repair?limit=1");
        assertThat(one.statusCode()).isEqualTo(200);
        var runs = new com.fasterxml.jackson.databind.ObjectMapper().readTree(one.body());
        assertThat(runs).hasSize(1);
        assertThat(runs.get(0).get("counters").has("total_checked")).isTrue();

        var all = new com.fasterxml.jackson.databind.ObjectMapper().readTree(get(node.url() + "/internal/logs/repair").body());
        assertThat(all.size()).isGreaterThanOrEqualTo(2);
        assertThat(all.get(0).get("id").asLong()).isGreaterThan(all.get(1).get("id").asLong()); // newest first

        for (String bad : List.of("abc", "0", "-5", "1.5")) {
            HttpResponse<String> rejected = get(node.url() + "/internal/logs/repair?limit=" + bad);
            assertThat(rejected.statusCode()).as(bad).isEqualTo(400);
            assertThat(rejected.body()).contains("limit must be a whole number");
        }
    }
}
