package io.blobrepair.repair;

import io.blobrepair.repair.RepairDecision.Action;
import io.blobrepair.repair.RepairDecision.Facts;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;

class RepairDecisionTest {

    private static final long OLD = Duration.ofDays(8).toMillis();
    private static final long YOUNG = Duration.ofDays(6).toMillis();

    @ParameterizedTest(name = "seen={0} mine={1} cleanup={2} knownPresent={3} -> {4}")
    @CsvSource({
            // seen, mine, cleanup, knownPresent, triage
            "true,  true,  false, false, DUPLICATE",
            "true,  false, true,  true,  DUPLICATE",
            "false, false, false, false, NOT_MINE",
            "false, false, false, true,  NOT_MINE",
            "false, false, true,  false, CHECK_PRESENCE",
            "false, true,  false, true,  KNOWN_PRESENT",
            "false, true,  false, false, CHECK_PRESENCE",
            "false, true,  true,  true,  CHECK_PRESENCE", // cleanup trusts only what it checks itself
    })
    void triage(boolean seen, boolean mine, boolean cleanup, boolean knownPresent, RepairDecision.Triage expected) {
        assertThat(RepairDecision.triage(seen, mine, cleanup, knownPresent)).isEqualTo(expected);
    }

    /**
     * One row per rule. Position is 1-based; the threshold is 5 (R=3, R+2). The last column is
     * the expected action.
     */
    @ParameterizedTest(name = "[{index}] {12}")
    @CsvSource({
            // cleanup, mine, placed, storeAll, presence, trusted, checkable, validated, variant, position, threshold, age, expected
            "false, true,  false, false, PRESENT, true,  true,  false, false, 1, 5, OLD,   ALREADY_HAVE",
            "false, true,  false, false, ABSENT,  false, true,  false, false, 1, 5, ,      PULL",
            "false, true,  false, false, UNKNOWN, false, true,  false, false, 1, 5, ,      SKIP_UNKNOWN",
            "false, false, false, false, PRESENT, true,  true,  false, false, 9, 5, OLD,   NONE",
            "true,  true,  false, false, ABSENT,  false, true,  false, false, 1, 5, ,      PULL",
            "true,  false, false, false, ABSENT,  false, true,  false, false, 9, 5, ,      NONE",
            "true,  false, false, false, UNKNOWN, false, true,  false, false, 9, 5, ,      SKIP_UNKNOWN",
            "true,  true,  false, false, PRESENT, true,  true,  false, false, 1, 5, OLD,   VALIDATE",
            "true,  true,  false, false, PRESENT, true,  true,  true,  false, 1, 5, OLD,   ALREADY_HAVE",
            "true,  true,  false, false, PRESENT, true,  false, false, false, 1, 5, OLD,   ALREADY_HAVE", // legacy: never validated
            "true,  false, false, false, PRESENT, true,  false, false, true,  9, 5, YOUNG, DELETE_VARIANT",
            "true,  false, false, false, PRESENT, true,  true,  true,  false, 6, 5, OLD,   DELETE_OVER_REPLICATED",
            "true,  false, false, false, PRESENT, true,  true,  true,  false, 5, 5, OLD,   NONE", // within the threshold
            "true,  false, false, false, PRESENT, true,  true,  true,  false, 6, 5, YOUNG, NONE", // younger than 7 days
            "true,  false, false, false, PRESENT, true,  true,  true,  false, 6, 5, ,      NONE", // age unknown
            "true,  false, true,  false, PRESENT, true,  true,  true,  false, 6, 5, OLD,   NONE", // placed upload
            "true,  true,  false, true,  PRESENT, true,  true,  true,  false, 6, 5, OLD,   ALREADY_HAVE", // store-all
            "true,  false, false, false, PRESENT, false, true,  true,  false, 6, 5, OLD,   NONE", // presence from the cache only
    })
    void act(boolean cleanup, boolean mine, boolean placed, boolean storeAll, Presence presence, boolean trusted,
             boolean checkable, boolean validated, boolean variant, int position, int threshold, String age, Action expected) {
        Long ageMillis = age == null ? null : ("OLD".equals(age) ? OLD : YOUNG);
        Facts facts = new Facts(cleanup, mine, placed, storeAll, presence, trusted, checkable, validated, variant,
                position, threshold, ageMillis);
        assertThat(RepairDecision.act(facts)).isEqualTo(expected);
    }

    @ParameterizedTest
    @CsvSource({
            "QmP8Wuu1kN9iHBoBptB4UrTN3orna3Z6ZW2xevNkoE2y22/150x150.jpg, true",
            "QmP8Wuu1kN9iHBoBptB4UrTN3orna3Z6ZW2xevNkoE2y22/original.jpg, false",
            "QmP8Wuu1kN9iHBoBptB4UrTN3orna3Z6ZW2xevNkoE2y22, false",
    })
    void derivedVariants(String cid, boolean variant) {
        assertThat(RepairDecision.isDerivedVariant(cid)).isEqualTo(variant);
    }
}
