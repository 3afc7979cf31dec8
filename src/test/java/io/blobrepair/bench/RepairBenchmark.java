package io.blobrepair.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.blobrepair.cid.ContentHash;
import io.blobrepair.cid.StorageKey;
import io.blobrepair.index.ListingRoute;
import io.blobrepair.index.PresenceIndex;
import io.blobrepair.index.PresenceIndexBuilder;
import io.blobrepair.ops.RepairSettings;
import io.blobrepair.repair.CycleReport;
import io.blobrepair.repair.PresenceSteps;
import io.blobrepair.s3.S3Clients;
import io.blobrepair.s3.S3Settings;
import io.blobrepair.s3.S3RequestCounter;
import io.blobrepair.testing.TestDb;
import io.blobrepair.testing.TestNode;
import io.blobrepair.testing.TestPeer;
import io.blobrepair.testing.TestS3;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.ListObjectsV2Request;
import software.amazon.awssdk.services.s3.model.ListObjectsV2Response;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.lang.ref.Reference;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;

/**
 * Side by side, in one run, against an in-process S3 server (s3proxy) and PostgreSQL: the raw SDK
 * listing of the bucket (the floor) and our listing (the service's presence-index route), with no
 * added latency and with the S3 server answering each request {@code --s3-latency-ms} late (20 by
 * default, as a real server answers a page in tens of milliseconds); a full cycle with the
 * presence index and a full cycle with per-key HeadObject; the heap a whole cycle needs per key at
 * its largest point; the index's lookup rate; the per-CID route's rate. Prints a table and, as its
 * last line, one JSON object. Run with {@code bench/run.sh [N] [--skip-head | --head-sample K]
 * [--runs R] [--s3-latency-ms L] [--xmx-bisect]}.
 *
 * <p>Of N CIDs, 98% are audio previews, 1% uploads (original files) and 1% legacy {@code Qm}
 * CIDs; every 100th preview is missing from the bucket and held by a real HTTP peer, the only
 * other host (replication factor 3: this node should hold every CID), so each cycle pulls 1%.
 *
 * <p>The head-mode cycle sends one HeadObject per CID over HTTP; it runs on the first
 * {@code K = min(N, 100000)} CIDs by default (its own bucket and database seeded the same way,
 * the same 1% missing), and is compared by rate when K &lt; N.
 */
public final class RepairBenchmark {

    /** Default CIDs of the head-mode cycle: above, per-key HeadObject takes long on two cores. */
    public static final int DEFAULT_HEAD_SAMPLE = 100_000;
    /** Default runs of the raw listing, the index build and the lookups (medians reported). */
    public static final int DEFAULT_RUNS = 3;
    /** Default latency of the S3 server in the listing comparison under latency. */
    public static final long DEFAULT_LATENCY_MS = 20;
    private static final int LOOKUPS_PER_RUN = 3_000_000;
    private static final int LIST_PARALLELISM = 8;
    /** Blobs of the parallel-pull runs (issue 11 asks for 10,000 of 64 KiB), and their concurrency. */
    static final int DEFAULT_PULL_BLOBS = 10_000;
    private static final int PULL_CONCURRENCY = 8;
    private static final String LISTING_BUCKET = "bench-listing";
    private static final String HEAD_BUCKET = "bench-head";
    private static final String SMALL_BUCKET = "bench-small";
    /** Keys of the small bucket the -Xmx bisection subtracts. */
    private static final int SMALL_KEYS = 1_000;

    /** What to run. */
    record Options(int n, int headSample, int runs, long latencyMs, boolean xmxBisect, int pullBlobs) {
    }

    private RepairBenchmark() {
    }

