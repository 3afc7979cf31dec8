package io.blobrepair.chaos;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The network simulator run small: five real nodes, eight rounds (faults in the first four, two
 * forced cleanups), a fixed seed. A failure lists each violation with its seed and round.
 */
class NetworkSimulationTest {

    @Test
    void underS3ErrorsFailingListingsAndNodesDownNoCopyIsLostAndTheNetworkConverges() throws Exception {
        NetworkSimulation.Result result = run(false);

        assertThat(result.faults().get(NetworkSimulation.Fault.CORRUPT_COPY)).isZero();
        assertThat(result.totalFaults()).as("faults injected").isPositive();
        assertThat(result.violations()).isEmpty();
        assertThat(result.roundsToConverge()).as("rounds to converge").isPositive();
        assertThat(result.minCopiesAtEnd()).isGreaterThanOrEqualTo(NetworkSimulation.R);
        // the over-replicated blobs lost their copies beyond the first R ranks
        assertThat(result.counters().get("delete_over_replicated_success")).isPositive();
    }

    /**
     * Seed 14 found a wrong deletion here: a node whose listing failed kept its corrupt copy, and
     * the nodes ranked behind deleted their valid copies on its word (4 valid copies became 2),
     * because /internal/blobs/info answered from HeadObject. Holder checks now ask for the content.
     */
    @Test
    void withCorruptedCopiesTooNoCopyIsLostAndTheNetworkConverges() throws Exception {
        NetworkSimulation.Result result = run(true);

        assertThat(result.faults().get(NetworkSimulation.Fault.CORRUPT_COPY)).isPositive();
        assertThat(result.violations()).isEmpty();
        assertThat(result.roundsToConverge()).as("rounds to converge").isPositive();
        assertThat(result.counters().get("delete_invalid_success")).isPositive();
    }

    private static NetworkSimulation.Result run(boolean corruption) throws Exception {
        NetworkSimulation.Result result;
        try (NetworkSimulation sim = new NetworkSimulation(new NetworkSimulation.Config(14, 5, 8, 6, corruption, false))) {
            result = sim.run();
        }
        System.out.println(NetworkSimulation.summary(result));
        return result;
    }
}
