package io.blobrepair.chaos;

import io.blobrepair.cid.ContentHash;
import io.blobrepair.placement.RendezvousRanking;
import io.blobrepair.repair.CycleReport;
import io.blobrepair.testing.Blob;
import io.blobrepair.testing.MutableClock;
import io.blobrepair.testing.TestDb;
import io.blobrepair.testing.TestNode;
import io.blobrepair.testing.TestS3;

import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;

/**
 * K real blob-repair nodes on one machine (each its own s3proxy, database and peer API), seeded
 * with blobs that are missing, corrupted, over-replicated and aged, or just held, then run for C
 * rounds under a seeded random fault schedule, with invariants checked after every round. Every
 * 4th round forces a cleanup on every node; a node that missed a round also makes its own
 * every-4th-cycle cleanup ({@code repair.cleanup-every}) in a round that is not one. The same
 * seed gives the same schedule and rankings (the nodes' own timing is not simulated, so what a
 * fault hits may still differ between runs).
 */
public final class NetworkSimulation implements AutoCloseable {

    static final int R = 3;
    /** Every CLEANUP_EVERY-th round (1-based) is a cleanup round. */
    static final int CLEANUP_EVERY = 4;
    private static final int BLOB_BYTES = 2048;
    /**
     * Every node's peer API listens on this port, node i on 127.0.0.(10+i): the nodes' URLs, and so
     * every blob's ranking, are the same in every run (free ports would rank the blobs differently
     * each time, and a seed would not reproduce what it found). Below Linux's ephemeral range.
     */
    static final int PORT = 24_014;

    /** What the schedule can inject; all of it through the test kit, nothing in the product. */
    enum Fault {
        /** The node's S3 answers every n-th request with 503 SlowDown for the round. */
        S3_SLOWDOWN,
        /**
         * The node's listing fails (retries included) for the round: from its first page, since
         * the simulator's buckets fit in one page.
         */
        LISTING_FAIL,
        /** One copy in the node's bucket gets a flipped byte (bit rot; kept for good). */
        CORRUPT_COPY,
        /** The node is stopped for the round: no cycle, peer API unreachable; restarted after it. */
        PEER_DOWN
    }

    /**
     * @param corruption     seed corrupted copies and inject {@link Fault#CORRUPT_COPY}; without it the
     *                       "corrupt" kinds are seeded valid
     * @param checkEachCycle check the copies around every node's cycle, not only around the round:
     *                       also catches a copy lost within a round and pulled back later in it
     */
    public record Config(long seed, int nodes, int rounds, int blobsPerKind, boolean corruption, boolean checkEachCycle) {
        public Config {
            if (nodes < R + 1 || rounds < CLEANUP_EVERY) {
                throw new IllegalArgumentException("need at least " + (R + 1) + " nodes and " + CLEANUP_EVERY + " rounds");
            }
        }

        /** Faults stop after this round, so the rest holds a whole cleanup period without faults. */
        int lastFaultRound() {
            return Math.max(0, rounds - CLEANUP_EVERY);
        }
    }

    public record Result(Config config, Map<Fault, Integer> faults, List<String> violations, int roundsToConverge,
                         int blobs, Map<String, Integer> cycles, Map<String, Long> counters, Map<String, Integer> aborted,
                         int minCopiesAtEnd, int maxCopiesAtEnd, long durationMs) {
        int totalFaults() {
            return faults.values().stream().mapToInt(Integer::intValue).sum();
        }
    }

    private final class SimNode {
        final int index;
        final TestS3 s3;
        final String bucket;
        final String url;
        final Map<String, String> settings;
        final MutableClock clock = new MutableClock();
        TestNode node;

