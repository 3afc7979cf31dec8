package io.blobrepair.chaos;

import io.blobrepair.cid.ContentHash;
import io.blobrepair.placement.RendezvousRanking;
import io.blobrepair.repair.CidDecision;
import io.blobrepair.repair.CycleReport;
import io.blobrepair.testing.Blob;
import io.blobrepair.testing.MutableClock;
import io.blobrepair.testing.TestDb;
import io.blobrepair.testing.TestNode;
import io.blobrepair.testing.TestS3;
import io.blobrepair.work.WorkItem;
import io.blobrepair.work.WorkLists;
import org.apache.camel.builder.AdviceWith;
import org.apache.camel.spi.ShutdownStrategy;

import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Collectors;

/**
 * K real blob-repair nodes on one machine (each its own s3proxy, database and peer API behind a
 * {@link PeerProxy}), seeded with blobs that are missing, corrupted, over-replicated and aged,
 * placed, or just held, then run for C rounds under a seeded random fault schedule, with
 * invariants checked after every cycle and round. Every 4th round forces a cleanup on every node;
 * a node that missed a round also makes its own every-4th-cycle cleanup
 * ({@code repair.cleanup-every}) in a round that is not one. The faults stop two cleanup periods
 * before the end, by when every blob must be held validly by exactly R nodes. The same seed gives
 * the same schedule and rankings (the nodes' own timing is not simulated, so what a fault hits may
 * still differ between runs).
 */
public final class NetworkSimulation implements AutoCloseable {

    static final int R = 3;
    /** Every CLEANUP_EVERY-th round (1-based) is a cleanup round. */
    static final int CLEANUP_EVERY = 4;
    private static final int BLOB_BYTES = 2048;
    /** Keys a listing page holds: the buckets span several pages, so a listing can fail half-way. */
    static final int PAGE_KEYS = 16;
    /** A slow peer answers after this long, beyond the nodes' read timeout (1s) or within it. */
    private static final long[] SLOW_MILLIS = {400, 1500};
    /**
     * Every node's peer API is known at this port, node i at 127.0.0.(10+i) (its proxy; the node
     * itself listens on the next port): the nodes' URLs, and so every blob's ranking, are the
     * same in every run (free ports would rank the blobs differently each time, and a seed would
     * not reproduce what it found). Below Linux's ephemeral range.
     */
    static final int PORT = 24_014;
    /** Longest a cycle may take before the simulator calls it a hang. */
    private static final Duration CYCLE_LIMIT = Duration.ofMinutes(3);

    /** What the schedule can inject; all of it through the test kit, nothing in the product. */
    enum Fault {
        /** The node's S3 answers every n-th request with 503 SlowDown for the round. */
        S3_SLOWDOWN,
        /** The node's listing fails (retries included) after its first page or two, for the round. */
        LISTING_FAIL,
        /** One copy in the node's bucket gets a flipped byte (bit rot; kept for good). */
        CORRUPT_COPY,
        /** The node's peer API serves blobs with a flipped byte for the round (its bucket is sound). */
        WRONG_BYTES,
        /** The node's peer API sends half of each blob and drops the connection, for the round. */
        TRUNCATED_BYTES,
        /** The node's peer API answers everything late (within or beyond the read timeout). */
        SLOW_PEER,
        /** The node's clock runs up to 3 days ahead or behind for the round. */
        CLOCK_SKEW,
        /** The node is stopped for the round: no cycle, peer API unreachable; restarted after it. */
        PEER_DOWN,
        /**
         * The node is stopped while its cycle runs (at its n-th S3 request, or as its n-th CID enters
         * the per-CID route); restarted after the round, its run resumes from its cursor.
         */
        KILLED,
        /** A node leaves every node's peer list (and stops) before the round; the others restart. */
        HOST_REMOVED,
        /** The node that left comes back into every list before the round, its bucket as it left it. */
        HOST_ADDED
    }

