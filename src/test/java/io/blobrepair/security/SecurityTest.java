package io.blobrepair.security;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.classic.spi.ThrowableProxyUtil;
import ch.qos.logback.core.read.ListAppender;
import io.blobrepair.peer.PeerSignature;
import io.blobrepair.repair.CycleReport;
import io.blobrepair.testing.Blob;
import io.blobrepair.testing.Multipart;
import io.blobrepair.testing.TestDb;
import io.blobrepair.testing.TestNode;
import io.blobrepair.testing.TestS3;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.slf4j.LoggerFactory;

import javax.management.MBeanAttributeInfo;
import javax.management.MBeanServer;
import javax.management.ObjectName;
import java.lang.management.ManagementFactory;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** Signed peer authentication between two nodes, and secrets that never leak. */
@Timeout(value = 5, unit = java.util.concurrent.TimeUnit.MINUTES)
class SecurityTest {

    private static final String S3_SECRET = "s3-secret-DO-NOT-LEAK-7d1f0c93a5";
    private static final String KEY_A = "8f2a55949038a9610f50fb23b5883af3b4ecb3c3bb792cbcefbd1542c692be63";
    private static final String KEY_B = "c87509a1c067bbde78beb793e6fa76530b6382a4c0241e5e4a9ec0a0f44dc0d3";
    private static final String KEY_STRANGER = "4c0883a69102937d6231471b5dbb6204fe5129617082792ae468d01a3f362318";

    private static HttpResponse<String> get(String url, String authorization) throws Exception {
        HttpRequest.Builder r = HttpRequest.newBuilder(URI.create(url));
        if (authorization != null) {
            r.header("Authorization", authorization);
        }
        return HttpClient.newHttpClient().send(r.build(), HttpResponse.BodyHandlers.ofString());
    }

