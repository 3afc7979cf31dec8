package io.blobrepair.repair;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import static org.assertj.core.api.Assertions.assertThat;

class RepairDecisionTest {

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

    @ParameterizedTest(name = "mine={0} presence={1} -> {2}")
    @CsvSource({
            "true,  PRESENT, ALREADY_HAVE",
            "true,  ABSENT,  PULL",
            "true,  UNKNOWN, SKIP_UNKNOWN", // a failed HeadObject is never "absent"
            "false, PRESENT, NONE",
            "false, ABSENT,  NONE",
            "false, UNKNOWN, SKIP_UNKNOWN",
    })
    void act(boolean mine, Presence presence, RepairDecision.Action expected) {
        assertThat(RepairDecision.act(mine, presence)).isEqualTo(expected);
    }
}
