package io.blobrepair.placement;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.util.OptionalLong;

import static org.assertj.core.api.Assertions.assertThat;

class OverReplicationThresholdTest {

    @ParameterizedTest(name = "R={0} capacity={1} used={2} -> {3}")
    @CsvSource({
            "3, ,    0,   5",  // no capacity configured: R+2
            "3, 0,   5,   5",  // a capacity of 0 is no capacity: R+2
            "3, 100, 97,  3",  // full (3% free): R
            "3, 100, 95,  5",  // exactly 5% free is not full
            "3, 100, 90,  5",  // 10% free: R+2
            "3, 100, 80,  5",  // exactly 20% free is not more than 20%
            "3, 100, 79,  6",  // 21% free: 2R
            "3, 100, 60,  6",  // exactly 40% free is not more than 40%
            "3, 100, 59,  9",  // 41% free: 3R
            "3, 100, 120, 3",  // over capacity counts as full
            "2, 100, 0,   6",
    })
    void moreFreeSpaceKeepsMoreCopies(int r, Long capacity, long used, int expected) {
        OptionalLong cap = capacity == null ? OptionalLong.empty() : OptionalLong.of(capacity);
        assertThat(OverReplicationThreshold.of(r, cap, OptionalLong.of(used))).isEqualTo(expected);
    }
}
