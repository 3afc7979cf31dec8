package io.blobrepair.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.blobrepair.index.PresenceIndex;
import io.blobrepair.index.PresenceIndexBuilder;
import io.blobrepair.ops.RepairSettings;
import io.blobrepair.repair.CycleReport;
import io.blobrepair.repair.PresenceSteps;
import io.blobrepair.s3.S3Clients;
import io.blobrepair.s3.S3RequestCounter;
import io.blobrepair.testing.Blob;
import io.blobrepair.testing.TestDb;
import io.blobrepair.testing.TestNode;
import io.blobrepair.testing.TestPeer;
import io.blobrepair.testing.TestS3;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.ListObjectsV2Request;
import software.amazon.awssdk.services.s3.model.ListObjectsV2Response;

import java.time.Clock;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

/**
 * Side by side, in one run: the raw SDK listing of a bucket (the floor), our index build, a
 * full cycle with the presence index and a full cycle with per-key HeadObject. Prints a table and,
 * as its last line, one JSON object. Run with {@code bench/run.sh [N]}.
 */
public final class RepairBenchmark {

    private static final int RUNS = 3;

    private RepairBenchmark() {
    }

    public static void main(String[] args) throws Exception {
        int n = args.length > 0 ? Integer.parseInt(args[0]) : 100_000;
        int headSample = args.length > 1 ? Integer.parseInt(args[1]) : Math.min(n, 100_000);
        Map<String, Object> result = run(n, headSample);
        System.out.println(new ObjectMapper().writeValueAsString(result));
        System.exit(0);
    }

    /** Runs the whole benchmark; the map is the JSON line. */
    public static Map<String, Object> run(int n, int headSample) throws Exception {
        Map<String, Object> out = new LinkedHashMap<>();
        try (TestS3 s3 = TestS3.start(); TestPeer peer = TestPeer.start()) {
            log("seeding %,d blobs (1%% missing, held by a peer) into two identical buckets and databases ...", n);
            List<String> cids = new ArrayList<>(n);
            List<String> keys = new ArrayList<>(n);
            s3.createBucket("bench-listing");
            s3.createBucket("bench-head");
            int missing = 0;
            for (int i = 0; i < n; i++) {
                Blob b = Blob.of("bench blob " + i);
                cids.add(b.cid());
                if (i % 100 == 42) {
                    peer.serve(b.cid(), b.content());
                    missing++;
                    continue;
                }
                keys.add(b.key());
                s3.put("bench-listing", b.key(), b.content());
                if (i < headSample) {
                    s3.put("bench-head", b.key(), b.content());
                }
            }
            TestDb listingDb = TestDb.create();
            listingDb.createSchema();
            TestDb headDb = TestDb.create();
            headDb.createSchema();
            for (int from = 0; from < n; from += 10_000) {
                listingDb.addRows("audio_previews", "cid", cids.subList(from, Math.min(n, from + 10_000)));
            }
            headDb.addRows("audio_previews", "cid", cids.subList(0, headSample));

            // (a) the floor and (b) our index build, interleaved
            S3RequestCounter counter = new S3RequestCounter();
            S3Client client = S3Clients.create(new RepairSettings.S3(s3.endpoint(), "us-east-1", "bench-listing",
                    TestS3.ACCESS_KEY, s3.secretKey(), true), counter, 5, 0);
            PresenceIndexBuilder builder = new PresenceIndexBuilder(client, "bench-listing", Clock.systemUTC(), 8);
            long[] raw = new long[RUNS];
            long[] build = new long[RUNS];
            long rawRequests = 0;
            long buildRequests = 0;
            PresenceIndex index = null;
            for (int r = 0; r < RUNS; r++) {
                long before = counter.count("ListObjects");
                long t0 = System.nanoTime();
                long listed = rawListing(client, "bench-listing");
                raw[r] = (System.nanoTime() - t0) / 1_000_000;
                rawRequests = counter.count("ListObjects") - before;
                check(listed == keys.size(), "raw listing saw " + listed + " keys, expected " + keys.size());
                index = null;
                before = counter.count("ListObjects");
                t0 = System.nanoTime();
                index = builder.build(k -> { });
                build[r] = (System.nanoTime() - t0) / 1_000_000;
                buildRequests = counter.count("ListObjects") - before;
                check(index.entries() == keys.size(), "index has " + index.entries() + " keys, expected " + keys.size());
                log("  run %d: raw listing %,d ms (%d requests), index build %,d ms (%d requests)", r + 1, raw[r], rawRequests,
                        build[r], buildRequests);
            }

            // memory per entry: heap with the index alive minus without
            long withIndex = usedHeap();
            int entries = index.entries();
            index = null;
            long withoutIndex = usedHeap();
            index = builder.build(k -> { });
            double bytesPerEntry = Math.max(0, withIndex - withoutIndex) / (double) entries;

            // lookups per second, one thread, existing keys in random order
            List<String> shuffled = new ArrayList<>(keys);
            Collections.shuffle(shuffled, new Random(7));
            String[] probe = shuffled.toArray(String[]::new);
            long[] lookupRates = new long[RUNS];
            for (int r = 0; r < RUNS; r++) {
                long hits = 0;
                long t0 = System.nanoTime();
                int rounds = Math.max(1, 3_000_000 / probe.length);
                for (int round = 0; round < rounds; round++) {
                    for (String key : probe) {
                        if (index.lookup(key) != null) {
                            hits++;
                        }
                    }
                }
                long ns = System.nanoTime() - t0;
                check(hits == (long) rounds * probe.length, "lookups missed keys");
                lookupRates[r] = (long) (hits / (ns / 1e9));
            }

            // (c) a full cycle with the presence index; then one more, where everything is present,
            // for the per-CID route's own rate (its cycle time without the listing)
            CycleReport listing;
            CycleReport allPresent;
            double cidsPerSecond;
            try (TestNode node = TestNode.start(nodeSettings(s3, "bench-listing", listingDb, peer, "listing"))) {
                listing = node.runCycle();
                allPresent = node.runCycle();
                long buildMs = node.bean("presenceSteps", PresenceSteps.class).latestBuildTime().toMillis();
                cidsPerSecond = allPresent.counters().get("total_checked") / Math.max(0.001, (allPresent.durationMs() - buildMs) / 1000.0);
            }
            check(listing.counters().get("pull_mine_success") == missing, "listing cycle pulled " + listing.counters());

            // (d) a full cycle with HeadObject per key
            CycleReport head;
            try (TestNode node = TestNode.start(nodeSettings(s3, "bench-head", headDb, peer, "head"))) {
                head = node.runCycle();
            }

            long rawMs = median(raw);
            long buildMs = median(build);
            int partitions = io.blobrepair.index.KeyPartitions.forParallelism(8).size();
            log("");
            log("%-44s %14s", "N keys in the bucket", String.format("%,d", keys.size()));
            log("%-44s %14s", "raw SDK sequential listing (median of 3)", rawMs + " ms");
            log("%-44s %14s", "our index build, 8 partitions (median of 3)", buildMs + " ms");
            log("%-44s %14.2f", "index build / raw listing", buildMs / (double) rawMs);
            log("%-44s %14s", "list requests: raw / index build", rawRequests + " / " + buildRequests
                    + " (bound " + ((keys.size() + 999) / 1000 + partitions) + ")");
            log("%-44s %14s", "cycle, listing mode", listing.durationMs() + " ms");
            log("%-44s %14s", "  its S3 requests", listing.s3Requests());
            log("%-44s %14s", "cycle, head mode (" + headSample + " CIDs)", head.durationMs() + " ms");
            log("%-44s %14s", "  its S3 requests", head.s3Requests());
            log("%-44s %14.1f", "index bytes per entry (heap, measured)", bytesPerEntry);
            log("%-44s %,14d", "index lookups per second (1 thread, median)", median(lookupRates));
            log("%-44s %14s", "next cycle, all present", allPresent.durationMs() + " ms");
            log("%-44s %,14d", "per-CID route, CIDs per second (all present)", (long) cidsPerSecond);

            out.put("n_keys", keys.size());
            out.put("n_cids", n);
            out.put("raw_list_ms", rawMs);
            out.put("index_build_ms", buildMs);
            out.put("index_build_vs_raw", Math.round(1000.0 * buildMs / rawMs) / 1000.0);
            out.put("cycle_listing_ms", listing.durationMs());
            out.put("cycle_head_ms", head.durationMs());
            out.put("head_mode_cids", headSample);
            out.put("list_requests", listing.s3Requests().get("ListObjects"));
            out.put("list_requests_bound", (keys.size() + 999) / 1000 + partitions);
            out.put("head_requests_listing_mode", listing.s3Requests().get("HeadObject"));
            out.put("head_requests_head_mode", head.s3Requests().get("HeadObject"));
            out.put("list_requests_head_mode", head.s3Requests().get("ListObjects"));
            out.put("pulls", listing.counters().get("pull_mine_success"));
            out.put("index_bytes_per_entry", Math.round(bytesPerEntry * 10) / 10.0);
            out.put("lookups_per_s", median(lookupRates));
            out.put("cycle_all_present_ms", allPresent.durationMs());
            out.put("cids_per_s", (long) cidsPerSecond);
        }
        return out;
    }