    /** Faults of one node for a round, drawn from a bag so every kind comes up. */
    private static final List<Fault> NODE_FAULTS = List.of(Fault.S3_SLOWDOWN, Fault.LISTING_FAIL, Fault.CORRUPT_COPY,
            Fault.WRONG_BYTES, Fault.TRUNCATED_BYTES, Fault.SLOW_PEER, Fault.CLOCK_SKEW);
    /** One per fault round, of the network: a node down, a node killed mid-cycle, a host list change. */
    private static final List<Fault> NETWORK_FAULTS = List.of(Fault.PEER_DOWN, Fault.KILLED, Fault.HOST_REMOVED);

    /**
     * @param corruption     seed corrupted copies and inject {@link Fault#CORRUPT_COPY}; without it the
     *                       "corrupt" kinds are seeded valid
     * @param checkEachCycle check the copies around every node's cycle, not only around the round:
     *                       also catches a copy lost within a round and pulled back later in it
     */
    public record Config(long seed, int nodes, int rounds, int blobsPerKind, boolean corruption, boolean checkEachCycle) {
        public Config {
            if (nodes < R + 1 || rounds <= 2 * CLEANUP_EVERY) {
                throw new IllegalArgumentException("need at least " + (R + 1) + " nodes and " + (2 * CLEANUP_EVERY + 1) + " rounds");
            }
        }

        /** Faults stop after this round, so two whole cleanup periods follow without faults. */
        int lastFaultRound() {
            return rounds - 2 * CLEANUP_EVERY;
        }
    }

    public record Result(Config config, Map<Fault, Integer> faults, List<String> violations, int roundsToConverge,
                         int blobs, Map<String, Integer> cycles, Map<String, Long> counters, Map<String, Integer> aborted,
                         int minCopiesAtEnd, int maxCopiesAtEnd, int tamperedReads, int cidsCaughtByKills, long durationMs) {
        int totalFaults() {
            return faults.values().stream().mapToInt(Integer::intValue).sum();
        }
    }

    private final class SimNode {
        final int index;
        final TestS3 s3;
        final String bucket;
        final String url;
        final TestDb db;
        final Map<String, String> settings;
        final MutableClock clock = new MutableClock();
        final PeerProxy proxy;
        /** CIDs the node's work-list walk triaged since its last complete run (across kills). */
        final Set<String> triaged = new HashSet<>();
        /** CIDs the walk triaged in this process's cycle. */
        final Set<String> triagedInCycle = ConcurrentHashMap.newKeySet();
        /** CIDs that went down the per-CID route in this process's cycle, and those that came out of it. */
        final Set<String> entered = ConcurrentHashMap.newKeySet();
        final Set<String> finished = ConcurrentHashMap.newKeySet();
        /**
         * CIDs a kill caught on the per-CID route, not yet triaged again by the resumed run: its
         * cursor must not have moved past them.
         */
        final Set<String> owed = new TreeSet<>();
        /** Run once when the n-th CID of this cycle enters the per-CID route (a kill), if set. */
        volatile Runnable atCid;
        volatile int atCidNumber;
        /** What the simulator saw of the node's current run, across its segments (a kill, a resume). */
        long sawInvalidDeleted;
        long sawValidDeleted;
        long sawWritten;
        boolean runKilled;
        Duration skew = Duration.ZERO;
        TestNode node;

        SimNode(int index, List<String> urls, TestDb db) throws Exception {
            this.index = index;
            this.s3 = TestS3.start();
            this.bucket = "chaos-" + index;
            this.url = urls.get(index);
            this.db = db;
            s3.createBucket(bucket);
            s3.store().servePagesOf(PAGE_KEYS);
            URI self = URI.create(url);
            URI behind = URI.create("http://" + self.getHost() + ":" + (PORT + 1));
            this.proxy = new PeerProxy(self, behind);
            List<String> peers = new ArrayList<>(urls);
            peers.remove(url);
            settings = TestNode.settings(s3, bucket, db, PORT + 1, peers);
            settings.put("repair.self-host", url);
            settings.put("repair.http.host", self.getHost());
            settings.put("repair.replication-factor", String.valueOf(R));
            settings.put("repair.peer-auth", "none");
            settings.put("repair.list-parallelism", "1");
            settings.put("repair.max-delete-fraction", "1");
            settings.put("repair.presence-filter.enabled", "false");
            settings.put("repair.pull.read-timeout", "1s");
            // with R=3 and 5 nodes the default spill-over threshold (rank > R+2) never deletes: the
            // replica-set rule (rank >= R) gives the over-replicated blobs something to converge to
            settings.put("repair.over-replication", "replica-set");
            // every copy, seeded or pulled, is older than the 7 days a deletion needs
            clock.advance(Duration.ofDays(8));
        }