    public static void main(String[] args) throws Exception {
        int n = 100_000;
        Integer headSample = null;
        int runs = DEFAULT_RUNS;
        long latency = DEFAULT_LATENCY_MS;
        boolean bisect = false;
        int pullBlobs = DEFAULT_PULL_BLOBS;
        for (int i = 0; i < args.length; i++) {
            String arg = args[i];
            if (arg.equals("--skip-head")) {
                headSample = 0;
            } else if (arg.equals("--head-sample") && i + 1 < args.length) {
                headSample = Integer.parseInt(args[++i]);
            } else if (arg.startsWith("--head-sample=")) {
                headSample = Integer.parseInt(arg.substring("--head-sample=".length()));
            } else if (arg.equals("--runs") && i + 1 < args.length) {
                runs = Math.max(1, Integer.parseInt(args[++i]));
            } else if (arg.equals("--s3-latency-ms") && i + 1 < args.length) {
                latency = Math.max(1, Long.parseLong(args[++i]));
            } else if (arg.equals("--pull-blobs") && i + 1 < args.length) {
                pullBlobs = Math.max(0, Integer.parseInt(args[++i]));
            } else if (arg.equals("--xmx-bisect")) {
                bisect = true;
            } else if (arg.matches("\\d+")) {
                n = Integer.parseInt(arg);
            } else {
                System.err.println("usage: RepairBenchmark [N] [--skip-head | --head-sample K] [--runs R] [--s3-latency-ms L] [--xmx-bisect] [--pull-blobs K]");
                System.exit(2);
            }
        }
        int sample = headSample == null ? Math.min(n, DEFAULT_HEAD_SAMPLE) : Math.min(n, headSample);
        Map<String, Object> result = run(new Options(n, sample, runs, latency, bisect, pullBlobs));
        System.out.println(new ObjectMapper().writeValueAsString(result));
        System.exit(0);
    }

    /**
     * Runs the whole benchmark; {@code headSample} 0 skips the head-mode cycle, {@code pullBlobs} 0
     * the parallel-pull runs. The map is the JSON line.
     */
    public static Map<String, Object> run(int n, int headSample, int pullBlobs) throws Exception {
        return run(new Options(n, headSample, DEFAULT_RUNS, DEFAULT_LATENCY_MS, false, pullBlobs));
    }

