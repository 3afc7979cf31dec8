package io.blobrepair.bench;

import io.blobrepair.cid.Cid;
import io.blobrepair.index.KeyPartitions;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The benchmark at a tiny size: it runs end to end and its request counts are right (no timings).
 * Failsafe runs it, in a JVM of its own: the heap it measures is not that of every other test.
 */
class RepairBenchmarkIT {

    @Test
    void benchmarkReportsRequestCountsSideBySide() throws Exception {
        int n = 3_000;
        Map<String, Object> r = RepairBenchmark.run(n, n, 200);

        assertThat(r).containsKeys("n_keys", "raw_list_ms", "index_build_ms", "index_build_vs_raw_list", "cycle_listing_ms",
                "cycle_head_ms", "list_requests", "head_requests_listing_mode", "head_requests_head_mode",
                "index_bytes_per_entry", "lookups_per_s", "cids_per_s", "peak_bytes_per_key", "list_speedup_at_20ms",
                "raw_list_latency_ms", "index_build_latency_ms", "pull_concurrency_speedup");
        long keys = ((Number) r.get("n_keys")).longValue();
        assertThat(keys).isEqualTo(2_970L); // 1% missing, held by the peer
        long bound = (keys + 999) / 1000 + KeyPartitions.forParallelism(8).size();
        assertThat(number(r, "raw_list_requests")).isEqualTo((keys + 999) / 1000);
        assertThat(number(r, "index_build_requests")).isLessThanOrEqualTo(bound);
        // a bucket of up to 10,000 keys: one request per page, also with the S3 server answering late
        assertThat(number(r, "index_build_requests")).isEqualTo((keys + 999) / 1000);
        assertThat(number(r, "index_build_latency_requests")).isEqualTo((keys + 999) / 1000);
        assertThat(number(r, "lookups_per_s")).isPositive();
        assertThat(number(r, "peak_bytes_per_key")).isPositive();
        assertThat(r.get("peak_at")).isNotNull();
        assertThat(number(r, "list_requests")).isPositive().isLessThanOrEqualTo(bound);
        // the listing answers presence; HeadObject only confirms each needed pull's absence
        assertThat(number(r, "head_requests_listing_mode")).isEqualTo(number(r, "pulls"));
        assertThat(number(r, "checked_listing_mode")).isEqualTo(n);
        assertThat(number(r, "checked_head_mode")).isEqualTo(n);
        assertThat(number(r, "head_requests_head_mode")).isEqualTo(number(r, "checked_head_mode"));
        assertThat(number(r, "list_requests_head_mode")).isZero();
        assertThat(number(r, "pulls")).isEqualTo(30L);
        assertThat(number(r, "pulls_head_mode")).isEqualTo(30L);
        assertThat(r.get("node_counter_matches_report")).isEqualTo(true);
        assertThat(r.get("head_mode")).isEqualTo("full");
        assertThat(number(r, "index_bytes_per_entry")).isPositive();
        // (f): both runs pulled all 200 (the benchmark throws otherwise), each timed
        assertThat(number(r, "pull_blobs")).isEqualTo(200L);
        assertThat(number(r, "pull_sequential_ms")).isPositive();
        assertThat(number(r, "pull_concurrent_ms")).isPositive();
        assertThat(((Number) r.get("pull_concurrency_speedup")).doubleValue()).isPositive();
    }

    @Test
    void headModeCanBeSampledOrSkipped() throws Exception {
        Map<String, Object> sampled = RepairBenchmark.run(2_000, 500, 0);
        assertThat(sampled.get("head_mode")).isEqualTo("sample");
        assertThat(number(sampled, "checked_head_mode")).isEqualTo(500L);
        assertThat(number(sampled, "head_requests_head_mode")).isEqualTo(500L);
        assertThat(number(sampled, "pulls_head_mode")).isEqualTo(5L);

        Map<String, Object> skipped = RepairBenchmark.run(1_000, 0, 0);
        assertThat(skipped.get("head_mode")).isEqualTo("skipped");
        assertThat(skipped.get("cycle_head_ms")).isNull();
        assertThat(skipped.get("head_requests_head_mode")).isNull();
        assertThat(skipped.get("pull_concurrency_speedup")).isNull();
        assertThat(number(skipped, "head_requests_listing_mode")).isEqualTo(number(skipped, "pulls"));
    }

    @Test
    void legacyCidsAreWellFormed() {
        String qm = RepairBenchmark.qmCidOf("bench blob 13".getBytes(StandardCharsets.UTF_8));
        assertThat(qm).startsWith("Qm").hasSize(46);
        assertThat(Cid.parse(qm)).isPresent();
    }

    private static long number(Map<String, Object> r, String key) {
        return ((Number) r.get(key)).longValue();
    }
}
