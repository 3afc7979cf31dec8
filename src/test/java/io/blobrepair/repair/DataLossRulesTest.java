package io.blobrepair.repair;

import io.blobrepair.repair.DataLossRules.Outcome;
import io.blobrepair.repair.DataLossRules.Transition;
import io.blobrepair.work.DataLossLedger.Entry;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.time.Duration;
import java.time.Instant;

import static org.assertj.core.api.Assertions.assertThat;

/** Every transition of the data-loss evidence, with the reference's figures (5 cycles, 7 days, 5 peers, 30 days, 3). */
class DataLossRulesTest {

    private static final DataLossRules RULES = DataLossRules.DEFAULTS;
    private static final String CID = "baeaaaiqsedr3brcctd6byfe27p2mrglpxescplsb4rsjxe2muskzsg3ykk4fk";
    private static final Instant T0 = Instant.parse("2025-01-01T00:00:00Z");
    private static final int HEALTHY = 9;

    private static Entry accumulating(int cycles, Duration since, long lastCycle) {
        return new Entry(CID, cycles, T0.minus(since), T0.minus(Duration.ofHours(1)), false, null, null, null, lastCycle);
    }

    private static Entry declared(Instant declaredAt, Instant recheckAfter) {
        return new Entry(CID, 5, declaredAt.minus(Duration.ofDays(8)), declaredAt, true, declaredAt, recheckAfter, null, 10L);
    }

    @Test
    void theFirstFailedCycleOpensTheEvidence() {
        Outcome o = RULES.afterFailedPull(CID, null, 1, HEALTHY, false, T0);

        assertThat(o.transition()).isEqualTo(Transition.COUNTED);
        assertThat(o.after()).isEqualTo(new Entry(CID, 1, T0, T0, false, null, null, null, 1L));
    }

    @Test
    void aFurtherFailedCycleCountsOneMoreAndKeepsTheFirstFailure() {
        Entry before = accumulating(2, Duration.ofDays(2), 2);

        Outcome o = RULES.afterFailedPull(CID, before, 3, HEALTHY, false, T0);

        assertThat(o.transition()).isEqualTo(Transition.COUNTED);
        assertThat(o.after().failedCycles()).isEqualTo(3);
        assertThat(o.after().firstFailedAt()).isEqualTo(before.firstFailedAt());
        assertThat(o.after().lastFailedAt()).isEqualTo(T0);
        assertThat(o.after().lastFailedCycle()).isEqualTo(3L);
    }

    @ParameterizedTest(name = "{0} healthy peers: discarded {1}")
    @CsvSource({"0, true", "2, true", "4, true", "5, false", "30, false"})
    void aCycleWithFewerThanFiveHealthyPeersRecordsNothing(int healthy, boolean discarded) {
        Entry before = accumulating(4, Duration.ofDays(8), 4);

        Outcome o = RULES.afterFailedPull(CID, before, 5, healthy, true, T0);

        assertThat(o.transition() == Transition.DISCARDED).isEqualTo(discarded);
        if (discarded) {
            assertThat(o.after()).isNull();
        }
    }

    @Test
    void aCycleCountsACidOnceEvenWhenAResumedRunWalksItAgain() {
        Entry before = accumulating(2, Duration.ofDays(2), 7);

        Outcome o = RULES.afterFailedPull(CID, before, 7, HEALTHY, false, T0);

        assertThat(o.transition()).isEqualTo(Transition.ALREADY_COUNTED);
        assertThat(o.after()).isNull();
    }

    @ParameterizedTest(name = "{0} cycles over {1} days, exhaustive {2}: {3}")
    @CsvSource({
            // five failed cycles spanning seven days, the last attempt exhaustive: declared
            "4, 8, true, DECLARED",
            "4, 7, true, DECLARED",
            // too few cycles or too little time: only counted
            "3, 30, true, COUNTED",
            "4, 6, true, COUNTED",
            "10, 1, true, COUNTED",
            // enough of both, but the last attempt was bounded
            "4, 8, false, AWAITING_FULL_SWEEP",
            "20, 60, false, AWAITING_FULL_SWEEP",
    })
    void declaredOnlyAfterFiveCyclesOverSevenDaysWithAnExhaustiveLastAttempt(int cyclesBefore, int days, boolean exhaustive,
                                                                            Transition expected) {
        Entry before = new Entry(CID, cyclesBefore, T0.minus(Duration.ofDays(days)), T0.minus(Duration.ofHours(1)), false,
                null, null, null, 1L);

        Outcome o = RULES.afterFailedPull(CID, before, 2, HEALTHY, exhaustive, T0);

        assertThat(o.transition()).isEqualTo(expected);
        assertThat(o.after().failedCycles()).isEqualTo(cyclesBefore + 1);
        assertThat(o.after().lastAttemptExhaustive()).isEqualTo(exhaustive);
        if (expected == Transition.DECLARED) {
            assertThat(o.after().declaredAt()).isEqualTo(T0);
            assertThat(o.after().recheckAfter()).isEqualTo(T0.plus(Duration.ofDays(30)));
        } else {
            assertThat(o.after().declaredAt()).isNull();
            assertThat(o.after().recheckAfter()).isNull();
        }
    }

