package io.blobrepair.demo;

import io.blobrepair.BlobRepairApplication;
import io.blobrepair.ops.RepairService;
import io.blobrepair.repair.CycleReport;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import org.apache.camel.main.Main;

import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * {@code blob-repair demo}: the repair job at work with nothing installed. It starts an S3
 * server (s3proxy over files under {@code <data>/s3}) and a PostgreSQL (embedded, under
 * {@code <data>/pg}), seeds a network of four nodes in this process, runs a normal and then a
 * cleanup cycle on node 1, and prints what they did and what they cost; the last stdout line is
 * the summary as one JSON object. Every run starts afresh: it removes the previous run's
 * {@code s3} and {@code pg} directories (and refuses to touch ones it did not create).
 * Exit 0 when both cycles completed and node 1 ended holding exactly its blobs, 1 otherwise,
 * 2 on bad arguments.
 */
public final class Demo {

    static final int DEFAULT_BLOBS = 300;
    static final int MIN_BLOBS = 10;
    static final int REPLICATION_FACTOR = 2;
    /** Node 1's clock runs this far ahead, so that blobs seeded now count as old enough to delete. */
    static final Duration CLOCK_AHEAD = Duration.ofDays(8);
    /** Node 1's free space once its missing blobs are pulled: under 5%, so it counts as full. */
    static final double FREE_AFTER_PULLS = 0.02;
    /** The default (0.05) would stop the demo's cleanup before its last deletions (2 of 8 blobs at 10 blobs). */
    static final double MAX_DELETE_FRACTION = 0.25;
    static final String USAGE = "usage: java -jar blob-repair-demo.jar [--blobs N] [--data DIR]  (defaults: --blobs "
            + DEFAULT_BLOBS + " --data ./data)";

    private static final String ACCESS_KEY = "demo-access-key";
    private static final String SECRET_KEY = "demo-secret-key";
    /** Written into the data directory: its s3/ and pg/ are the demo's to remove. */
    private static final String MARKER = ".blob-repair-demo";
    private static final int NODES = 4;

    private Demo() {
    }

    record Options(int blobs, Path data) {

        static Options parse(List<String> args) {
            int blobs = DEFAULT_BLOBS;
            Path data = Path.of("data");
            for (int i = 0; i < args.size(); i++) {
                String arg = args.get(i);
                String value = i + 1 < args.size() ? args.get(i + 1) : null;
                switch (arg) {
                    case "--blobs" -> {
                        try {
                            blobs = Integer.parseInt(required(arg, value));
                        } catch (NumberFormatException e) {
                            throw new IllegalArgumentException("--blobs takes a whole number, not '" + value + "'");
                        }
                        if (blobs < MIN_BLOBS) {
                            throw new IllegalArgumentException("--blobs must be at least " + MIN_BLOBS + " to show every case");
                        }
                        i++;
                    }
                    case "--data" -> {
                        data = Path.of(required(arg, value));
                        i++;
                    }
                    default -> throw new IllegalArgumentException("unknown argument '" + arg + "'");
                }
            }
            return new Options(blobs, data.toAbsolutePath().normalize());
        }

        private static String required(String option, String value) {
            if (value == null) {
                throw new IllegalArgumentException(option + " needs a value");
            }
            return value;
        }
    }

    /** One node of the demo network. */
    record Node(int number, int port, String database) {

        String name() {
            return "node-" + number;
        }

        /** Its bucket: bucket names need at least three characters. */
        String bucket() {
            return name();
        }

        String host() {
            return "http://127.0.0.1:" + port;
        }
    }

    /** Node 1's bucket after both cycles, against what it should hold. */
    record FinalState(long shouldHold, long holdsValid, long holdsExtra) {

        boolean repaired() {
            return holdsValid == shouldHold && holdsExtra == 0;
        }
    }

    /** {@code java -jar target/blob-repair-demo.jar [--blobs N] [--data DIR]}. */
    public static void main(String[] args) throws Exception {
        System.exit(run(List.of(args)));
    }