        /** Starts the node and its proxy, with the walk's triage observed (AdviceWith). */
        void start() throws Exception {
            node = TestNode.start(settings, clock);
            for (String list : WorkLists.names()) {
                AdviceWith.adviceWith(node.context(), "repair-" + list, a -> a.weaveById("triage-batch-" + list).before()
                        .process(e -> {
                            for (Object item : e.getIn().getBody(List.class)) {
                                triagedInCycle.add(((WorkItem) item).cid());
                            }
                        }));
            }
            AdviceWith.adviceWith(node.context(), "repair-cid", a -> {
                a.weaveAddFirst().process(e -> {
                    entered.add(e.getIn().getBody(CidDecision.class).facts().cid().value());
                    Runnable action = atCid;
                    if (action != null && entered.size() == atCidNumber) {
                        atCid = null;
                        action.run();
                    }
                });
                a.weaveAddLast().process(e -> finished.add(e.getProperty("cid", CidDecision.class).facts().cid().value()));
            });
            proxy.start();
        }

        synchronized void stop() {
            proxy.stop();
            if (node != null) {
                node.close();
                node = null;
            }
        }

        /**
         * Stops the node as a crash would, as near as one JVM allows: routes forced down after 50 ms
         * instead of waiting the graceful shutdown for the cycle in flight.
         */
        synchronized void kill() {
            if (node != null) {
                ShutdownStrategy shutdown = node.context().getShutdownStrategy();
                shutdown.setTimeUnit(TimeUnit.MILLISECONDS);
                shutdown.setTimeout(50);
            }
            stop();
        }

        void setPeers(List<String> memberUrls) {
            List<String> peers = new ArrayList<>(memberUrls);
            peers.remove(url);
            settings.put("repair.peers", String.join(",", peers));
        }

        boolean holdsValid(Blob b) throws Exception {
            byte[] content = s3.read(bucket, b.key());
            return content != null && ContentHash.v1CidOf(content).equals(b.cid());
        }

        /** Whether the node's latest run (the one a kill interrupted) is a cleanup. */
        boolean latestRunIsCleanup() throws Exception {
            return db.queryLong("SELECT COALESCE((SELECT CASE WHEN cleanup THEN 1 ELSE 0 END FROM repair_runs"
                    + " ORDER BY id DESC LIMIT 1), 0)") == 1;
        }

        void runDone() {
            triaged.clear();
            owed.clear();
            sawInvalidDeleted = 0;
            sawValidDeleted = 0;
            sawWritten = 0;
            runKilled = false;
        }
    }