    static Map<String, Object> run(Options o) throws Exception {
        int n = o.n();
        int headSample = o.headSample();
        int runs = o.runs();
        Map<String, Object> out = new LinkedHashMap<>();
        double loadAtStart = loadAverage();
        // sorted listing: pages cost what their keys cost, as on a real server (see SortedListingBlobStore)
        try (TestS3 s3 = TestS3.startWithSortedListing(); TestPeer peer = TestPeer.start()) {
            s3.createBucket(LISTING_BUCKET);
            s3.createBucket(HEAD_BUCKET);
            TestDb listingDb = TestDb.create();
            listingDb.createSchema();
            TestDb headDb = TestDb.create();
            headDb.createSchema();

            log("seeding %,d CIDs (1%% of them missing, held by the peer); head mode: %s ...", n,
                    headSample == 0 ? "skipped" : String.format("%,d CIDs", headSample));
            long seedStart = System.nanoTime();
            Seeded seeded = seed(n, headSample, s3, peer, listingDb, headDb);
            long seedMs = ms(seedStart);
            List<String> keys = seeded.presentKeys;
            log("  seeded in %,d ms; heap in use %,d MB", seedMs, CycleHeap.usedHeapAfterGc() >> 20);

            // (a) the floor and (b) our listing, interleaved; requests counted per run. One untimed
            // listing first: it warms the JIT and, as a node's previous cycle does, tells the next
            // listing how large the bucket is (a bucket never listed starts sequentially)
            S3RequestCounter counter = new S3RequestCounter();
            S3Client client = S3Clients.create(new S3Settings(s3.endpoint(), "us-east-1", LISTING_BUCKET,
                    TestS3.ACCESS_KEY, s3.secretKey(), true), counter, 5, 0);
            double indexBytesPerEntry;
            long[] lookupRates = new long[runs];
            ListingRuns timed;
            ListingRuns slow;
            try (ListingRoute route = ListingRoute.start(new PresenceIndexBuilder(client, LISTING_BUCKET, Clock.systemUTC(),
                    LIST_PARALLELISM), LIST_PARALLELISM)) {
                check(route.build().entries() == keys.size(), "the first listing missed keys");
                timed = listingRuns(client, route, counter, keys.size(), runs, "no added latency");
                s3.store().answerAfter(o.latencyMs());
                try {
                    slow = listingRuns(client, route, counter, keys.size(), runs, o.latencyMs() + " ms per request");
                } finally {
                    s3.store().answerAfter(0);
                }

                // heap per entry of the index alone, measured: used heap with one index alive minus without it
                long without = CycleHeap.usedHeapAfterGc();
                PresenceIndex index = route.build();
                long with = CycleHeap.usedHeapAfterGc();
                indexBytesPerEntry = Math.max(0, with - without) / (double) index.entries();

                // lookups per second, one thread, existing keys in random order, a fresh key string
                // each (as a cycle makes one per work-list row), packed so making it is cheap
                ProbeKeys probe = ProbeKeys.shuffled(keys, 7);
                int rounds = Math.max(1, LOOKUPS_PER_RUN / Math.max(1, probe.size()));
                for (int r = 0; r < runs; r++) {
                    long hits = 0;
                    long t0 = System.nanoTime();
                    for (int round = 0; round < rounds; round++) {
                        for (int i = 0; i < probe.size(); i++) {
                            if (index.lookup(probe.key(i)) != null) {
                                hits++;
                            }
                        }
                    }
                    long ns = System.nanoTime() - t0;
                    check(hits == (long) rounds * probe.size(), "lookups missed keys");
                    lookupRates[r] = (long) (hits / (ns / 1e9));
                }
                Reference.reachabilityFence(index);
            }

            // (c) full cycles with the presence index: the first pulls the missing 1%, the second finds everything
            Cycle listing;
            Cycle allPresent;
            try (TestNode node = TestNode.start(nodeSettings(s3, LISTING_BUCKET, listingDb, peer, "listing"))) {
                listing = Cycle.run(node);
                allPresent = Cycle.run(node);
            }
            check(!listing.report.aborted() && !allPresent.report.aborted(), "a listing-mode cycle aborted");
            check(listing.counter("pull_mine_success") == seeded.missing,
                    "listing cycle pulled " + listing.counter("pull_mine_success") + ", expected " + seeded.missing);
            check(allPresent.counter("pull_mine_needed") == 0, "second listing cycle still pulled");

            // (e) the heap of a whole cycle at its largest point: a fresh node (no index yet), every key present
            CycleHeap.Peak peak;
            long peakKeys;
            try (TestNode node = TestNode.start(nodeSettings(s3, LISTING_BUCKET, listingDb, peer, "listing"))) {
                peak = CycleHeap.probe(node);
                peakKeys = node.bean("presenceSteps", PresenceSteps.class).latest().entries();
            }
            double peakBytesPerKey = peak.bytes() / (double) Math.max(1, peakKeys);
            // the child JVMs of the bisection get ten times what the same cycle took here, and a minute to start
            long limitSeconds = 60 + allPresent.report.durationMs() / 100;
            Integer bisectBytesPerKey = o.xmxBisect() ? xmxBisect(s3, listingDb, peer, peakKeys, limitSeconds) : null;

            // (d) a full cycle with HeadObject per key (same layout, same 1% missing)
            Cycle head = null;
            if (headSample > 0) {
                try (TestNode node = TestNode.start(nodeSettings(s3, HEAD_BUCKET, headDb, peer, "head"))) {
                    head = Cycle.run(node);
                }
                check(!head.report.aborted(), "the head-mode cycle aborted");
                check(head.counter("pull_mine_success") == seeded.missingInHeadSample,
                        "head cycle pulled " + head.counter("pull_mine_success") + ", expected " + seeded.missingInHeadSample);
            }

            // (f) parallel pulls: a node missing every blob, three peers holding them, concurrency 1 vs the default
            PullConcurrencyBenchmark.Result pulls = o.pullBlobs() == 0 ? null
                    : PullConcurrencyBenchmark.run(s3, o.pullBlobs(), PULL_CONCURRENCY);

            long rawMs = median(timed.rawMs);
            long buildMs = median(timed.buildMs);
            long rawSlowMs = median(slow.rawMs);
            long buildSlowMs = median(slow.buildMs);
            // after the untimed listing, key ranges: at most one short page per range
            long listBound = (keys.size() + 999) / 1000 + LIST_PARALLELISM;
            double ratio = buildMs / (double) Math.max(1, rawMs);
            double speedup = rawSlowMs / (double) Math.max(1, buildSlowMs);
            double cidsPerSecond = allPresent.cidsPerSecondAfterListing();
            String latency = o.latencyMs() + " ms";

            log("");
            row("CIDs in the work lists / keys in the bucket", String.format("%,d / %,d", n, keys.size()));
            row("(a) raw SDK sequential ListObjectsV2 (median of " + runs + ")",
                    String.format("%,d ms  %s", rawMs, Arrays.toString(timed.rawMs)));
            row("(b) our listing, list-parallelism " + LIST_PARALLELISM, String.format("%,d ms  %s", buildMs, Arrays.toString(timed.buildMs)));
            row("    our listing / raw listing", String.format("%.2f", ratio));
            row("    list requests: raw / ours / bound", timed.rawRequests + " / " + timed.buildRequests + " / " + listBound);
            row("    raw listing: client CPU per key / our sealing", String.format("%.1f µs / %,d ms", timed.clientCpuMicrosPerKey,
                    timed.sealMs));
            row("(a') raw listing, S3 answering " + latency + " late", String.format("%,d ms  %s", rawSlowMs, Arrays.toString(slow.rawMs)));
            row("(b') our listing, S3 answering " + latency + " late", String.format("%,d ms  %s", buildSlowMs, Arrays.toString(slow.buildMs)));
            row("    list speedup at " + latency + " (raw / ours)", String.format("%.1f×", speedup));
            row("(c) cycle, presence=listing (pulls 1%)", String.format("%,d ms (its listing %,d ms)", listing.report.durationMs(),
                    listing.listingMs));
            row("    its S3 requests", listing.report.s3Requests());
            row("    same node again, everything present", String.format("%,d ms (its listing %,d ms)",
                    allPresent.report.durationMs(), allPresent.listingMs));
            if (head != null) {
                row("(d) cycle, presence=head" + (headSample < n ? " (first " + String.format("%,d", headSample) + " CIDs)" : ""),
                        String.format("%,d ms", head.report.durationMs()));
                row("    its S3 requests", head.report.s3Requests());
                row("    CIDs/s: listing cycle / head cycle", String.format("%,d / %,d", Math.round(listing.cidsPerSecond()),
                        Math.round(head.cidsPerSecond())));
            } else {
                row("(d) cycle, presence=head", "skipped (--skip-head)");
            }
            row("(e) cycle heap per key at its peak (measured)", String.format("%.1f bytes (%s)", peakBytesPerKey, peak.where()));
            row("    -Xmx bisection, per key", !o.xmxBisect() ? "not run (--xmx-bisect)"
                    : bisectBytesPerKey == null ? "no cycle completed within the limit" : bisectBytesPerKey + " bytes");
            row("index heap per entry (measured, incl. filter)", String.format("%.1f bytes", indexBytesPerEntry));
            row("index lookups/s (1 thread, median of " + runs + ")", String.format("%,d", median(lookupRates)));
            row("per-CID route, CIDs/s (all present, w/o listing)", String.format("%,d", Math.round(cidsPerSecond)));
            row("    first cycle, w/o listing (with pulls)", String.format("%,d", Math.round(listing.cidsPerSecondAfterListing())));
            if (pulls != null) {
                row(String.format("(f) pulling %,d blobs of 64 KiB from 3 peers: concurrency 1 / %d", pulls.blobs(), pulls.concurrency()),
                        String.format("%,d ms / %,d ms: %.1f×", pulls.sequentialMs(), pulls.concurrentMs(), pulls.speedup()));
            } else {
                row("(f) parallel pulls", "skipped (--pull-blobs 0)");
            }
            List<Map<String, Object>> cost = costTable(timed.buildRequests, keys.size(), head);
            row("load average at start / end (2 cores; >1: noisy)", String.format("%.2f / %.2f", loadAtStart, loadAverage()));

            out.put("n_cids", n);
            out.put("n_keys", keys.size());
            out.put("missing", seeded.missing);
            out.put("seed_ms", seedMs);
            out.put("runs", runs);
            out.put("load_average_start", round3(loadAtStart));
            out.put("load_average_end", round3(loadAverage()));
            out.put("peak_bytes_per_key", Math.round(peakBytesPerKey * 10) / 10.0);
            out.put("peak_at", peak.where());
            out.put("xmx_bisect_bytes_per_key", bisectBytesPerKey);
            out.put("lookups_per_s", median(lookupRates));
            out.put("list_speedup_at_" + o.latencyMs() + "ms", Math.round(speedup * 100) / 100.0);
            out.put("pull_concurrency_speedup", pulls == null ? null : Math.round(pulls.speedup() * 100) / 100.0);
            out.put("pull_blobs", o.pullBlobs());
            out.put("pull_sequential_ms", pulls == null ? null : pulls.sequentialMs());
            out.put("pull_concurrent_ms", pulls == null ? null : pulls.concurrentMs());
            out.put("s3_latency_ms", o.latencyMs());
            out.put("raw_list_ms", rawMs);
            out.put("index_build_ms", buildMs);
            out.put("raw_list_ms_runs", timed.rawMs);
            out.put("index_build_ms_runs", timed.buildMs);
            out.put("raw_list_latency_ms", rawSlowMs);
            out.put("index_build_latency_ms", buildSlowMs);
            out.put("raw_list_latency_ms_runs", slow.rawMs);
            out.put("index_build_latency_ms_runs", slow.buildMs);
            out.put("index_build_vs_raw_list", round3(ratio));
            out.put("list_client_cpu_us_per_key", Math.round(timed.clientCpuMicrosPerKey * 100) / 100.0);
            out.put("seal_ms", timed.sealMs);
            out.put("raw_list_requests", timed.rawRequests);
            out.put("index_build_requests", timed.buildRequests);
            out.put("index_build_latency_requests", slow.buildRequests);
            out.put("list_requests_bound", listBound);
            out.put("cycle_listing_ms", listing.report.durationMs());
            out.put("cycle_listing_index_build_ms", listing.listingMs);
            out.put("cycle_listing_all_present_ms", allPresent.report.durationMs());
            out.put("checked_listing_mode", listing.counter("total_checked"));
            out.put("list_requests", listing.request("ListObjects"));
            out.put("head_requests_listing_mode", listing.request("HeadObject"));
            out.put("node_counter_matches_report", listing.nodeCounterMatches && allPresent.nodeCounterMatches
                    && (head == null || head.nodeCounterMatches));
            out.put("pulls", listing.counter("pull_mine_success"));
            out.put("head_mode", headSample == 0 ? "skipped" : headSample < n ? "sample" : "full");
            out.put("head_mode_cids", headSample);
            out.put("cycle_head_ms", head == null ? null : head.report.durationMs());
            out.put("checked_head_mode", head == null ? null : head.counter("total_checked"));
            out.put("head_requests_head_mode", head == null ? null : head.request("HeadObject"));
            out.put("list_requests_head_mode", head == null ? null : head.request("ListObjects"));
            out.put("pulls_head_mode", head == null ? null : head.counter("pull_mine_success"));
            out.put("cycle_cids_per_s_listing", Math.round(listing.cidsPerSecond()));
            out.put("cycle_cids_per_s_head", head == null ? null : Math.round(head.cidsPerSecond()));
            out.put("index_bytes_per_entry", Math.round(indexBytesPerEntry * 10) / 10.0);
            out.put("cids_per_s", Math.round(cidsPerSecond));
            out.put("cids_per_s_with_pulls", Math.round(listing.cidsPerSecondAfterListing()));
            out.put("request_cost", cost);
        }
        return out;
    }

