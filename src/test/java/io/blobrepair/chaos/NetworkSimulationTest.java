package io.blobrepair.chaos;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The network simulator run small: five real nodes, twelve rounds (faults in the first four,
 * forced cleanups in rounds 4, 8 and 12), a fixed seed whose schedule injects every fault kind.
 * A failure lists each violation with its seed and round.
 */
class NetworkSimulationTest {

    /**
     * Seed 14 (of the first cut's schedule, 8 rounds) found a wrong deletion: a node whose listing
     * failed kept its corrupt copy, and the nodes ranked behind deleted their valid copies on its
     * word (4 valid copies became 2), because /internal/blobs/info answered from HeadObject. Holder
     * checks now ask for the content (CleanupTest.aCorruptCopyIsNotVouchedForToAHolderCheck).
     */
    @Test
    void underEveryFaultKindNoCopyIsLostNoInvariantBreaksAndTheNetworkConverges() throws Exception {
        NetworkSimulation.Result result;
        try (NetworkSimulation sim = new NetworkSimulation(new NetworkSimulation.Config(14, 5, 12, 6, true, false))) {
            result = sim.run();
        }
        System.out.println(NetworkSimulation.summary(result));

        assertThat(result.faults()).as("faults injected by kind").allSatisfy((kind, count) -> assertThat(count).as(kind.name()).isPositive());
        assertThat(result.violations()).isEmpty();
        assertThat(result.roundsToConverge()).as("rounds to converge").isPositive();
        assertThat(result.minCopiesAtEnd()).isEqualTo(NetworkSimulation.R);
        assertThat(result.maxCopiesAtEnd()).isEqualTo(NetworkSimulation.R);
        assertThat(result.tamperedReads()).as("blob reads served wrong or truncated").isPositive();
        assertThat(result.counters().get("presence_index_partial")).as("listings that failed after some pages").isPositive();
        assertThat(result.counters().get("delete_invalid_success")).isPositive();
        assertThat(result.counters().get("delete_over_replicated_success")).isPositive();
    }
}