    private static String post(String url, String body) throws Exception {
        return HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(url)).POST(HttpRequest.BodyPublishers.ofString(body))
                .header("Content-Type", "application/json").build(), HttpResponse.BodyHandlers.ofString()).body();
    }

    @Test
    void signedPeersPullFromEachOtherStrangersGet401AndSecretsNeverLeak() throws Exception {
        ListAppender<ILoggingEvent> logs = new ListAppender<>();
        Logger root = ((LoggerContext) LoggerFactory.getILoggerFactory()).getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
        logs.start();
        root.addAppender(logs);
        String walletA = PeerSignature.fromPrivateKeyHex(KEY_A).walletAddress();
        String walletB = PeerSignature.fromPrivateKeyHex(KEY_B).walletAddress();
        try (TestS3 s3 = TestS3.start(S3_SECRET)) {
            List<String> urls = List.of("http://127.0.0.1:" + TestNode.freePort(), "http://127.0.0.1:" + TestNode.freePort());
            Blob blob = Blob.of("signed pull");
            List<TestNode> nodes = new ArrayList<>();
            int managementPort = TestNode.freePort();
            try {
                for (int i = 0; i < 2; i++) {
                    s3.createBucket("signed-" + i);
                    TestDb db = TestDb.create();
                    db.createSchema();
                    db.addRows("audio_previews", "cid", List.of(blob.cid()));
                    int port = Integer.parseInt(urls.get(i).substring(urls.get(i).lastIndexOf(':') + 1));
                    Map<String, String> settings = TestNode.settings(s3, "signed-" + i, db, port, urls);
                    settings.put("repair.peer-auth", "signed");
                    settings.put("repair.node-key", i == 0 ? KEY_A : KEY_B);
                    settings.put("repair.peer-wallets", i == 0 ? walletB : walletA);
                    if (i == 0) {
                        settings.put("camel.management.enabled", "true");
                        settings.put("repair.management.port", String.valueOf(managementPort));
                    }
                    nodes.add(TestNode.start(settings));
                }
                s3.put("signed-1", blob.key(), blob.content());
                String b = urls.get(1);

                // node A pulls from node B with a signed request
                CycleReport report = nodes.get(0).runCycle();
                assertThat(report.counters()).containsEntry("pull_mine_success", 1L);
                assertThat(s3.read("signed-0", blob.key())).isEqualTo(blob.content());

                // strangers and unsigned requests are refused; the health check stays open
                assertThat(get(b + "/internal/blobs/" + blob.cid(), null).statusCode()).isEqualTo(401);
                assertThat(get(b + "/internal/blobs/info/" + blob.cid(), null).statusCode()).isEqualTo(401);
                String stranger = PeerSignature.fromPrivateKeyHex(KEY_STRANGER).basicAuthorizationHeader(Instant.now());
                assertThat(get(b + "/internal/blobs/" + blob.cid(), stranger).statusCode()).isEqualTo(401);
                String expired = PeerSignature.fromPrivateKeyHex(KEY_A).basicAuthorizationHeader(Instant.now().minusSeconds(7200));
                assertThat(get(b + "/internal/blobs/" + blob.cid(), expired).statusCode()).isEqualTo(401);
                String fresh = PeerSignature.fromPrivateKeyHex(KEY_A).basicAuthorizationHeader(Instant.now());
                assertThat(get(b + "/internal/blobs/" + blob.cid(), fresh).statusCode()).isEqualTo(200);
                assertThat(get(b + "/health_check", null).statusCode()).isEqualTo(200);
                Blob pushed = Blob.of("unsigned push");
                assertThat(Multipart.postBlobs(b, Map.of(pushed.cid(), pushed.content())).statusCode()).isEqualTo(401);
                assertThat(s3.exists("signed-1", pushed.key())).isFalse();

                // a failing listing and a cleanup cycle, for error paths in the logs
                s3.store().failListCall(1);
                try {
                    nodes.get(0).runCleanupCycle();
                } finally {
                    s3.store().failListCall(0);
                }

                StringBuilder seen = new StringBuilder();
                for (ILoggingEvent e : logs.list) {
                    seen.append(e.getFormattedMessage()).append('\n');
                    if (e.getThrowableProxy() != null) {
                        seen.append(ThrowableProxyUtil.asString(e.getThrowableProxy())).append('\n');
                    }
                }
                // the failed listing's warning was captured: the logs checked below include an error path
                assertThat(seen.toString()).contains("listing the bucket failed");
                seen.append(get("http://127.0.0.1:" + managementPort + "/observe/metrics", null).body());
                seen.append(get(urls.get(0) + "/internal/logs/repair", null).body());
                seen.append(report);
                MBeanServer server = ManagementFactory.getPlatformMBeanServer();
                for (ObjectName name : server.queryNames(new ObjectName("org.apache.camel:context="
                        + nodes.get(0).context().getManagementName() + ",*"), null)) {
                    for (MBeanAttributeInfo attribute : server.getMBeanInfo(name).getAttributes()) {
                        try {
                            seen.append(server.getAttribute(name, attribute.getName())).append('\n');
                        } catch (Exception | Error ignored) {
                            // attributes that cannot be read cannot leak either
                        }
                    }
                }
                // the same through Jolokia, as the JMX console sees it: every attribute of every MBean of the context
                String jolokia = "http://127.0.0.1:" + managementPort + "/observe/jolokia";
                var json = new com.fasterxml.jackson.databind.ObjectMapper();
                var search = json.readTree(post(jolokia, "{\"type\":\"search\",\"mbean\":\"org.apache.camel:context="
                        + nodes.get(0).context().getManagementName() + ",*\"}"));
                assertThat(search.get("value").size()).as(search.toString()).isGreaterThan(20);
                var reads = json.createArrayNode();
                search.get("value").forEach(name -> reads.addObject().put("type", "read").put("mbean", name.asText()));
                String everything = post(jolokia, reads.toString());
                assertThat(everything).contains("CyclesCompleted").contains("LastCycleCounters").containsIgnoringCase(walletA);
                seen.append(everything);
                assertThat(seen.toString()).doesNotContain(S3_SECRET).doesNotContain(KEY_A).doesNotContain(KEY_B)
                        .contains("presence_index_build_fail");
            } finally {
                nodes.forEach(TestNode::close);
                root.detachAppender(logs);
            }
        }
    }
}