    /** Bucket sizes of the cost table. */
    private static final long[] COST_KEYS = {1_000_000L, 100_000_000L};
    /** Hourly cycles, as the service runs by default. */
    private static final int CYCLES_PER_DAY = 24;
    /** The default repair.cleanup-every. */
    private static final int CLEANUP_EVERY = 4;
    /** HeadObject of the presence store's liveness sample per non-cleanup cycle. */
    private static final int LIVENESS_SAMPLE = io.blobrepair.repair.PresenceStoreReadiness.SAMPLE_SIZE;

    /**
     * Prints the S3 request bill of the three presence strategies for 1M and 100M keys, hourly
     * ({@link RequestCost}), from what this run measured: our listing's requests beyond its pages
     * (the partition overhead) and, when the head-mode cycle ran, its HeadObject per CID.
     */
    private static List<Map<String, Object>> costTable(long listingRequests, long listedKeys, Cycle head) {
        long overhead = RequestCost.overheadOf(listingRequests, listedKeys);
        boolean headMeasured = head != null && head.counter("total_checked") > 0;
        double headPerKey = headMeasured ? head.request("HeadObject") / (double) head.counter("total_checked") : 1.0;
        RequestCost.Schedule schedule = new RequestCost.Schedule(CYCLES_PER_DAY, CLEANUP_EVERY, LIVENESS_SAMPLE, overhead, headPerKey);
        log("");
        log("S3 request cost, hourly cycles, cleanup every %d, S3 Standard ($%.4f per 1,000 LIST, $%.4f per 1,000 GET/HEAD)",
                CLEANUP_EVERY, RequestCost.LIST_PER_1000, RequestCost.GET_HEAD_PER_1000);
        log("  measured here: a listing of %,d keys took %,d ListObjects = pages + %d partition overhead; HeadObject per key %s",
                listedKeys, listingRequests, overhead, headMeasured ? String.format("%.3f (head-mode cycle)", headPerKey)
                        : "not measured (head mode skipped): 1 assumed");
        log("  computed from those: listing = ceil(keys/1000) + %d; store = %d HeadObject per non-cleanup cycle, a listing per cleanup "
                + "cycle (design figures, not measured here); per cycle = the day's mean", overhead, LIVENESS_SAMPLE);
        log("  %-12s %-34s %14s %14s %12s %16s %16s %12s", "keys", "strategy", "LIST/cycle", "HEAD/cycle", "$/cycle",
                "LIST/day", "HEAD/day", "$/day");
        List<Map<String, Object>> out = new ArrayList<>();
        for (long keys : COST_KEYS) {
            for (RequestCost.Row r : RequestCost.rows(keys, schedule)) {
                log("  %-12s %-34s %,14.0f %,14.0f %12.4f %,16d %,16d %12.2f", String.format("%,d", keys), r.strategy().label(),
                        r.listPerCycle(), r.headPerCycle(), r.dollarsPerCycle(), r.listPerDay(), r.headPerDay(), r.dollarsPerDay());
                Map<String, Object> row = new LinkedHashMap<>();
                row.put("keys", keys);
                row.put("strategy", r.strategy().name().toLowerCase(Locale.ROOT));
                row.put("list_per_day", r.listPerDay());
                row.put("head_per_day", r.headPerDay());
                row.put("dollars_per_day", Math.round(r.dollarsPerDay() * 10_000) / 10_000.0);
                out.add(row);
            }
        }
        return out;
    }

