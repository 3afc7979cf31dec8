package io.blobrepair.repair;

import io.blobrepair.work.RepairRun;
import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.util.Map;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;

class CyclePlanTest {

    private static RepairRun run(long cycle, boolean cleanup, boolean finished, String aborted) {
        return new RepairRun(7, cycle, cleanup, Instant.EPOCH, finished ? Instant.EPOCH : null, "previews",
                Map.of("previews", "k"), Map.of(), 0, null, aborted);
    }

    @Test
    void firstCycleIsOneAndNotACleanup() {
        CyclePlan plan = CyclePlan.next(Optional.empty(), false, 4);
        assertThat(plan.cycle()).isEqualTo(1);
        assertThat(plan.cleanup()).isFalse();
        assertThat(plan.resume()).isEmpty();
    }

    @Test
    void everyNthCycleIsACleanup() {
        assertThat(CyclePlan.next(Optional.of(run(3, false, true, null)), false, 4).cleanup()).isTrue();
        assertThat(CyclePlan.next(Optional.of(run(4, true, true, null)), false, 4).cleanup()).isFalse();
        assertThat(CyclePlan.next(Optional.of(run(7, false, true, null)), false, 4).cycle()).isEqualTo(8);
        assertThat(CyclePlan.next(Optional.of(run(1, false, true, null)), true, 4).cleanup()).isTrue();
    }

    @Test
    void unfinishedRunIsResumed() {
        RepairRun unfinished = run(5, false, false, "FAILED: db");
        CyclePlan plan = CyclePlan.next(Optional.of(unfinished), false, 4);
        assertThat(plan.resume()).contains(unfinished);
        assertThat(plan.cycle()).isEqualTo(5);
    }

    @Test
    void cycleAbortedBeforeWorkKeepsItsNumber() {
        CyclePlan plan = CyclePlan.next(Optional.of(run(4, true, true, "NOT_ENOUGH_PEERS")), false, 4);
        assertThat(plan.cycle()).isEqualTo(4);
        assertThat(plan.cleanup()).isTrue();
    }

    @Test
    void forcedCleanupSupersedesAnUnfinishedNormalRun() {
        RepairRun unfinished = run(5, false, false, null);
        CyclePlan plan = CyclePlan.next(Optional.of(unfinished), true, 4);
        assertThat(plan.resume()).isEmpty();
        assertThat(plan.supersede()).contains(unfinished);
        assertThat(plan.cleanup()).isTrue();
    }
}