    @Test
    void aDeclaredLossWaitsThirtyDaysForItsRecheck() {
        Entry lost = declared(T0, T0.plus(Duration.ofDays(30)));

        assertThat(RULES.awaitingRecheck(lost, T0.plus(Duration.ofDays(1)))).isTrue();
        assertThat(RULES.awaitingRecheck(lost, T0.plus(Duration.ofDays(30)).minusSeconds(1))).isTrue();
        assertThat(RULES.awaitingRecheck(lost, T0.plus(Duration.ofDays(30)))).isFalse();
        // accumulating, recovered or no evidence at all: tried as usual
        assertThat(RULES.awaitingRecheck(accumulating(4, Duration.ofDays(8), 1), T0)).isFalse();
        assertThat(RULES.awaitingRecheck(RULES.afterPulled(lost, T0).after(), T0)).isFalse();
        assertThat(RULES.awaitingRecheck(null, T0)).isFalse();
    }

    @Test
    void aFailedRecheckMovesTheRecheckAndIsNoNewLoss() {
        Instant declaredAt = T0.minus(Duration.ofDays(31));
        Entry lost = declared(declaredAt, T0.minus(Duration.ofDays(1)));

        Outcome o = RULES.afterFailedPull(CID, lost, 40, HEALTHY, false, T0);

        assertThat(o.transition()).isEqualTo(Transition.RECHECK_FAILED);
        assertThat(o.after().declaredAt()).isEqualTo(declaredAt);
        assertThat(o.after().recheckAfter()).isEqualTo(T0.plus(Duration.ofDays(30)));
        assertThat(o.after().failedCycles()).isEqualTo(6);
        assertThat(RULES.awaitingRecheck(o.after(), T0.plus(Duration.ofDays(29)))).isTrue();
    }

    @Test
    void aLaterSuccessfulPullRecoversADeclaredLoss() {
        Entry lost = declared(T0.minus(Duration.ofDays(31)), T0.minus(Duration.ofDays(1)));

        Outcome o = RULES.afterPulled(lost, T0);

        assertThat(o.transition()).isEqualTo(Transition.RECOVERED);
        assertThat(o.after().recoveredAt()).isEqualTo(T0);
        assertThat(o.after().recheckAfter()).isNull();
        assertThat(o.after().declaredAt()).isEqualTo(lost.declaredAt());
    }

    @Test
    void aSuccessfulPullClosesEvidenceThatWasNeverDeclared() {
        Outcome o = RULES.afterPulled(accumulating(3, Duration.ofDays(2), 3), T0);

        assertThat(o.transition()).isEqualTo(Transition.CLOSED);
        assertThat(o.after().recoveredAt()).isEqualTo(T0);
        assertThat(RULES.afterPulled(null, T0).transition()).isEqualTo(Transition.NONE);
        assertThat(RULES.afterPulled(o.after(), T0.plusSeconds(5)).transition()).isEqualTo(Transition.NONE);
    }

    /** As the reference: a row that fails after recovering is re-opened with its count, first failure and declaration. */
    @Test
    void aRecoveredLossThatFailsAgainIsARecheckNotANewLoss() {
        Entry recovered = RULES.afterPulled(declared(T0.minus(Duration.ofDays(60)), T0.minus(Duration.ofDays(30))),
                T0.minus(Duration.ofDays(20))).after();

        Outcome o = RULES.afterFailedPull(CID, recovered, 90, HEALTHY, false, T0);

        assertThat(o.transition()).isEqualTo(Transition.RECHECK_FAILED);
        assertThat(o.after().recoveredAt()).isNull();
        assertThat(o.after().declaredAt()).isEqualTo(recovered.declaredAt());
    }

    @Test
    void pullsEscalateAfterThreeFailedCyclesButARecheckDoesNot() {
        assertThat(RULES.escalates(null)).isFalse();
        assertThat(RULES.escalates(accumulating(2, Duration.ofDays(2), 2))).isFalse();
        assertThat(RULES.escalates(accumulating(3, Duration.ofDays(2), 3))).isTrue();
        assertThat(RULES.escalates(accumulating(9, Duration.ofDays(2), 9))).isTrue();
        assertThat(RULES.escalates(declared(T0.minus(Duration.ofDays(40)), T0.minus(Duration.ofDays(10))))).isFalse();
        assertThat(RULES.escalateAfter()).isLessThan(RULES.minCycles());
    }

    @Test
    void theWholeWayFromFirstFailureToDeclarationTakesFiveCyclesAndAWeek() {
        Entry entry = null;
        Instant at = T0;
        Transition last = null;
        for (long cycle = 1; cycle <= 5; cycle++) {
            boolean exhaustive = RULES.escalates(entry);
            Outcome o = RULES.afterFailedPull(CID, entry, cycle, HEALTHY, exhaustive, at);
            entry = o.after();
            last = o.transition();
            at = at.plus(Duration.ofDays(2));
        }
        // cycles 4 and 5 escalated; the fifth ended eight days after the first
        assertThat(last).isEqualTo(Transition.DECLARED);
        assertThat(entry.failedCycles()).isEqualTo(5);
    }
}