    /**
     * The -Xmx bisection (see {@link CycleHeap#bisect}): the smallest heap for one {@code --once}
     * cycle of the listing bucket, minus that of a small bucket of the same kind, per key.
     */
    private static Integer xmxBisect(TestS3 s3, TestDb db, TestPeer peer, long keys, long limitSeconds) throws Exception {
        s3.createBucket(SMALL_BUCKET);
        TestDb smallDb = TestDb.create();
        smallDb.createSchema();
        seed(SMALL_KEYS, 0, s3, peer, smallDb, null, SMALL_BUCKET);
        log("  -Xmx bisection of %,d keys (time limit %,d s) ...", keys, limitSeconds);
        int large = CycleHeap.bisect(nodeSettings(s3, LISTING_BUCKET, db, peer, "listing"), db, 32,
                (int) Math.max(128, keys * 200 >> 20), limitSeconds);
        log("  -Xmx bisection of %,d keys ...", SMALL_KEYS);
        int small = CycleHeap.bisect(nodeSettings(s3, SMALL_BUCKET, smallDb, peer, "listing"), smallDb, 16, 128, 60);
        if (large < 0 || small < 0) {
            log("  -Xmx bisection: no cycle completed within the limit");
            return null;
        }
        log("  smallest -Xmx: %d MiB for %,d keys, %d MiB for %,d", large, keys, small, SMALL_KEYS);
        return (int) Math.round(((long) (large - small) << 20) / (double) (keys - SMALL_KEYS));
    }