    private static Map<String, String> nodeSettings(TestS3 s3, String bucket, TestDb db, TestPeer peer, String presence)
            throws Exception {
        Map<String, String> settings = TestNode.settings(s3, bucket, db, TestNode.freePort(), List.of(peer.url()));
        settings.put("repair.presence", presence);
        settings.put("repair.presence-filter.enabled", "false");
        // -Dbench.node.<property>=<value> passes any setting to the benchmarked nodes
        System.getProperties().stringPropertyNames().stream().filter(k -> k.startsWith("bench.node."))
                .forEach(k -> settings.put(k.substring("bench.node.".length()), System.getProperty(k)));
        return settings;
    }

    private static long rawListing(S3Client client, String bucket) {
        long keys = 0;
        String token = null;
        do {
            ListObjectsV2Response page = client.listObjectsV2(ListObjectsV2Request.builder().bucket(bucket).maxKeys(1000)
                    .continuationToken(token).build());
            keys += page.keyCount();
            token = Boolean.TRUE.equals(page.isTruncated()) ? page.nextContinuationToken() : null;
        } while (token != null);
        return keys;
    }

    private static long usedHeap() throws InterruptedException {
        Runtime rt = Runtime.getRuntime();
        long best = Long.MAX_VALUE;
        for (int i = 0; i < 5; i++) {
            System.gc();
            Thread.sleep(100);
            best = Math.min(best, rt.totalMemory() - rt.freeMemory());
        }
        return best;
    }

    private static long median(long[] values) {
        long[] sorted = values.clone();
        Arrays.sort(sorted);
        return sorted[sorted.length / 2];
    }

    private static void check(boolean condition, String message) {
        if (!condition) {
            throw new IllegalStateException(message);
        }
    }

    private static void log(String format, Object... args) {
        System.out.println(String.format(format, args));
    }
}