        SimNode(int index, List<String> urls, TestDb db) throws Exception {
            this.index = index;
            this.s3 = TestS3.start();
            this.bucket = "chaos-" + index;
            this.url = urls.get(index);
            s3.createBucket(bucket);
            List<String> peers = new ArrayList<>(urls);
            peers.remove(url);
            settings = TestNode.settings(s3, bucket, db, PORT, peers);
            settings.put("repair.self-host", url);
            settings.put("repair.http.host", URI.create(url).getHost());
            settings.put("repair.replication-factor", String.valueOf(R));
            settings.put("repair.peer-auth", "none");
            settings.put("repair.list-parallelism", "1");
            settings.put("repair.max-delete-fraction", "1");
            settings.put("repair.presence-filter.enabled", "false");
            // with R=3 and 5 nodes the default spill-over threshold (rank > R+2) never deletes: the
            // replica-set rule (rank >= R) gives the over-replicated blobs something to converge to
            settings.put("repair.over-replication", "replica-set");
            // every copy, seeded or pulled, is older than the 7 days a deletion needs
            clock.advance(Duration.ofDays(8));
        }

        boolean holdsValid(Blob b) throws Exception {
            byte[] content = s3.read(bucket, b.key());
            return content != null && ContentHash.v1CidOf(content).equals(b.cid());
        }
    }

    private final Config config;
    private final Random random;
    private final List<SimNode> nodes = new ArrayList<>();
    private final List<Blob> blobs = new ArrayList<>();
    private final List<String> urls = new ArrayList<>();
    private final Map<Fault, Integer> faults = new EnumMap<>(Fault.class);
    private final List<String> violations = new ArrayList<>();
    private final Map<String, Long> counters = new TreeMap<>();
    private final Map<String, Integer> aborted = new TreeMap<>();
    private final Map<String, Integer> cycles = new TreeMap<>();

    public NetworkSimulation(Config config) {
        this.config = config;
        this.random = new Random(config.seed());
        for (Fault f : Fault.values()) {
            faults.put(f, 0);
        }
    }

    public Result run() throws Exception {
        long start = System.nanoTime();
        setUp();
        int convergedSince = -1;
        for (int round = 1; round <= config.rounds(); round++) {
            runRound(round);
            if (minValidCopies() >= R) {
                if (convergedSince < 0) {
                    convergedSince = round;
                }
            } else {
                convergedSince = -1;
            }
        }
        int[] copies = copiesRange();
        return new Result(config, faults, violations, convergedSince, blobs.size(), cycles, counters, aborted, copies[0], copies[1],
                (System.nanoTime() - start) / 1_000_000);
    }

    private void setUp() throws Exception {
        for (int i = 0; i < config.nodes(); i++) {
            urls.add("http://127.0.0." + (10 + i) + ":" + PORT);
        }
        for (int i = 0; i < config.nodes(); i++) {
            TestDb db = TestDb.create();
            db.createSchema();
            nodes.add(new SimNode(i, urls, db));
        }
        seed();
        for (SimNode n : nodes) {
            n.node = TestNode.start(n.settings, n.clock);
        }
    }