    /**
     * Timings and request counts of the interleaved raw listings and index builds; the listing
     * thread's CPU time per key of the raw listing (the SDK's request and XML parsing: what a
     * listing costs the client whatever its latency); our last build's sealing time.
     */
    private record ListingRuns(long[] rawMs, long[] buildMs, long rawRequests, long buildRequests, double clientCpuMicrosPerKey,
                               long sealMs) {
    }

    /** (a) and (b), {@code runs} times each, interleaved; each checks it saw every key. */
    private static ListingRuns listingRuns(S3Client client, ListingRoute route, S3RequestCounter counter,
                                           int expectedKeys, int runs, String how) {
        long[] raw = new long[runs];
        long[] build = new long[runs];
        long[] clientCpu = new long[runs];
        long rawRequests = 0;
        long buildRequests = 0;
        long sealMs = 0;
        ThreadMXBean threads = ManagementFactory.getThreadMXBean();
        for (int r = 0; r < runs; r++) {
            long before = counter.count("ListObjects");
            long cpu0 = threads.getCurrentThreadCpuTime();
            long t0 = System.nanoTime();
            long listed = rawListing(client, LISTING_BUCKET);
            raw[r] = ms(t0);
            clientCpu[r] = threads.getCurrentThreadCpuTime() - cpu0;
            rawRequests = counter.count("ListObjects") - before;
            check(listed == expectedKeys, "raw listing saw " + listed + " keys, expected " + expectedKeys);

            before = counter.count("ListObjects");
            t0 = System.nanoTime();
            PresenceIndex index = route.build();
            build[r] = ms(t0);
            int entries = index.entries();
            sealMs = index.stats().sealMillis();
            buildRequests = counter.count("ListObjects") - before;
            check(entries == expectedKeys, "index has " + entries + " keys, expected " + expectedKeys);
            log("  %s, run %d: raw listing %,d ms (%d requests), our listing %,d ms (%d requests)", how, r + 1, raw[r],
                    rawRequests, build[r], buildRequests);
        }
        return new ListingRuns(raw, build, rawRequests, buildRequests, median(clientCpu) / 1000.0 / expectedKeys, sealMs);
    }

    /** Keys as a cycle meets them: a fresh String each, made from one packed byte array in a shuffled order. */
    private static final class ProbeKeys {
        private final byte[] packed;
        private final int[] offsets;

