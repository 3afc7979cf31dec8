package io.blobrepair.peer;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The staging disk's rule: a blob is staged only when the reserve stays free after it and every pull in progress. */
class StagingReserveTest {

    private static final long GIB = 1L << 30;
    private final StagingReserve twoGib = new StagingReserve(2 * GIB);

    @Test
    void aBlobIsAdmittedWhileTheReserveStaysFree() {
        assertThat(twoGib.admits(10 * GIB, 0, 8 * GIB)).as("exactly down to the reserve").isTrue();
        assertThat(twoGib.admits(10 * GIB, 0, 8 * GIB + 1)).as("one byte into it").isFalse();
        assertThat(twoGib.admits(GIB, 0, 1)).as("already inside the reserve").isFalse();
    }

    @Test
    void pullsInProgressCountWithWhatTheyStillHaveToWrite() {
        assertThat(twoGib.admits(10 * GIB, 5 * GIB, 3 * GIB)).isTrue();
        assertThat(twoGib.admits(10 * GIB, 5 * GIB, 3 * GIB + 1)).isFalse();
    }

    @Test
    void aBlobOfUnknownSizeNeedsOnlyTheReserveFree() {
        assertThat(twoGib.admits(2 * GIB, 0, -1)).isTrue();
        assertThat(twoGib.admits(2 * GIB - 1, 0, -1)).isFalse();
        assertThat(twoGib.admits(3 * GIB, 2 * GIB, -1)).isFalse();
    }

    @Test
    void absurdSizesAreRefusedNotOverflowed() {
        assertThat(twoGib.admits(10 * GIB, 0, Long.MAX_VALUE)).isFalse();
        assertThat(twoGib.admits(10 * GIB, 20 * GIB, Long.MAX_VALUE)).isFalse();
        assertThat(twoGib.admits(Long.MAX_VALUE, 0, 8 * GIB)).as("an unmeasurable disk").isTrue();
        assertThatThrownBy(() -> new StagingReserve(-1)).isInstanceOf(IllegalArgumentException.class);
    }
}