    /** Every node lists every blob; where the copies are depends on the blob's kind. */
    private void seed() throws Exception {
        int k = config.blobsPerKind();
        List<String> previews = new ArrayList<>();
        List<Blob> uploadOriginals = new ArrayList<>();
        // missing everywhere but one node, that need not be an owner
        for (int i = 0; i < k; i++) {
            Blob b = blob("missing", i);
            SimNode holder = nodes.get(random.nextInt(nodes.size()));
            holder.s3.put(holder.bucket, b.key(), b.content());
            previews.add(b.cid());
        }
        // held by its R owners, one of them with corrupted bytes
        for (int i = 0; i < k; i++) {
            Blob b = blob("corrupt", i);
            List<SimNode> owners = owners(b);
            for (SimNode o : owners) {
                o.s3.put(o.bucket, b.key(), b.content());
            }
            if (config.corruption()) {
                SimNode bad = owners.get(random.nextInt(owners.size()));
                bad.s3.put(bad.bucket, b.key(), corrupted(b.content()));
            }
            uploadOriginals.add(b);
        }
        // on every node (aged by the nodes' clocks): over-replicated beyond the first R ranks
        for (int i = 0; i < k; i++) {
            Blob b = blob("over", i);
            for (SimNode n : nodes) {
                n.s3.put(n.bucket, b.key(), b.content());
            }
            previews.add(b.cid());
        }
        // on every node, and the copy of its first-ranked owner corrupted: the hosts ahead that a
        // deletion counts on include one whose copy is bad
        for (int i = 0; i < k; i++) {
            Blob b = blob("over-corrupt", i);
            for (SimNode n : nodes) {
                n.s3.put(n.bucket, b.key(), b.content());
            }
            if (config.corruption()) {
                SimNode first = owners(b).get(0);
                first.s3.put(first.bucket, b.key(), corrupted(b.content()));
            }
            previews.add(b.cid());
        }
        // held exactly by its owners: nothing to do unless a fault breaks it
        for (int i = 0; i < k; i++) {
            Blob b = blob("held", i);
            for (SimNode o : owners(b)) {
                o.s3.put(o.bucket, b.key(), b.content());
            }
            uploadOriginals.add(b);
        }
        // half the uploads are audio, with a transcode of the "missing" kind
        Map<Integer, Blob> transcodes = new LinkedHashMap<>();
        for (int i = 1; i < uploadOriginals.size(); i += 2) {
            Blob t = blob("transcode", i);
            SimNode holder = nodes.get(random.nextInt(nodes.size()));
            holder.s3.put(holder.bucket, t.key(), t.content());
            transcodes.put(i, t);
        }
        for (SimNode n : nodes) {
            TestDb db = TestDb.at(n.settings.get("repair.db.url"));
            db.addRows("audio_previews", "cid", previews);
            for (int i = 0; i < uploadOriginals.size(); i++) {
                String orig = uploadOriginals.get(i).cid();
                Blob t = transcodes.get(i);
                if (t == null) {
                    db.addUpload("u-" + i, "img_square", orig, null, null);
                } else {
                    db.addUpload("u-" + i, "audio", orig, null, "{\"320\":\"" + t.cid() + "\"}");
                }
            }
        }
    }

    private Blob blob(String kind, int i) {
        Blob b = Blob.random(BLOB_BYTES, (config.seed() * 31 + kind.hashCode()) * 1_000_003L + i);
        blobs.add(b);
        return b;
    }

    private List<SimNode> owners(Blob b) {
        List<String> ranked = RendezvousRanking.rank(b.cid(), urls);
        return ranked.subList(0, R).stream().map(u -> nodes.get(urls.indexOf(u))).toList();
    }

    private static byte[] corrupted(byte[] content) {
        byte[] bad = content.clone();
        bad[bad.length / 2] ^= 0x5a;
        return bad;
    }

    private void runRound(int round) throws Exception {
        boolean cleanup = round % CLEANUP_EVERY == 0;
        SimNode down = null;
        if (round <= config.lastFaultRound()) {
            down = injectFaults();
        }
        Map<Blob, String> roundBefore = copies();

        for (SimNode n : nodes) {
            if (n == down) {
                continue;
            }
            int removedBefore = n.s3.store().removedKeys().size();
            List<Blob> heldBefore = new ArrayList<>();
            for (Blob b : blobs) {
                if (n.s3.exists(n.bucket, b.key())) {
                    heldBefore.add(b);
                }
            }
            Map<Blob, String> cycleBefore = config.checkEachCycle() ? copies() : null;
            CycleReport report = cleanup ? n.node.runCleanupCycle() : n.node.runCycle();
            if (report.aborted()) {
                aborted.merge(report.abortedReason(), 1, Integer::sum);
            }
            cycles.merge(report.cleanup() ? "cleanup" : "normal", 1, Integer::sum);
            report.counters().forEach((name, value) -> counters.merge(name, value, Long::sum));
            String where = String.format("seed %d round %d%s, node %d's cycle %d", config.seed(), round,
                    cleanup ? " (cleanup)" : "", n.index, report.cycle());
            if (cycleBefore != null) {
                checkCopies(cycleBefore, copies(), where);
            }
            // invariant (2), by the cycle's own kind: a node that missed a round makes its own
            // every-4th cleanup in a round that is not the simulator's
            if (!report.cleanup()) {
                List<String> removed = n.s3.store().removedKeys();
                if (removed.size() > removedBefore) {
                    violations.add(String.format("%s, not a cleanup: deleted %s", where,
                            removed.subList(removedBefore, removed.size())));
                }
                for (Blob b : heldBefore) {
                    if (!n.s3.exists(n.bucket, b.key())) {
                        violations.add(String.format("%s, not a cleanup: lost %s", where, b.cid()));
                    }
                }
            }
        }

        for (SimNode n : nodes) {
            n.s3.store().slowDownEvery(0);
            n.s3.store().failListCall(0);
        }
        if (down != null) {
            down.node = TestNode.start(down.settings, down.clock);
        }

        checkCopies(roundBefore, copies(), String.format("seed %d round %d%s", config.seed(), round, cleanup ? " (cleanup)" : ""));
        System.err.printf("round %d%s: down=%s min_valid_copies=%d violations=%d%n", round, cleanup ? " (cleanup)" : "",
                down == null ? "-" : "node " + down.index, minValidCopies(), violations.size());
    }