    /** Runs the demo; the exit code is returned, not taken. */
    public static int run(List<String> args) throws Exception {
        Options options;
        try {
            options = Options.parse(args);
        } catch (IllegalArgumentException e) {
            System.err.println("blob-repair demo: " + e.getMessage());
            System.err.println(USAGE);
            return 2;
        }
        Path data = options.data();
        boolean removed;
        try {
            removed = startAfresh(data);
        } catch (IllegalStateException e) {
            System.err.println("blob-repair demo: " + e.getMessage());
            return 2;
        }
        PrintStream out = System.out;
        List<Node> nodes = new ArrayList<>();
        for (int i = 1; i <= NODES; i++) {
            nodes.add(new Node(i, freePort(), "node_" + i));
        }
        Node nodeOne = nodes.get(0);
        List<String> hosts = nodes.stream().map(Node::host).toList();
        SeededNetwork network = SeededNetwork.plan(options.blobs(), hosts, REPLICATION_FACTOR);
        long capacity = (long) Math.ceil(network.nodeOneBytesAfterPulls() / (1 - FREE_AFTER_PULLS));

        progress("starting s3proxy (files under " + data.resolve("s3") + ") and PostgreSQL (under " + data.resolve("pg") + ")");
        try (DemoS3 s3 = DemoS3.start(data.resolve("s3"), ACCESS_KEY, SECRET_KEY);
             EmbeddedPostgres postgres = EmbeddedPostgres.builder()
                     .setDataDirectory(data.resolve("pg"))
                     .setCleanDataDirectory(false)
                     .start()) {
            progress("seeding " + options.blobs() + " blobs on " + NODES + " nodes");
            for (Node node : nodes) {
                s3.createBucket(node.bucket());
                createDatabase(postgres, node, network.cids());
            }
            network.seed(s3, nodes.stream().map(Node::bucket).toList());

            List<Main> running = new ArrayList<>();
            CycleReport normal;
            CycleReport cleanup;
            try {
                for (Node node : nodes) {
                    progress("starting blob-repair " + node.name() + " on " + node.host());
                    Map<String, String> settings = settings(node, hosts, s3, postgres);
                    Clock clock = null;
                    if (node == nodeOne) {
                        settings.put("repair.capacity-bytes", String.valueOf(capacity));
                        settings.put("repair.max-delete-fraction", String.valueOf(MAX_DELETE_FRACTION));
                        clock = Clock.offset(Clock.systemUTC(), CLOCK_AHEAD);
                    }
                    running.add(startNode(settings, clock));
                }
                RepairService service = running.get(0).getCamelContext().getRegistry()
                        .lookupByNameAndType("repairService", RepairService.class);
                progress("node-1: normal cycle");
                normal = service.runCycle(false);
                progress("node-1: cleanup cycle");
                cleanup = service.runCycle(true);
            } finally {
                progress("stopping the nodes, s3proxy and PostgreSQL");
                Collections.reverse(running);
                running.forEach(Main::stop);
            }
            FinalState state = finalState(network, s3, nodeOne.bucket());
            DemoReport report = new DemoReport(options, removed, s3.endpoint(), nodes, network, capacity, normal, cleanup, state);
            report.text().forEach(out::println);
            out.println(report.json());
            out.flush();
            return normal.aborted() || cleanup.aborted() || !state.repaired() ? 1 : 0;
        }
    }

    /**
     * Removes the previous run's {@code s3/} and {@code pg/} under {@code data}; refuses when they
     * exist without the demo's marker (someone else's files).
     *
     * @return whether a previous run's data was removed
     */
    static boolean startAfresh(Path data) throws IOException {
        Path s3 = data.resolve("s3");
        Path pg = data.resolve("pg");
        Path marker = data.resolve(MARKER);
        boolean previous = Files.exists(s3) || Files.exists(pg);
        if (previous && !Files.exists(marker)) {
            throw new IllegalStateException(data + " already holds s3/ or pg/ that the demo did not create;"
                    + " choose another directory with --data");
        }
        deleteTree(s3);
        deleteTree(pg);
        Files.createDirectories(data);
        Files.writeString(marker, "s3/ and pg/ here belong to `blob-repair demo`: each run removes and recreates them\n");
        return previous;
    }

