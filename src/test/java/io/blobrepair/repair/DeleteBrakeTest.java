package io.blobrepair.repair;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import static org.assertj.core.api.Assertions.assertThat;

class DeleteBrakeTest {

    /**
     * A deletion is allowed while the deletions so far stay below the fraction of what was held:
     * with 1000 held and 0.05, the 50th deletion (49 so far) is the last; nothing goes from an
     * empty node, and a fraction of 0 allows nothing.
     */
    @ParameterizedTest(name = "{0} deleted of {1} held, fraction {2}: {3}")
    @CsvSource({
            "0,    1000, 0.05, true",
            "49,   1000, 0.05, true",
            "50,   1000, 0.05, false",
            "51,   1000, 0.05, false",
            "0,    1,    0.05, true",
            "1,    1,    0.05, false",
            "0,    0,    0.05, false",
            "0,    1000, 0,    false",
            "999,  1000, 1,    true",
            "1000, 1000, 1,    false",
            "2,    10,   0.25, true",
            "3,    10,   0.25, false",
    })
    void allowsADeletionWhileTheDeletionsSoFarStayBelowTheFractionHeld(long deleted, long held, double fraction,
                                                                        boolean allowed) {
        assertThat(DeleteBrake.allows(deleted, held, fraction)).isEqualTo(allowed);
    }
}
