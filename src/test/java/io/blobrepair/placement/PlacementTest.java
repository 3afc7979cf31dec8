package io.blobrepair.placement;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.util.ArrayList;
import java.util.List;
import java.util.OptionalLong;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** A placement's hosts ahead (whom a cleanup asks before deleting), store-all's cold blobs, the view's checks. */
class PlacementTest {

    private static final List<String> HOSTS = List.of("https://a.example", "https://b.example", "https://c.example",
            "https://d.example");
    private static final String CID = "baeaaaiqsedr3brcctd6byfe27p2mrglpxescplsb4rsjxe2muskzsg3ykk4fk";

    @Test
    void theHostsAheadAreThoseRankedBeforeThisNode() {
        assertThat(new Placement(HOSTS, 2, false, false, false, false, 0).ahead()).containsExactly(HOSTS.get(0), HOSTS.get(1));
        assertThat(new Placement(HOSTS, 0, true, false, false, false, 0).ahead()).isEmpty();
        assertThat(new Placement(HOSTS, 3, false, false, false, false, 0).ahead()).containsExactlyElementsOf(HOSTS.subList(0, 3));
    }

    @Test
    void aNodeNotRankedHasEveryHostAhead() {
        assertThat(new Placement(HOSTS, -1, false, false, false, false, 0).ahead()).containsExactlyElementsOf(HOSTS);
    }

    @Test
    void pinnedElsewhereIsNeitherMineNorRanked() {
        Placement p = Placement.elsewhere(3);

        assertThat(p.ranked()).isEmpty();
        assertThat(p.rank()).isEqualTo(-1);
        assertThat(p.mine()).isFalse();
        assertThat(p.placed()).isTrue();
        assertThat(p.elsewhere()).isTrue();
        assertThat(p.heldForStoreAll()).isFalse();
        assertThat(p.unknownHosts()).isEqualTo(3);
    }

    /**
     * A store-all node holds every blob; those ranked at or after R are held only for store-all
     * (an archive bucket's), those below R are replicas like on any node.
     */
    @Test
    void storeAllHoldsEveryRankAndMarksThoseAtOrAfterR() {
        List<String> ranked = RendezvousRanking.rank(CID, HOSTS);
        for (int rank = 0; rank < ranked.size(); rank++) {
            PlacementPolicy policy = new PlacementPolicy(ranked.get(rank), HOSTS, 2, true);

            Placement p = policy.place(CID, List.of());

            assertThat(p.rank()).isEqualTo(rank);
            assertThat(p.mine()).isTrue();
            assertThat(p.heldForStoreAll()).as("rank %d", rank).isEqualTo(rank >= 2);
            assertThat(policy.storeAll()).isTrue();
            assertThat(policy.self()).isEqualTo(ranked.get(rank));
        }
        PlacementPolicy normal = new PlacementPolicy(ranked.get(3), HOSTS, 2, false);
        assertThat(normal.storeAll()).isFalse();
        assertThat(normal.place(CID, List.of()).mine()).isFalse();
        assertThat(normal.place(CID, List.of()).heldForStoreAll()).isFalse();
    }

    @ParameterizedTest
    @ValueSource(ints = {1, 2})
    void aViewTakesAnyReplicationFactorFromOne(int r) {
        NetworkView view = new NetworkView(HOSTS.get(0), HOSTS, r, false, Set.of(), OptionalLong.empty(), OptionalLong.empty());

        assertThat(view.replicationFactor()).isEqualTo(r);
        assertThat(view.peers()).containsExactlyElementsOf(HOSTS.subList(1, 4));
    }

    @ParameterizedTest
    @ValueSource(ints = {0, -1})
    void aViewRejectsAReplicationFactorBelowOne(int r) {
        assertThatThrownBy(() -> new NetworkView(HOSTS.get(0), HOSTS, r, false, Set.of(), OptionalLong.empty(), OptionalLong.empty()))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("below 1");
    }

    @Test
    void aViewMustRankThisNode() {
        List<String> others = new ArrayList<>(HOSTS.subList(1, 4));
        assertThatThrownBy(() -> new NetworkView(HOSTS.get(0), others, 2, false, Set.of(), OptionalLong.empty(), OptionalLong.empty()))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("not among the ranked hosts");
    }
}
