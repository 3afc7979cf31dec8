package io.blobrepair.chaos;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The network simulator run small: five real nodes, eight rounds (faults in the first four, two
 * cleanups), a fixed seed. A failure lists each violation with its seed and round. Copies are
 * checked around each round; checked around each node's cycle ({@code bench/chaos.sh --seed 14
 * --rounds 8 --blobs-per-kind 6 --check-each-cycle}) the same seed finds over-replicated copies
 * deleted on the word of a host whose own copy is corrupt (README, "The network simulator").
 */
class NetworkSimulationTest {

    @Test
    void noCopyIsLostToADeletionAndTheNetworkConverges() throws Exception {
        NetworkSimulation.Result result;
        try (NetworkSimulation sim = new NetworkSimulation(new NetworkSimulation.Config(14, 5, 8, 6, false))) {
            result = sim.run();
        }
        System.out.println(NetworkSimulation.summary(result));

        assertThat(result.totalFaults()).as("faults injected").isPositive();
        assertThat(result.violations()).isEmpty();
        assertThat(result.roundsToConverge()).as("rounds to converge").isPositive();
        assertThat(result.minCopiesAtEnd()).isGreaterThanOrEqualTo(NetworkSimulation.R);
        // the over-replicated blobs lost their copies beyond the first R ranks
        assertThat(result.counters().get("delete_over_replicated_success")).isPositive();
    }
}
