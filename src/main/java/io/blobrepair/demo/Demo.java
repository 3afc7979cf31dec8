package io.blobrepair.demo;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.blobrepair.BlobRepairApplication;
import io.blobrepair.cid.ContentHash;
import io.blobrepair.cid.StorageKey;
import io.blobrepair.ops.RepairService;
import io.blobrepair.placement.RendezvousRanking;
import io.blobrepair.repair.CycleReport;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import org.apache.camel.main.Main;
import org.gaul.s3proxy.AuthenticationType;
import org.gaul.s3proxy.S3Proxy;
import org.jclouds.ContextBuilder;
import org.jclouds.blobstore.BlobStore;
import org.jclouds.blobstore.BlobStoreContext;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.Statement;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;

/**
 * {@code java -jar blob-repair.jar demo [--blobs N] [--data DIR]}: a three-node network in one
 * process, on an embedded S3-compatible server (s3proxy, files under DIR/s3) and an embedded
 * PostgreSQL (DIR/pg). Node 1 misses some blobs, holds some it should not, and one of its blobs
 * is corrupted; it runs a normal and then a cleanup cycle, and the demo prints what each did and
 * cost. Every run starts from a fresh DIR.
 */
public final class Demo {

    private static final String ACCESS_KEY = "demo";
    private static final String SECRET_KEY = "demo-secret-key";
    private static final int NODES = 3;
    private static final int R = 2;

    private Demo() {
    }

    public static int run(List<String> args) throws Exception {
        int blobs = 60;
        Path data = Path.of("data");
        for (int i = 0; i < args.size(); i++) {
            switch (args.get(i)) {
                case "--blobs" -> blobs = Integer.parseInt(args.get(++i));
                case "--data" -> data = Path.of(args.get(++i));
                default -> throw new IllegalArgumentException("demo takes --blobs N and --data DIR, not " + args.get(i));
            }
        }
        deleteRecursively(data);
        Files.createDirectories(data.resolve("s3"));
        say("blob-repair demo: %d blobs on a 3-node network (R=%d), data under %s (wiped at each run)", blobs, R, data.toAbsolutePath());

        Properties jclouds = new Properties();
        jclouds.setProperty("jclouds.filesystem.basedir", data.resolve("s3").toAbsolutePath().toString());
        BlobStoreContext storeContext = ContextBuilder.newBuilder("filesystem").overrides(jclouds).build(BlobStoreContext.class);
        BlobStore store = storeContext.getBlobStore();
        S3Proxy s3 = S3Proxy.builder().blobStore(store).endpoint(URI.create("http://127.0.0.1:" + freePort()))
                .awsAuthentication(AuthenticationType.AWS_V2_OR_V4, ACCESS_KEY, SECRET_KEY).build();
        s3.start();
        while (!"STARTED".equals(s3.getState())) {
            Thread.sleep(10);
        }
        EmbeddedPostgres pg = EmbeddedPostgres.builder().setDataDirectory(data.resolve("pg")).setCleanDataDirectory(true).start();
        List<Main> nodes = new ArrayList<>();
        try {
            List<String> urls = new ArrayList<>();
            for (int n = 0; n < NODES; n++) {
                urls.add("http://127.0.0.1:" + freePort());
                store.createContainerInLocation(null, "node-" + (n + 1));
                try (Connection c = pg.getPostgresDatabase().getConnection(); Statement st = c.createStatement()) {
                    st.execute("CREATE DATABASE node" + (n + 1));
                }
            }

            // seed: every blob on the two nodes that rank first for it, then node 1's faults
            List<String> cids = new ArrayList<>();
            int missing = 0;
            int overReplicated = 0;
            long node1Bytes = 0;
            String corrupted = null;
            for (int i = 0; i < blobs; i++) {
                byte[] content = ("demo blob " + i + " ").repeat(20 + i % 50).getBytes(StandardCharsets.UTF_8);
                String cid = ContentHash.v1CidOf(content);
                cids.add(cid);
                List<String> ranked = RendezvousRanking.rank(cid, urls);
                boolean node1Holds = ranked.indexOf(urls.get(0)) < R;
                for (int n = 0; n < NODES; n++) {
                    boolean holds = ranked.indexOf(urls.get(n)) < R;
                    if (n == 0 && node1Holds && i % 5 == 0) {
                        holds = false; // missing on node 1: it must pull
                        missing++;
                    } else if (n == 0 && !node1Holds && i % 3 == 0) {
                        holds = true; // a copy node 1 should not hold
                        overReplicated++;
                    }
                    if (holds) {
                        byte[] stored = content;
                        if (n == 0 && corrupted == null && node1Holds) {
                            stored = "corrupted bytes".getBytes(StandardCharsets.UTF_8);
                            corrupted = cid;
                        }
                        store.putBlob("node-" + (n + 1), store.blobBuilder(StorageKey.of(cid)).payload(stored)
                                .contentLength(stored.length).build());
                        if (n == 0) {
                            node1Bytes += stored.length;
                        }
                    }
                }
            }
            say("node 1: %d blobs missing, %d over-replicated copies, 1 corrupted (%s)", missing, overReplicated, corrupted);

            for (int n = 0; n < NODES; n++) {
                Main main = BlobRepairApplication.newMain();
                Map<String, String> p = new LinkedHashMap<>();
                p.put("camel.main.name", "demo-node-" + (n + 1));
                p.put("repair.s3.endpoint", "http://127.0.0.1:" + s3.getPort());
                p.put("repair.s3.bucket", "node-" + (n + 1));
                p.put("repair.s3.access-key", ACCESS_KEY);
                p.put("repair.s3.secret-key", SECRET_KEY);
                p.put("repair.db.url", pg.getJdbcUrl("postgres", "node" + (n + 1)));
                p.put("repair.db.user", "postgres");
                p.put("repair.self-host", urls.get(n));
                p.put("repair.peers", String.join(",", urls));
                p.put("repair.replication-factor", String.valueOf(R));
                p.put("repair.http.port", urls.get(n).substring(urls.get(n).lastIndexOf(':') + 1));
                p.put("repair.http.host", "127.0.0.1");
                p.put("repair.enabled", "false");
                p.put("camel.management.enabled", "false");
                if (n == 0) {
                    // node 1 is nearly full, so it keeps no more than R copies; seeded blobs count as old
                    p.put("repair.capacity-bytes", String.valueOf(node1Bytes + node1Bytes / 50));
                    p.put("repair.max-delete-fraction", "0.5");
                    main.bind("clock", Clock.offset(Clock.systemUTC(), Duration.ofDays(8)));
                }
                p.forEach(main::addOverrideProperty);
                main.start();
                nodes.add(main);
            }
            try (Connection c = pg.getDatabase("postgres", "node1").getConnection();
                 PreparedStatement ps = c.prepareStatement("INSERT INTO audio_previews (cid) VALUES (?)")) {
                for (String cid : cids) {
                    ps.setString(1, cid);
                    ps.addBatch();
                }
                ps.executeBatch();
            }
            say("(node 1's clock runs 8 days ahead, so the seeded blobs count as old enough to delete)");

            RepairService node1 = nodes.get(0).getCamelContext().getRegistry().lookupByNameAndType("repairService", RepairService.class);
            CycleReport normal = node1.runCycle(false);
            print("normal cycle", normal);
            CycleReport cleanup = node1.runCycle(true);
            print("cleanup cycle", cleanup);

            Map<String, Object> summary = new LinkedHashMap<>();
            summary.put("blobs", blobs);
            summary.put("seeded_missing", missing);
            summary.put("seeded_over_replicated", overReplicated);
            summary.put("normal", normal);
            summary.put("cleanup", cleanup);
            System.out.println(new ObjectMapper().writeValueAsString(summary));
            return normal.aborted() || cleanup.aborted() ? 1 : 0;
        } finally {
            for (Main main : nodes) {
                main.stop();
            }
            pg.close();
            s3.stop();
            storeContext.close();
        }
    }

