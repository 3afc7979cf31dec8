package io.blobrepair.repair;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** When the presence store may answer a normal cycle: its last listing, missed updates, the liveness sample. */
class PresenceStoreReadinessTest {

    @Test
    void aStoreNeverListedIntoIsNotReady() {
        PresenceStoreReadiness.Verdict v = PresenceStoreReadiness.beforeSample(false, false, Optional.empty());
        assertThat(v.ready()).isFalse();
        assertThat(v.reason()).isEqualTo("no complete listing stored yet");
    }

    @Test
    void aStoreWhoseLastListingWasPartialIsNotReady() {
        PresenceStoreReadiness.Verdict v = PresenceStoreReadiness.beforeSample(true, false, Optional.empty());
        assertThat(v.ready()).isFalse();
        assertThat(v.reason()).isEqualTo("the last listing into it was partial");
    }

    @Test
    void aStoreThatMissedOneOfOurChangesIsNotReady() {
        PresenceStoreReadiness.Verdict v = PresenceStoreReadiness.beforeSample(true, true, Optional.of("the store missed that k was deleted"));
        assertThat(v.ready()).isFalse();
        assertThat(v.reason()).isEqualTo("the store missed that k was deleted");
    }

    @Test
    void aCompleteLastListingGoesOnToTheSample() {
        assertThat(PresenceStoreReadiness.beforeSample(true, true, Optional.empty()).ready()).isTrue();
    }

    @ParameterizedTest(name = "{1} of {0} missing -> ready {2}")
    @CsvSource({
            "64, 0, true", "64, 16, true", "64, 17, false", "64, 20, false", "64, 64, false",
            // a small store is sampled whole
            "4, 1, true", "4, 2, false", "3, 1, false",
            // an empty store (an empty bucket listed completely) has nothing to miss
            "0, 0, true",
    })
    void atMostAQuarterOfTheSampleMayBeMissing(int sampled, int missing, boolean ready) {
        PresenceStoreReadiness.Verdict v = PresenceStoreReadiness.afterSample(sampled, missing);
        assertThat(v.ready()).isEqualTo(ready);
        assertThat(v.reason()).startsWith(missing + " of " + sampled + " sampled keys missing");
    }

    @Test
    void thirtyPercentOfTheSampleGoneIsNotReady() {
        int missing = (int) Math.ceil(PresenceStoreReadiness.SAMPLE_SIZE * 0.30);
        assertThat(PresenceStoreReadiness.afterSample(PresenceStoreReadiness.SAMPLE_SIZE, missing).ready()).isFalse();
    }

    @Test
    void moreMissingThanSampledIsAnError() {
        assertThatThrownBy(() -> PresenceStoreReadiness.afterSample(2, 3)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> PresenceStoreReadiness.afterSample(-1, 0)).isInstanceOf(IllegalArgumentException.class);
    }
}