    private final Config config;
    private final Random random;
    private final List<SimNode> nodes = new ArrayList<>();
    /** The nodes in every node's peer list (all but {@link #outside}), by index. */
    private final List<SimNode> members = new ArrayList<>();
    /** A node that left the network (HOST_REMOVED), until it comes back. */
    private SimNode outside;
    private final List<Blob> blobs = new ArrayList<>();
    /** Every CID of the work lists, which every complete run must triage. */
    private final Set<String> listed = new HashSet<>();
    private final List<String> urls = new ArrayList<>();
    private final Map<Fault, Integer> faults = new EnumMap<>(Fault.class);
    private final List<Fault> nodeFaultBag = new ArrayList<>();
    private final List<Fault> networkFaultBag = new ArrayList<>();
    private final List<String> violations = new ArrayList<>();
    private final Map<String, Long> counters = new TreeMap<>();
    private final Map<String, Integer> aborted = new TreeMap<>();
    private final Map<String, Integer> cycles = new TreeMap<>();
    /** CIDs on the per-CID route when their node was killed. */
    private int cidsCaughtByKills;
    /** Where the cycles run; a killed node's cycle may outlive its context for a while. */
    private final ExecutorService cycleThreads = Executors.newCachedThreadPool(r -> {
        Thread t = new Thread(r, "simulated-cycle");
        t.setDaemon(true);
        return t;
    });

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
            if (converged()) {
                if (convergedSince < 0) {
                    convergedSince = round;
                }
            } else {
                convergedSince = -1;
            }
        }
        if (convergedSince < 0) {
            violations.add(String.format("seed %d: not converged %d rounds (two cleanup periods) after the faults stopped"
                    + " (round %d): valid copies per blob from %d to %d, every blob needs exactly %d", config.seed(),
                    config.rounds() - config.lastFaultRound(), config.lastFaultRound(), copiesRange()[0], copiesRange()[1], R));
        }
        int[] copies = copiesRange();
        int tampered = nodes.stream().mapToInt(n -> n.proxy.tampered()).sum();
        return new Result(config, faults, violations, convergedSince, blobs.size(), cycles, counters, aborted, copies[0], copies[1],
                tampered, cidsCaughtByKills, (System.nanoTime() - start) / 1_000_000);
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
        members.addAll(nodes);
        seed();
        for (SimNode n : nodes) {
            n.start();
        }
    }

    /** Every node lists every blob; where the copies are depends on the blob's kind. */
    private void seed() throws Exception {
        int k = config.blobsPerKind();
        List<String> previews = new ArrayList<>();
        List<String> qmCids = new ArrayList<>();
        List<Blob> uploadOriginals = new ArrayList<>();
        // missing everywhere but one node, that need not be an owner; half listed in qm_cids
        for (int i = 0; i < k; i++) {
            Blob b = blob("missing", i);
            SimNode holder = nodes.get(random.nextInt(nodes.size()));
            holder.s3.put(holder.bucket, b.key(), b.content());
            (i % 2 == 0 ? previews : qmCids).add(b.cid());
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
            qmCids.add(b.cid());
        }
        // held exactly by its owners: nothing to do unless a fault breaks it
        for (int i = 0; i < k; i++) {
            Blob b = blob("held", i);
            for (SimNode o : owners(b)) {
                o.s3.put(o.bucket, b.key(), b.content());
            }
            uploadOriginals.add(b);
        }
        // placed on R random nodes (placement_hosts), the first of them missing it: only those hold it
        Map<Integer, List<String>> placements = new LinkedHashMap<>();
        for (int i = 0; i < k; i++) {
            Blob b = blob("placed", i);
            List<SimNode> shuffled = new ArrayList<>(nodes);
            Collections.shuffle(shuffled, random);
            List<SimNode> placed = shuffled.subList(0, R);
            for (SimNode p : placed.subList(1, R)) {
                p.s3.put(p.bucket, b.key(), b.content());
            }
            placements.put(uploadOriginals.size(), placed.stream().map(p -> p.url).toList());
            uploadOriginals.add(b);
        }
        // half the uploads are audio, with a transcode of the "missing" kind
        Map<Integer, Blob> transcodes = new LinkedHashMap<>();
        for (int i = 1; i < uploadOriginals.size(); i += 2) {
            Blob t = blob("transcode", i);
            List<String> placed = placements.get(i);
            SimNode holder = placed == null ? nodes.get(random.nextInt(nodes.size())) : nodes.get(urls.indexOf(placed.get(1)));
            holder.s3.put(holder.bucket, t.key(), t.content());
            transcodes.put(i, t);
        }
        for (SimNode n : nodes) {
            n.db.addRows("audio_previews", "cid", previews);
            n.db.addRows("qm_cids", "key", qmCids);
            for (int i = 0; i < uploadOriginals.size(); i++) {
                String orig = uploadOriginals.get(i).cid();
                Blob t = transcodes.get(i);
                List<String> placed = placements.get(i);
                String hosts = placed == null ? null : placed.stream().map(u -> "\"" + u + "\"").collect(Collectors.joining(",", "[", "]"));
                if (t == null) {
                    n.db.addUpload("u-" + i, "img_square", orig, hosts, null);
                } else {
                    n.db.addUpload("u-" + i, "audio", orig, hosts, "{\"320\":\"" + t.cid() + "\"}");
                }
            }
        }
        blobs.forEach(b -> listed.add(b.cid()));
        placements.forEach((i, hosts) -> {
            placedOn.put(uploadOriginals.get(i).key(), hosts);
            if (transcodes.containsKey(i)) {
                placedOn.put(transcodes.get(i).key(), hosts);
            }
        });
    }

    /** Keys of placed uploads (and their transcodes), with the hosts their placement names. */
    private final Map<String, List<String>> placedOn = new HashMap<>();

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

    /** This round's network fault and the node it hits. */
    private record NetworkFault(Fault kind, SimNode node) {
    }

    private void runRound(int round) throws Exception {
        boolean cleanup = round % CLEANUP_EVERY == 0;
        NetworkFault event = null;
        if (round <= config.lastFaultRound()) {
            event = injectFaults(round);
        }
        SimNode down = event != null && event.kind() == Fault.PEER_DOWN ? event.node() : null;
        SimNode killed = event != null && event.kind() == Fault.KILLED ? event.node() : null;
        Map<Blob, String> roundBefore = copies();

        for (SimNode n : List.copyOf(members)) {
            if (n != down) {
                runCycle(n, round, cleanup, n == killed);
            }
        }

        for (SimNode n : nodes) {
            n.s3.store().slowDownEvery(0);
            n.s3.store().failListCall(0);
            n.proxy.serve(PeerProxy.Mode.PASS, 0);
            n.clock.advance(n.skew.negated());
            n.skew = Duration.ZERO;
        }
        for (SimNode n : members) {
            if (n.node == null) {
                n.start();
            }
        }

        checkCopies(roundBefore, copies(), String.format("seed %d round %d%s", config.seed(), round, cleanup ? " (cleanup)" : ""));
        System.err.printf("round %d%s: %s min_valid_copies=%d violations=%d%n", round, cleanup ? " (cleanup)" : "",
                event == null ? "-" : event.kind().name().toLowerCase() + " node " + event.node().index, copiesRange()[0],
                violations.size());
    }

    /**
     * One node's cycle (a kill stops it at its n-th S3 request), checked against what the
     * simulator saw of the node's bucket and walk: deletions only in a cleanup and on a complete
     * listing, none of a valid copy as invalid, the counters those of what happened, and a
     * complete run triaged every row of every work list.
     */
    private void runCycle(SimNode n, int round, boolean cleanup, boolean kill) throws Exception {
        var store = n.s3.store();
        int removedBefore = store.removedKeys().size();
        int writtenBefore = store.writtenKeys().size();
        int listFailuresBefore = store.listFailures();
        Map<String, Boolean> validBefore = new HashMap<>();
        for (Blob b : blobs) {
            byte[] content = n.s3.read(n.bucket, b.key());
            if (content != null) {
                validBefore.put(b.key(), ContentHash.v1CidOf(content).equals(b.cid()));
            }
        }
        Map<Blob, String> cycleBefore = config.checkEachCycle() ? copies() : null;
        n.entered.clear();
        n.finished.clear();
        n.triagedInCycle.clear();
        AtomicReference<Thread> killer = new AtomicReference<>();
        if (kill) {
            // the kill comes from another thread, as a process is stopped while its request waits
            Runnable killNode = () -> {
                Thread t = new Thread(n::kill, "kill-node-" + n.index);
                killer.set(t);
                t.start();
            };
            // at an S3 request (the listing or any CID's), or as the walk hands a CID to the per-CID route
            if (random.nextBoolean()) {
                store.onCall(2 + random.nextInt(8), killNode);
            } else {
                n.atCidNumber = 1 + random.nextInt(3);
                n.atCid = killNode;
            }
        }
        TestNode node = n.node;
        Future<CycleReport> cycle = cycleThreads.submit(() -> cleanup ? node.runCleanupCycle() : node.runCycle());
        CycleReport report = null;
        String where = String.format("seed %d round %d%s, node %d", config.seed(), round, cleanup ? " (cleanup)" : "", n.index);
        try {
            report = cycle.get(CYCLE_LIMIT.toSeconds(), TimeUnit.SECONDS);
        } catch (TimeoutException hang) {
            violations.add(where + ": the cycle did not end within " + CYCLE_LIMIT + (killer.get() != null ? " after a kill" : ""));
            if (killer.get() == null) {
                throw new IllegalStateException(violations.get(violations.size() - 1));
            }
        } catch (ExecutionException failed) {
            if (killer.get() == null) {
                violations.add(where + ": the cycle failed: " + failed.getCause());
            }
        }
        store.onCall(0, null);
        n.atCid = null;
        boolean wasKilled = killer.get() != null;
        if (wasKilled) {
            killer.get().join();
        }
        n.triaged.addAll(n.triagedInCycle);
        n.owed.removeAll(n.triagedInCycle);
        if (wasKilled) {
            faults.merge(Fault.KILLED, 1, Integer::sum);
            n.runKilled = true;
            report = null;
            Set<String> caught = new HashSet<>(n.entered);
            caught.removeAll(n.finished);
            n.owed.addAll(caught);
            cidsCaughtByKills += caught.size();
        }
        if (report != null) {
            where += "'s cycle " + report.cycle();
            if (report.aborted()) {
                aborted.merge(report.abortedReason(), 1, Integer::sum);
            }
            cycles.merge(report.cleanup() ? "cleanup" : "normal", 1, Integer::sum);
            report.counters().forEach((name, value) -> counters.merge(name, value, Long::sum));
        } else {
            where += " (killed)";
        }
        if (cycleBefore != null) {
            checkCopies(cycleBefore, copies(), where);
        }

        List<String> removed = List.copyOf(store.removedKeys().subList(removedBefore, store.removedKeys().size()));
        boolean cleanupRun = report != null ? report.cleanup() : n.latestRunIsCleanup();
        boolean partialListing = store.listFailures() > listFailuresBefore;
        // a node that missed a round makes its own every-4th cleanup in a round that is not the simulator's
        if (!cleanupRun && !removed.isEmpty()) {
            violations.add(String.format("%s, not a cleanup: deleted %s", where, removed));
        }
        if (partialListing && !removed.isEmpty()) {
            violations.add(String.format("%s, its listing failed part-way: deleted %s", where, removed));
        }
        for (String key : removed) {
            if (validBefore.getOrDefault(key, true)) {
                n.sawValidDeleted++;
            } else {
                n.sawInvalidDeleted++;
            }
        }
        List<String> written = List.copyOf(store.writtenKeys().subList(writtenBefore, store.writtenKeys().size()));
        n.sawWritten += written.size();
        // an upload whose placement_hosts do not name this node is none of its business
        for (String key : concat(removed, written)) {
            List<String> placed = placedOn.get(key);
            if (placed != null && !placed.contains(n.url)) {
                violations.add(String.format("%s: %s %s of an upload placed on %s", where,
                        removed.contains(key) ? "deleted" : "wrote", key, placed));
            }
        }
        if (report == null || report.aborted()) {
            return;
        }
        Map<String, Long> c = report.counters();
        if (partialListing && c.getOrDefault("presence_index_build_fail", 0L) + c.getOrDefault("presence_index_partial", 0L) == 0) {
            violations.add(where + ": its listing failed, and it counted no failed listing");
        }
        long invalid = c.getOrDefault("delete_invalid_success", 0L);
        long over = c.getOrDefault("delete_over_replicated_success", 0L);
        long pulled = c.getOrDefault("pull_mine_success", 0L);
        if (invalid > n.sawInvalidDeleted) {
            violations.add(String.format("%s: %d copies deleted as invalid, %d of them with wrong content: a valid copy deleted as invalid",
                    where, invalid, n.sawInvalidDeleted));
        }
        // a killed run loses the counts since its last saved cursor: it may count less than it did, never more
        boolean agree = n.runKilled
                ? invalid <= n.sawInvalidDeleted && over <= n.sawValidDeleted && pulled <= n.sawWritten
                : invalid == n.sawInvalidDeleted && over == n.sawValidDeleted && pulled == n.sawWritten;
        if (!agree) {
            violations.add(String.format("%s%s: counted %d invalid and %d over-replicated deletions and %d pulls;"
                            + " the simulator saw %d, %d and %d", where, n.runKilled ? " (resumed after a kill)" : "",
                    invalid, over, pulled, n.sawInvalidDeleted, n.sawValidDeleted, n.sawWritten));
        }
        Set<String> skipped = new TreeSet<>(listed);
        skipped.removeAll(n.triaged);
        if (!skipped.isEmpty()) {
            violations.add(String.format("%s%s: the run never reached %d work-list CIDs: %s", where,
                    n.runKilled ? " (resumed after a kill)" : "", skipped.size(), skipped));
        }
        if (!n.owed.isEmpty()) {
            violations.add(String.format("%s, resumed after a kill: its cursor passed %d CIDs the kill caught on the"
                    + " per-CID route, never triaged again: %s", where, n.owed.size(), n.owed));
        }
        n.runDone();
    }

    private static List<String> concat(List<String> a, List<String> b) {
        List<String> all = new ArrayList<>(a);
        all.addAll(b);
        return all;
    }

    /** Draws this round's faults; returns the network fault, with the node it hits. */
    private NetworkFault injectFaults(int round) throws Exception {
        NetworkFault event = networkFault(round);
        for (SimNode n : members) {
            if (event.node() == n || random.nextDouble() >= 0.6) {
                continue;
            }
            Fault f = draw(nodeFaultBag, NODE_FAULTS.stream().filter(k -> k != Fault.CORRUPT_COPY || config.corruption()).toList());
            switch (f) {
                case S3_SLOWDOWN -> n.s3.store().slowDownEvery(3 + random.nextInt(5));
                case LISTING_FAIL -> n.s3.store().failListCall(2 + random.nextInt(2));
                case CORRUPT_COPY -> {
                    List<Blob> held = new ArrayList<>();
                    for (Blob b : blobs) {
                        if (n.holdsValid(b)) {
                            held.add(b);
                        }
                    }
                    if (held.isEmpty()) {
                        continue;
                    }
                    Blob b = held.get(random.nextInt(held.size()));
                    n.s3.put(n.bucket, b.key(), corrupted(b.content()));
                }
                case WRONG_BYTES -> n.proxy.serve(PeerProxy.Mode.WRONG_BYTES, 0);
                case TRUNCATED_BYTES -> n.proxy.serve(PeerProxy.Mode.TRUNCATED, 0);
                case SLOW_PEER -> n.proxy.serve(PeerProxy.Mode.SLOW, SLOW_MILLIS[random.nextInt(SLOW_MILLIS.length)]);
                case CLOCK_SKEW -> {
                    n.skew = Duration.ofHours((random.nextBoolean() ? 1 : -1) * (6 + random.nextInt(67)));
                    n.clock.advance(n.skew);
                }
                default -> throw new IllegalStateException("not a node fault: " + f);
            }
            faults.merge(f, 1, Integer::sum);
        }
        if (event.kind() == Fault.PEER_DOWN) {
            event.node().stop();
            faults.merge(Fault.PEER_DOWN, 1, Integer::sum);
        }
        return event;
    }

    /**
     * The round's network fault: a host change is applied here (every member restarted with the new
     * list); the node that left comes back in the last fault round at the latest.
     */
    private NetworkFault networkFault(int round) throws Exception {
        Fault kind = outside != null && round == config.lastFaultRound() ? Fault.HOST_REMOVED : draw(networkFaultBag, NETWORK_FAULTS);
        if (kind == Fault.HOST_REMOVED && outside != null) {
            SimNode back = outside;
            outside = null;
            members.add(back);
            members.sort(Comparator.comparingInt(m -> m.index));
            changeHosts();
            faults.merge(Fault.HOST_ADDED, 1, Integer::sum);
            return new NetworkFault(Fault.HOST_ADDED, back);
        }
        if (kind == Fault.HOST_REMOVED && members.size() > R + 1) {
            outside = members.remove(random.nextInt(members.size()));
            outside.stop();
            changeHosts();
            faults.merge(Fault.HOST_REMOVED, 1, Integer::sum);
            return new NetworkFault(Fault.HOST_REMOVED, outside);
        }
        if (kind == Fault.HOST_REMOVED) {
            kind = Fault.PEER_DOWN;
        }
        return new NetworkFault(kind, members.get(random.nextInt(members.size())));
    }

    private void changeHosts() throws Exception {
        List<String> memberUrls = members.stream().map(m -> m.url).toList();
        for (SimNode m : members) {
            m.stop();
            m.setPeers(memberUrls);
        }
        for (SimNode m : members) {
            m.start();
        }
    }

    /** The next kind from a bag of {@code kinds} shuffled by the seed, refilled when empty. */
    private Fault draw(List<Fault> bag, List<Fault> kinds) {
        if (bag.isEmpty()) {
            bag.addAll(kinds);
            Collections.shuffle(bag, random);
        }
        return bag.remove(bag.size() - 1);
    }

    /**
     * Every blob's copies on the network's nodes, one letter per member in the blob's rank order:
     * {@code v} valid, {@code x} content that does not hash to the CID, {@code -} absent.
     */
    private Map<Blob, String> copies() throws Exception {
        List<String> memberUrls = members.stream().map(m -> m.url).toList();
        Map<Blob, String> copies = new LinkedHashMap<>();
        for (Blob b : blobs) {
            StringBuilder states = new StringBuilder();
            for (String url : RendezvousRanking.rank(b.cid(), memberUrls)) {
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
        List<String> memberUrls = members.stream().map(m -> m.url).toList();
        for (Blob b : blobs) {
            int was = valid(before.get(b));
            int is = valid(after.get(b));
            if (is < Math.min(R, was)) {
                List<String> ranked = RendezvousRanking.rank(b.cid(), memberUrls).stream()
                        .map(u -> "node " + urls.indexOf(u)).toList();
                violations.add(String.format("%s: %s has %d valid copies, %d before (copies by rank %s: %s before, %s after)",
                        where, b.cid(), is, was, ranked, before.get(b), after.get(b)));
            }
        }
    }

    /**
     * Converged: every node in the network, and every blob held validly by exactly R of them (the
     * replica-set threshold keeps ranks below R); a placed upload by its R placement hosts.
     */
    private boolean converged() throws Exception {
        if (outside != null) {
            return false;
        }
        for (Blob b : blobs) {
            List<String> placed = placedOn.get(b.key());
            if (placed != null) {
                for (String host : placed) {
                    if (!nodes.get(urls.indexOf(host)).holdsValid(b)) {
                        return false;
                    }
                }
            }
        }
        int[] range = copiesRange();
        return range[0] >= R && range[1] <= R;
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
        cycleThreads.shutdownNow();
        for (SimNode n : nodes) {
            n.stop();
            n.proxy.close();
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
        s.append(String.format("seed %d, %d nodes, %d rounds (faults in rounds 1-%d, cleanup every %d), R=%d, %d blobs, %d keys a listing page%s, copies checked around each %s%n",
                c.seed(), c.nodes(), c.rounds(), c.lastFaultRound(), CLEANUP_EVERY, R, r.blobs(), PAGE_KEYS,
                c.corruption() ? "" : ", no corruption",
                c.checkEachCycle() ? "node's cycle" : "round"));
        r.faults().forEach((f, n) -> s.append(String.format("  fault %-15s %d%n", f.name().toLowerCase(), n)));
        s.append(String.format("  blob reads served wrong or truncated %d%n", r.tamperedReads()));
        s.append(String.format("  CIDs a kill caught on the per-CID route %d%n", r.cidsCaughtByKills()));
        for (String counter : List.of("pull_mine_success", "pull_mine_fail", "pull_mine_gave_up", "delete_invalid_success",
                "delete_over_replicated_success", "over_replicated_unconfirmed", "hosts_changed_no_delete",
                "presence_index_build_fail", "presence_index_partial", "placed_elsewhere", "repair_cid_error")) {
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