    private static void print(String title, CycleReport r) {
        Map<String, Long> c = r.counters();
        Map<String, Long> s3 = r.s3Requests();
        say("");
        say("%s %d%s: %d ms", title, r.cycle(), r.aborted() ? " (aborted: " + r.abortedReason() + ")" : "", r.durationMs());
        say("  checked %d CIDs: %d held, %d pulled (%d failed attempts), %d deleted as invalid, %d as over-replicated",
                c.get("total_checked"), c.get("already_have"), c.get("pull_mine_success"), c.get("pull_mine_fail"),
                c.get("delete_invalid_success"), c.get("delete_over_replicated_success"));
        say("  S3 requests: ListObjects %d, HeadObject %d, GetObject %d, PutObject %d, DeleteObject %d",
                s3.get("ListObjects"), s3.get("HeadObject"), s3.get("GetObject"), s3.get("PutObject"), s3.get("DeleteObject"));
        long lookups = c.get("presence_index_hit") + c.get("presence_index_miss");
        say("  presence: %d index entries answered %d lookups with %d ListObjects; per-key HeadObject would have cost %d requests",
                c.get("presence_index_entries"), lookups, s3.get("ListObjects"), lookups);
    }

    private static void say(String format, Object... args) {
        System.out.println(String.format(format, args));
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }

    private static void deleteRecursively(Path dir) throws IOException {
        if (Files.exists(dir)) {
            try (var paths = Files.walk(dir)) {
                for (Path p : paths.sorted(Comparator.reverseOrder()).toList()) {
                    Files.delete(p);
                }
            }
        }
    }
}
