package io.blobrepair.bench;

import org.junit.jupiter.api.Test;

import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** The benchmark at a tiny size: it runs end to end and its request counts are right (no timings). */
class RepairBenchmarkTest {

    @Test
    void benchmarkReportsRequestCountsSideBySide() throws Exception {
        Map<String, Object> r = RepairBenchmark.run(3_000, 3_000);

        assertThat(r).containsKeys("n_keys", "raw_list_ms", "index_build_ms", "cycle_listing_ms", "cycle_head_ms",
                "list_requests", "head_requests_listing_mode", "head_requests_head_mode", "index_bytes_per_entry",
                "lookups_per_s", "cids_per_s");
        assertThat(r.get("n_keys")).isEqualTo(2_970); // 1% missing
        assertThat((Long) r.get("list_requests")).isLessThanOrEqualTo(((Number) r.get("list_requests_bound")).longValue());
        assertThat(r.get("head_requests_listing_mode")).isEqualTo(0L);
        assertThat(r.get("head_requests_head_mode")).isEqualTo(3_000L);
        assertThat(r.get("list_requests_head_mode")).isEqualTo(0L);
        assertThat(r.get("pulls")).isEqualTo(30L);
    }
}