        private ProbeKeys(byte[] packed, int[] offsets) {
            this.packed = packed;
            this.offsets = offsets;
        }

        static ProbeKeys shuffled(List<String> keys, long seed) {
            List<String> order = new ArrayList<>(keys);
            Collections.shuffle(order, new Random(seed));
            int[] offsets = new int[order.size() + 1];
            for (int i = 0; i < order.size(); i++) {
                offsets[i + 1] = offsets[i] + order.get(i).length();
            }
            byte[] packed = new byte[offsets[order.size()]];
            for (int i = 0; i < order.size(); i++) {
                byte[] key = order.get(i).getBytes(StandardCharsets.ISO_8859_1); // storage keys are ASCII
                System.arraycopy(key, 0, packed, offsets[i], key.length);
            }
            return new ProbeKeys(packed, offsets);
        }

        int size() {
            return offsets.length - 1;
        }

        String key(int i) {
            return new String(packed, offsets[i], offsets[i + 1] - offsets[i], StandardCharsets.ISO_8859_1);
        }
    }

    /** What was seeded: the keys present in the listing-mode bucket and how many CIDs are missing. */
    private record Seeded(List<String> presentKeys, int missing, int missingInHeadSample) {
    }

    /**
     * Seeds both buckets straight into the in-memory store (no HTTP) and both databases: CID i is
     * a legacy Qm CID when i % 100 == 13, an upload's original file when i % 100 == 7, otherwise an
     * audio preview; it is missing (held by the peer only) when i % 100 == 42. The head-mode bucket
     * and database get CIDs 0 .. headSample-1, seeded identically.
     */
    private static Seeded seed(int n, int headSample, TestS3 s3, TestPeer peer, TestDb listingDb, TestDb headDb)
            throws SQLException {
        return seed(n, headSample, s3, peer, listingDb, headDb, LISTING_BUCKET);
    }

    /** As above, into {@code bucket} instead of the listing bucket; {@code headDb} may be null when {@code headSample} is 0. */
    private static Seeded seed(int n, int headSample, TestS3 s3, TestPeer peer, TestDb listingDb, TestDb headDb, String bucket)
            throws SQLException {
        List<String> present = new ArrayList<>(n);
        Rows listingRows = new Rows(listingDb);
        Rows headRows = new Rows(headDb);
        int missing = 0;
        int missingInHeadSample = 0;
        for (int i = 0; i < n; i++) {
            byte[] content = ("bench blob " + i).getBytes(StandardCharsets.UTF_8);
            int kind = i % 100;
            String cid = kind == 13 ? qmCidOf(content) : ContentHash.v1CidOf(content);
            String key = StorageKey.of(cid);
            boolean inHeadSample = i < headSample;
            if (kind == 42) {
                peer.serve(cid, content);
                missing++;
                if (inHeadSample) {
                    missingInHeadSample++;
                }
            } else {
                present.add(key);
                s3.put(bucket, key, content);
                if (inHeadSample) {
                    s3.put(HEAD_BUCKET, key, content);
                }
            }
            listingRows.add(kind, i, cid);
            if (inHeadSample) {
                headRows.add(kind, i, cid);
            }
        }
        listingRows.flush();
        if (headSample > 0) {
            headRows.flush();
        }
        return new Seeded(present, missing, missingInHeadSample);
    }

    /** Work-list rows of one database, inserted in batches. */
    private static final class Rows {
        private static final int BATCH = 10_000;
        private final TestDb db;
        private final List<String> previews = new ArrayList<>();
        private final List<String> qmCids = new ArrayList<>();
        private final List<String[]> uploads = new ArrayList<>();

        Rows(TestDb db) {
            this.db = db;
        }

        void add(int kind, int i, String cid) throws SQLException {
            if (kind == 13) {
                qmCids.add(cid);
            } else if (kind == 7) {
                uploads.add(new String[] {String.format("upload-%09d", i), cid});
            } else {
                previews.add(cid);
            }
            if (previews.size() + qmCids.size() + uploads.size() >= BATCH) {
                flush();
            }
        }

        void flush() throws SQLException {
            db.addRows("audio_previews", "cid", previews);
            db.addRows("qm_cids", "key", qmCids);
            try (Connection c = db.dataSource().getConnection(); PreparedStatement ps = c.prepareStatement(
                    "INSERT INTO uploads (id, template, orig_file_cid) VALUES (?, 'img_square', ?)")) {
                for (String[] upload : uploads) {
                    ps.setString(1, upload[0]);
                    ps.setString(2, upload[1]);
                    ps.addBatch();
                }
                ps.executeBatch();
            }
            previews.clear();
            qmCids.clear();
            uploads.clear();
        }
    }

