package io.blobrepair.testing;

import io.blobrepair.BlobRepairApplication;
import io.blobrepair.ops.RepairService;
import io.blobrepair.repair.CycleReport;
import io.blobrepair.repair.CycleTracker;
import io.blobrepair.s3.S3RequestCounter;
import org.apache.camel.CamelContext;
import org.apache.camel.builder.NotifyBuilder;
import org.apache.camel.main.Main;

import java.io.IOException;
import java.net.ServerSocket;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * One blob-repair node in the test JVM: the real application (routes, beans, peer API on a real
 * port) against a bucket of the test S3 server and a database of the test PostgreSQL.
 */
public final class TestNode implements AutoCloseable {

    private static final AtomicInteger NODES = new AtomicInteger();
    private static final int PORTS_PER_JVM = 200;
    /** 10000..32599: 113 blocks of 200 ports below the ephemeral range. */
    private static final int PORT_BLOCK = 10_000 + (int) (ProcessHandle.current().pid() % 113) * PORTS_PER_JVM;
    private static final AtomicInteger NEXT_PORT = new AtomicInteger();

    private final Main main;
    private final String selfHost;
    private final String bucket;

    private TestNode(Main main, String selfHost, String bucket) {
        this.main = main;
        this.selfHost = selfHost;
        this.bucket = bucket;
    }

    /**
     * A port for a node's peer API, which must be known before the node starts (it is the node's
     * own host in the ranking), so it cannot bind port 0. It is taken below the kernel's ephemeral
     * range (32768 and up on Linux), where no outgoing connection of the tests' S3, database and
     * HTTP clients can take it between this check and the node's bind; each test JVM takes its
     * ports from its own block (by process id), so test JVMs running side by side do not meet.
     */
    public static synchronized int freePort() throws IOException {
        for (int tries = 0; tries < PORTS_PER_JVM; tries++) {
            int port = PORT_BLOCK + NEXT_PORT.getAndIncrement() % PORTS_PER_JVM;
            try (ServerSocket socket = new ServerSocket(port)) {
                return socket.getLocalPort();
            } catch (IOException inUse) {
                // the next one
            }
        }
        throw new IOException("no free port in " + PORT_BLOCK + ".." + (PORT_BLOCK + PORTS_PER_JVM - 1));
    }

    /** Settings a node needs; {@code extra} overrides or adds any property. */
    public static Map<String, String> settings(TestS3 s3, String bucket, TestDb db, int port, List<String> peers) {
        Map<String, String> p = new LinkedHashMap<>();
        p.put("camel.main.name", "node-" + NODES.incrementAndGet());
        p.put("repair.s3.endpoint", s3.endpoint());
        p.put("repair.s3.bucket", bucket);
        p.put("repair.s3.access-key", TestS3.ACCESS_KEY);
        p.put("repair.s3.secret-key", s3.secretKey());
        p.put("repair.db.url", db.jdbcUrl());
        p.put("repair.db.user", "postgres");
        p.put("repair.db.password", "");
        p.put("repair.self-host", "http://127.0.0.1:" + port);
        p.put("repair.peers", String.join(",", peers));
        // the tests were written for R=3 without peer auth; both now have other defaults (4, signed)
        p.put("repair.replication-factor", "3");
        p.put("repair.peer-auth", "none");
        p.put("repair.http.port", String.valueOf(port));
        p.put("repair.http.host", "127.0.0.1");
        p.put("repair.enabled", "false");
        p.put("camel.management.enabled", "false");
        p.put("camel.main.shutdownTimeout", "2");
        return p;
    }

    public static TestNode start(Map<String, String> settings) throws Exception {
        return start(settings, null);
    }

    /** Starts a node whose notion of "now" is {@code clock} (to age blobs), when not null. */
    public static TestNode start(Map<String, String> settings, java.time.Clock clock) throws Exception {
        Main main = BlobRepairApplication.newMain();
        settings.forEach(main::addOverrideProperty);
        if (clock != null) {
            main.bind("clock", clock);
        }
        main.start();
        return new TestNode(main, settings.get("repair.self-host"), settings.get("repair.s3.bucket"));
    }

    public String url() {
        return selfHost;
    }

    public String bucket() {
        return bucket;
    }

    public CamelContext context() {
        return main.getCamelContext();
    }

    public <T> T bean(String name, Class<T> type) {
        return context().getRegistry().lookupByNameAndType(name, type);
    }

    /**
     * Matches once {@code count} more cycles have ended, however they were started (Quartz, JMX):
     * exchanges of the cycle route that end with their report (not the work lists' split parts).
     */
    public NotifyBuilder cyclesEnded(int count) {
        return new NotifyBuilder(context()).filter(e -> e.getProperty(CycleTracker.REPORT) != null).whenDone(count).create();
    }

    public CycleReport runCycle() {
        return bean("repairService", RepairService.class).runCycle(false);
    }

    public CycleReport runCleanupCycle() {
        return bean("repairService", RepairService.class).runCycle(true);
    }

    public S3RequestCounter s3Requests() {
        return bean("s3RequestCounter", S3RequestCounter.class);
    }

    @Override
    public void close() {
        main.stop();
    }
}
