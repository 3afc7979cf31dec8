package io.blobrepair.repair;

import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;

import static org.assertj.core.api.Assertions.assertThat;

class CycleProgressTest {

    @Test
    void describesPhaseRateAndTimeLeft() {
        Instant start = Instant.parse("2026-01-01T00:00:00Z");
        CycleProgress progress = new CycleProgress(start);
        progress.enter("uploads", 10_000, start);
        progress.advance(2_000);
        assertThat(progress.describe(start.plusSeconds(10), "rows"))
                .isEqualTo("uploads: 2000 of ~10000 rows, 200/s, about 40s left");
        progress.advance(6_000);
        assertThat(progress.describe(start.plusSeconds(40), "rows")).endsWith("about 10s left");
    }

    @Test
    void unknownSizeHasNoEstimateAndAPhaseChangeResetsTheCount() {
        Instant start = Instant.parse("2026-01-01T00:00:00Z");
        CycleProgress progress = new CycleProgress(start);
        progress.enter("listing", 0, start);
        progress.advance(5_000);
        assertThat(progress.describe(start.plusSeconds(5), "keys")).isEqualTo("listing: 5000 keys, 1000/s");
        progress.enter("previews", 100, start.plusSeconds(5));
        assertThat(progress.phase()).isEqualTo("previews");
        assertThat(progress.describe(start.plusSeconds(6), "rows")).startsWith("previews: 0 of ~100 rows");
    }

    @Test
    void formatsLongEstimates() {
        assertThat(CycleProgress.format(Duration.ofSeconds(3 * 3600 + 125))).isEqualTo("3h2m");
        assertThat(CycleProgress.format(Duration.ofSeconds(125))).isEqualTo("2m5s");
    }
}