    private static final String BASE58 = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz";

    /** The legacy (CIDv0) CID of content: base58 of the sha2-256 multihash, "Qm" and 44 more characters. */
    static String qmCidOf(byte[] content) {
        byte[] multihash = new byte[34];
        multihash[0] = 0x12;
        multihash[1] = 0x20;
        System.arraycopy(ContentHash.newDigest().digest(content), 0, multihash, 2, 32);
        StringBuilder out = new StringBuilder();
        BigInteger value = new BigInteger(1, multihash);
        BigInteger radix = BigInteger.valueOf(58);
        while (value.signum() > 0) {
            BigInteger[] qr = value.divideAndRemainder(radix);
            out.append(BASE58.charAt(qr[1].intValue()));
            value = qr[0];
        }
        return out.reverse().toString(); // a multihash starts with 0x12: no leading zero bytes to carry
    }

    /** One cycle of a node: its report, its listing time, and the node's own request counter around it. */
    private record Cycle(CycleReport report, long listingMs, boolean nodeCounterMatches) {

        static Cycle run(TestNode node) {
            Map<String, Long> before = node.s3Requests().snapshot();
            CycleReport report = node.runCycle();
            Map<String, Long> sent = S3RequestCounter.difference(before, node.s3Requests().snapshot());
            PresenceSteps presence = node.bean("presenceSteps", PresenceSteps.class);
            long listingMs = presence.listingEnabled() ? presence.latestBuildTime().toMillis() : 0;
            boolean matches = true;
            for (String op : S3RequestCounter.REPORTED) {
                matches &= sent.getOrDefault(op, 0L).equals(report.s3Requests().getOrDefault(op, 0L));
            }
            return new Cycle(report, listingMs, matches);
        }

        long counter(String name) {
            return report.counters().getOrDefault(name, 0L);
        }

        long request(String operation) {
            return report.s3Requests().getOrDefault(operation, 0L);
        }

        double cidsPerSecond() {
            return counter("total_checked") / Math.max(0.001, report.durationMs() / 1000.0);
        }

        /** The per-CID route's rate: CIDs checked over the cycle's time without its listing. */
        double cidsPerSecondAfterListing() {
            return counter("total_checked") / Math.max(0.001, (report.durationMs() - listingMs) / 1000.0);
        }
    }

    private static Map<String, String> nodeSettings(TestS3 s3, String bucket, TestDb db, TestPeer peer, String presence)
            throws Exception {
        int port = TestNode.freePort();
        // self and the peer are the only hosts: with replication factor 3 this node should hold every CID
        Map<String, String> settings = TestNode.settings(s3, bucket, db, port, List.of("http://127.0.0.1:" + port, peer.url()));
        settings.put("repair.replication-factor", "3");
        settings.put("repair.presence", presence);
        settings.put("repair.list-parallelism", String.valueOf(LIST_PARALLELISM));
        settings.put("repair.presence-filter.enabled", "false");
        // -Dbench.node.<property>=<value> passes any setting to the benchmarked nodes
        System.getProperties().stringPropertyNames().stream().filter(k -> k.startsWith("bench.node."))
                .forEach(k -> settings.put(k.substring("bench.node.".length()), System.getProperty(k)));
        return settings;
    }

    /** The floor: one sequential ListObjectsV2 paginator over the bucket, counting keys. */
    private static long rawListing(S3Client client, String bucket) {
        long keys = 0;
        for (ListObjectsV2Response page : client.listObjectsV2Paginator(
                ListObjectsV2Request.builder().bucket(bucket).maxKeys(1000).build())) {
            keys += page.keyCount();
        }
        return keys;
    }



    /** The machine's 1-minute load average: other work on its cores makes timings noisy. */
    private static double loadAverage() {
        return java.lang.management.ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage();
    }

    private static long ms(long startNanos) {
        return (System.nanoTime() - startNanos) / 1_000_000;
    }

    private static long median(long[] values) {
        long[] sorted = values.clone();
        Arrays.sort(sorted);
        return sorted[sorted.length / 2];
    }

    private static double round3(double value) {
        return Math.round(value * 1000) / 1000.0;
    }

    private static void check(boolean condition, String message) {
        if (!condition) {
            throw new IllegalStateException(message);
        }
    }

    private static void row(String label, Object value) {
        System.out.println(String.format("%-50s %s", label, value));
    }

    static void log(String format, Object... args) {
        System.out.println(String.format(format, args));
    }
}