    private static void deleteTree(Path root) throws IOException {
        if (!Files.exists(root)) {
            return;
        }
        try (Stream<Path> paths = Files.walk(root)) {
            for (Path p : paths.sorted(Comparator.reverseOrder()).toList()) {
                Files.delete(p);
            }
        }
    }

    private static void createDatabase(EmbeddedPostgres postgres, Node node, List<String> cids) throws SQLException, IOException {
        try (Connection c = postgres.getPostgresDatabase().getConnection(); Statement st = c.createStatement()) {
            st.execute("CREATE DATABASE " + node.database());
        }
        String schema;
        try (InputStream in = Demo.class.getResourceAsStream("/db/schema.sql")) {
            if (in == null) {
                throw new IOException("missing resource /db/schema.sql");
            }
            schema = new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
        try (Connection c = postgres.getDatabase("postgres", node.database()).getConnection()) {
            try (Statement st = c.createStatement()) {
                st.execute(schema);
            }
            // every node's previews list every blob: each node decides for itself which are its own
            try (PreparedStatement ps = c.prepareStatement("INSERT INTO audio_previews (cid) VALUES (?)")) {
                for (String cid : cids) {
                    ps.setString(1, cid);
                    ps.addBatch();
                }
                ps.executeBatch();
            }
        }
    }

    private static Map<String, String> settings(Node node, List<String> hosts, DemoS3 s3, EmbeddedPostgres postgres) {
        Map<String, String> p = new LinkedHashMap<>();
        p.put("camel.main.name", "blob-repair-demo-" + node.name());
        p.put("repair.s3.endpoint", s3.endpoint());
        p.put("repair.s3.bucket", node.bucket());
        p.put("repair.s3.access-key", ACCESS_KEY);
        p.put("repair.s3.secret-key", SECRET_KEY);
        p.put("repair.db.url", postgres.getJdbcUrl("postgres", node.database()));
        p.put("repair.db.user", "postgres");
        p.put("repair.db.password", "");
        p.put("repair.self-host", node.host());
        p.put("repair.peers", String.join(",", hosts));
        p.put("repair.replication-factor", String.valueOf(REPLICATION_FACTOR));
        // the demo's nodes have no keys: the reference network's default (signed) is for real networks
        p.put("repair.peer-auth", "none");
        p.put("repair.http.host", "127.0.0.1");
        p.put("repair.http.port", String.valueOf(node.port()));
        // cycles only when the demo asks; no management server, so nothing else needs a port
        p.put("repair.enabled", "false");
        p.put("camel.management.enabled", "false");
        p.put("camel.main.shutdownTimeout", "2");
        // four nodes starting: one line each instead of Camel's full startup summaries
        p.put("camel.main.autoConfigurationLogSummary", "false");
        p.put("camel.main.startupSummaryLevel", "Oneline");
        return p;
    }

    private static Main startNode(Map<String, String> settings, Clock clock) throws Exception {
        Main main = BlobRepairApplication.newMain();
        settings.forEach(main::addOverrideProperty);
        if (clock != null) {
            main.bind("clock", clock);
        }
        main.start();
        return main;
    }

    private static FinalState finalState(SeededNetwork network, DemoS3 s3, String bucket) throws IOException {
        long valid = 0;
        long extra = 0;
        for (SeededNetwork.SeededBlob blob : network.blobs()) {
            byte[] held = s3.read(bucket, blob.key());
            if (blob.kind().mine() && held != null && Arrays.equals(held, blob.content())) {
                valid++;
            } else if (!blob.kind().mine() && held != null) {
                extra++;
            }
        }
        return new FinalState(network.mine(), valid, extra);
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }

    /** Progress goes to stderr with the nodes' logs; the report alone goes to stdout. */
    private static void progress(String message) {
        System.err.println("demo: " + message);
    }
}