    /** Draws this round's faults; returns the node to keep down for the round, if any. */
    private SimNode injectFaults() throws Exception {
        for (SimNode n : nodes) {
            if (random.nextDouble() >= 0.5) {
                continue;
            }
            switch (random.nextInt(config.corruption() ? 3 : 2)) {
                case 0 -> {
                    n.s3.store().slowDownEvery(3 + random.nextInt(5));
                    faults.merge(Fault.S3_SLOWDOWN, 1, Integer::sum);
                }
                case 1 -> {
                    n.s3.store().failListCall(1);
                    faults.merge(Fault.LISTING_FAIL, 1, Integer::sum);
                }
                default -> {
                    List<Blob> held = new ArrayList<>();
                    for (Blob b : blobs) {
                        if (n.holdsValid(b)) {
                            held.add(b);
                        }
                    }
                    if (!held.isEmpty()) {
                        Blob b = held.get(random.nextInt(held.size()));
                        n.s3.put(n.bucket, b.key(), corrupted(b.content()));
                        faults.merge(Fault.CORRUPT_COPY, 1, Integer::sum);
                    }
                }
            }
        }
        if (random.nextDouble() < 0.3) {
            SimNode down = nodes.get(random.nextInt(nodes.size()));
            down.node.close();
            down.node = null;
            faults.merge(Fault.PEER_DOWN, 1, Integer::sum);
            return down;
        }
        return null;
    }

    /**
     * Every blob's copies, one letter per node in the blob's rank order: {@code v} valid,
     * {@code x} content that does not hash to the CID, {@code -} absent.
     */
    private Map<Blob, String> copies() throws Exception {
        Map<Blob, String> copies = new LinkedHashMap<>();
        for (Blob b : blobs) {
            StringBuilder states = new StringBuilder();
            for (String url : RendezvousRanking.rank(b.cid(), urls)) {
                SimNode n = nodes.get(urls.indexOf(url));
                byte[] content = n.s3.read(n.bucket, b.key());
                states.append(content == null ? '-' : ContentHash.v1CidOf(content).equals(b.cid()) ? 'v' : 'x');
            }
            copies.put(b, states.toString());
        }
        return copies;
    }

    private static int valid(String states) {
        return (int) states.chars().filter(c -> c == 'v').count();
    }

    /** Invariant (1): no blob ends with fewer valid copies than min(R, its valid copies before). */
    private void checkCopies(Map<Blob, String> before, Map<Blob, String> after, String where) {
        for (Blob b : blobs) {
            int was = valid(before.get(b));
            int is = valid(after.get(b));
            if (is < Math.min(R, was)) {
                List<String> ranked = RendezvousRanking.rank(b.cid(), urls).stream()
                        .map(u -> "node " + urls.indexOf(u)).toList();
                violations.add(String.format("%s: %s has %d valid copies, %d before (copies by rank %s: %s before, %s after)",
                        where, b.cid(), is, was, ranked, before.get(b), after.get(b)));
            }
        }
    }

