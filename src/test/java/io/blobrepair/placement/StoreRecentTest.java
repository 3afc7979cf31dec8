package io.blobrepair.placement;

import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** Store-recent retention (the reference's repair_retention tests) and what it does to a placement. */
class StoreRecentTest {

    private static final Instant NOW = Instant.parse("2025-06-01T00:00:00Z");

    private static StoreRecent policy(boolean enabled, Duration ttl, boolean storeAll) {
        return StoreRecent.forCycle(enabled, ttl, storeAll, NOW);
    }

    @Test
    void offByDefault() {
        assertThat(StoreRecent.off().retains(NOW)).isFalse();
        assertThat(policy(false, StoreRecent.DEFAULT_TTL, false).retains(NOW)).isFalse();
    }

    @Test
    void keepsUploadsCreatedWithinTheTtlBoundaryIncluded() {
        StoreRecent thirtyDays = policy(true, Duration.ofDays(30), false);
        assertThat(thirtyDays.retains(NOW.minus(Duration.ofDays(29)))).isTrue();
        assertThat(thirtyDays.retains(NOW.minus(Duration.ofDays(30)))).isTrue();
        assertThat(thirtyDays.retains(NOW.minus(Duration.ofDays(31)))).isFalse();
        assertThat(policy(true, StoreRecent.DEFAULT_TTL, false).retains(NOW.minus(Duration.ofDays(364)))).isTrue();
        assertThat(policy(true, StoreRecent.DEFAULT_TTL, false).retains(NOW.minus(Duration.ofDays(366)))).isFalse();
    }

    @Test
    void neverInStoreAllModeNorForARowWithoutACreationTime() {
        assertThat(policy(true, StoreRecent.DEFAULT_TTL, true).retains(NOW)).isFalse();
        assertThat(policy(true, StoreRecent.DEFAULT_TTL, false).retains(null)).isFalse();
    }

    @Test
    void aRecentUploadIsThisNodesWhateverItsRankUnlessPlacedElsewhere() {
        List<String> hosts = new ArrayList<>();
        for (int i = 0; i < 8; i++) {
            hosts.add("https://node" + i + ".example");
        }
        String cid = "baeaaaiqsedr3brcctd6byfe27p2mrglpxescplsb4rsjxe2muskzsg3ykk4fk";
        String last = RendezvousRanking.rank(cid, hosts).get(7);
        PlacementPolicy policy = new PlacementPolicy(last, hosts, 4, false);

        assertThat(policy.place(cid, List.of()).mine()).isFalse();
        Placement recent = policy.place(cid, List.of(), true);
        assertThat(recent.mine()).isTrue();
        assertThat(recent.rank()).isEqualTo(7);
        assertThat(recent.heldForStoreAll()).isFalse();
        // placement wins: pinned to other hosts, a recent upload is still not this node's business
        assertThat(policy.place(cid, List.of(hosts.get(0) .equals(last) ? hosts.get(1) : hosts.get(0)), true).elsewhere()).isTrue();
    }
}
