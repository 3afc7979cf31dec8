package io.blobrepair.placement;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

class RendezvousRankingTest {

    private static final List<String> HOSTS = List.of("http://node1.example:8080", "http://node2.example:8080",
            "http://node3.example:8080", "http://node4.example:8080", "http://node5.example:8080");

    // expected orders computed independently: sorted(hosts, key=sha256(host + cid)) in Python
    @Test
    void ranksHostsBySha256OfHostAndCid() {
        assertThat(RendezvousRanking.rank("baeaaaiqsedr3brcctd6byfe27p2mrglpxescplsb4rsjxe2muskzsg3ykk4fk", HOSTS))
                .containsExactly("http://node4.example:8080", "http://node5.example:8080", "http://node1.example:8080",
                        "http://node2.example:8080", "http://node3.example:8080");
        assertThat(RendezvousRanking.rank("QmP8Wuu1kN9iHBoBptB4UrTN3orna3Z6ZW2xevNkoE2y22", HOSTS))
                .containsExactly("http://node4.example:8080", "http://node5.example:8080", "http://node3.example:8080",
                        "http://node2.example:8080", "http://node1.example:8080");
    }

    @Test
    void orderDoesNotDependOnTheOrderHostsAreGiven() {
        String cid = "QmP8Wuu1kN9iHBoBptB4UrTN3orna3Z6ZW2xevNkoE2y22";
        assertThat(RendezvousRanking.rank(cid, reversed(HOSTS))).isEqualTo(RendezvousRanking.rank(cid, HOSTS));
    }

    @Test
    void placementDecidesMine() {
        String cid = "baeaaaiqsedr3brcctd6byfe27p2mrglpxescplsb4rsjxe2muskzsg3ykk4fk";
        // node4 and node5 rank first: with R=2 they hold it, node1 does not
        assertThat(new PlacementPolicy("http://node4.example:8080", HOSTS, 2, false).place(cid, List.of()).mine()).isTrue();
        assertThat(new PlacementPolicy("http://node1.example:8080", HOSTS, 2, false).place(cid, List.of()).mine()).isFalse();
        assertThat(new PlacementPolicy("http://node1.example:8080", HOSTS, 3, false).place(cid, List.of()).mine()).isTrue();
        assertThat(new PlacementPolicy("http://node1.example:8080", HOSTS, 2, true).place(cid, List.of()).mine()).isTrue();
    }

    @Test
    void placementHostsAreTheRankingAndUnknownOnesAreDropped() {
        String cid = "baeaaaiqsedr3brcctd6byfe27p2mrglpxescplsb4rsjxe2muskzsg3ykk4fk";
        PlacementPolicy node1 = new PlacementPolicy("http://node1.example:8080", HOSTS, 2, false);
        Placement placed = node1.place(cid, List.of("http://evil.example", "http://node1.example:8080", "http://node3.example:8080"));
        assertThat(placed.placed()).isTrue();
        assertThat(placed.mine()).isTrue();
        assertThat(placed.ranked()).containsExactly("http://node1.example:8080", "http://node3.example:8080");
        assertThat(placed.unknownHosts()).isEqualTo(1);

        // a list without this node: not its business at all, even in store-all mode (as the reference)
        for (boolean storeAll : List.of(false, true)) {
            Placement elsewhere = new PlacementPolicy("http://node4.example:8080", HOSTS, 2, storeAll)
                    .place(cid, List.of("http://node1.example:8080", "http://node3.example:8080"));
            assertThat(elsewhere.mine()).isFalse();
            assertThat(elsewhere.elsewhere()).isTrue();
        }

        // a list of strangers only does not name this node either
        Placement allUnknown = node1.place(cid, List.of("http://evil.example"));
        assertThat(allUnknown.elsewhere()).isTrue();
        assertThat(allUnknown.mine()).isFalse();
        assertThat(allUnknown.unknownHosts()).isEqualTo(1);
    }

    private static List<String> reversed(List<String> hosts) {
        java.util.ArrayList<String> copy = new java.util.ArrayList<>(hosts);
        java.util.Collections.reverse(copy);
        return copy;
    }
}