    private int minValidCopies() throws Exception {
        return copiesRange()[0];
    }

    private int[] copiesRange() throws Exception {
        int min = Integer.MAX_VALUE;
        int max = 0;
        for (String states : copies().values()) {
            int c = valid(states);
            min = Math.min(min, c);
            max = Math.max(max, c);
        }
        return new int[] {min, max};
    }

    @Override
    public void close() throws Exception {
        for (SimNode n : nodes) {
            if (n.node != null) {
                n.node.close();
            }
            n.s3.close();
        }
    }

    /** {@code [--seed S] [--nodes K] [--rounds C] [--blobs-per-kind B] [--no-corruption] [--check-each-cycle]}: a summary, then one JSON line. */
    public static void main(String[] args) throws Exception {
        long seed = 14;
        int nodes = 5;
        int rounds = 12;
        int perKind = 10;
        boolean corruption = true;
        boolean eachCycle = false;
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--seed" -> seed = Long.parseLong(args[++i]);
                case "--nodes" -> nodes = Integer.parseInt(args[++i]);
                case "--rounds" -> rounds = Integer.parseInt(args[++i]);
                case "--blobs-per-kind" -> perKind = Integer.parseInt(args[++i]);
                case "--no-corruption" -> corruption = false;
                case "--check-each-cycle" -> eachCycle = true;
                default -> throw new IllegalArgumentException("unknown argument " + args[i]);
            }
        }
        Result r;
        try (NetworkSimulation sim = new NetworkSimulation(new Config(seed, nodes, rounds, perKind, corruption, eachCycle))) {
            r = sim.run();
        }
        System.out.println(summary(r));
        System.out.println(json(r));
        System.exit(r.violations().isEmpty() && r.roundsToConverge() > 0 ? 0 : 1);
    }

    static String summary(Result r) {
        StringBuilder s = new StringBuilder();
        Config c = r.config();
        s.append(String.format("seed %d, %d nodes, %d rounds (faults in rounds 1-%d, cleanup every %d), R=%d, %d blobs%s, copies checked around each %s%n",
                c.seed(), c.nodes(), c.rounds(), c.lastFaultRound(), CLEANUP_EVERY, R, r.blobs(),
                c.corruption() ? "" : ", no corruption",
                c.checkEachCycle() ? "node's cycle" : "round"));
        r.faults().forEach((f, n) -> s.append(String.format("  fault %-14s %d%n", f.name().toLowerCase(), n)));
        for (String counter : List.of("pull_mine_success", "pull_mine_fail", "delete_invalid_success",
                "delete_over_replicated_success", "over_replicated_unconfirmed", "presence_index_build_fail",
                "presence_index_partial")) {
            s.append(String.format("  %-31s %d%n", counter, r.counters().getOrDefault(counter, 0L)));
        }
        r.cycles().forEach((kind, n) -> s.append(String.format("  %s cycles %d%n", kind, n)));
        r.aborted().forEach((reason, n) -> s.append(String.format("  aborted cycles %-16s %d%n", reason, n)));
        s.append(String.format("  valid copies at the end: min %d, max %d%n", r.minCopiesAtEnd(), r.maxCopiesAtEnd()));
        s.append(String.format("  violations %d%n", r.violations().size()));
        r.violations().forEach(v -> s.append("    ").append(v).append('\n'));
        s.append(String.format("  rounds to converge %d, %.1f s", r.roundsToConverge(), r.durationMs() / 1000.0));
        return s.toString();
    }

    static String json(Result r) {
        Config c = r.config();
        return String.format("{\"seed\":%d,\"nodes\":%d,\"rounds\":%d,\"faults\":%d,\"violations\":%d,\"rounds_to_converge\":%d}",
                c.seed(), c.nodes(), c.rounds(), r.totalFaults(), r.violations().size(), r.roundsToConverge());
    }
}
