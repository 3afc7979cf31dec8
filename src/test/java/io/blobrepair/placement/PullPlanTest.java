package io.blobrepair.placement;

import io.blobrepair.placement.PullPlan.Hint;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

import static org.assertj.core.api.Assertions.assertThat;

/** The pull plan: the bound, presence filters, the store-all fallback and escalation. */
class PullPlanTest {

    private static final String CID = "baeaaaiqsedr3brcctd6byfe27p2mrglpxescplsb4rsjxe2muskzsg3ykk4fk";
    private static final String SELF = "https://self.example";

    /** h0 … h{n-1} in rank order. */
    private static List<String> ranked(int n) {
        List<String> hosts = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            hosts.add("https://h" + i + ".example");
        }
        return hosts;
    }

    private static Function<String, Hint> noFilters() {
        return host -> Hint.UNKNOWN;
    }

    private static Function<String, Hint> filters(Map<String, Hint> hints) {
        return host -> hints.getOrDefault(host, Hint.UNKNOWN);
    }

    @Test
    void atMostTheBoundOfRankedHostsInRankOrder() {
        PullPlan plan = PullPlan.of(CID, ranked(68), SELF, 8, false, noFilters(), List.of());

        assertThat(plan.hosts()).containsExactlyElementsOf(ranked(8));
        assertThat(plan.exhaustive()).isFalse();
        assertThat(plan.storeAllOffered()).isZero();
    }

    @Test
    void thisNodeIsNeverAskedAndDoesNotUseUpTheBound() {
        List<String> hosts = ranked(10);
        hosts.add(1, SELF);

        PullPlan plan = PullPlan.of(CID, hosts, SELF, 3, false, noFilters(), List.of(SELF));

        assertThat(plan.hosts()).containsExactly("https://h0.example", "https://h1.example", "https://h2.example");
    }

    @Test
    void aPeerWhoseFilterSaysAbsentIsSkippedWithoutUsingUpTheBound() {
        Map<String, Hint> hints = new HashMap<>();
        hints.put("https://h0.example", Hint.ABSENT);
        hints.put("https://h2.example", Hint.ABSENT);

        PullPlan plan = PullPlan.of(CID, ranked(10), SELF, 3, false, filters(hints), List.of());

        assertThat(plan.hosts()).containsExactly("https://h1.example", "https://h3.example", "https://h4.example");
        assertThat(plan.skippedAbsent()).isEqualTo(2);
    }

    @Test
    void aPeerWhoseFilterMayHoldTheKeyIsTriedFirstWhereverItRanks() {
        Map<String, Hint> hints = Map.of("https://h40.example", Hint.MAY_HOLD, "https://h5.example", Hint.MAY_HOLD);

        PullPlan plan = PullPlan.of(CID, ranked(68), SELF, 4, false, filters(hints), List.of());

        assertThat(plan.hosts()).containsExactly("https://h5.example", "https://h40.example", "https://h0.example",
                "https://h1.example");
    }

    @Test
    void thenAtMostTwoHealthyStoreAllPeersNotAskedAlready() {
        List<String> storeAll = List.of("https://h1.example", "https://h50.example", "https://h51.example",
                "https://h52.example");

        PullPlan plan = PullPlan.of(CID, ranked(68), SELF, 4, false, noFilters(), storeAll);

        assertThat(plan.hosts()).hasSize(6).startsWith(ranked(4).toArray(String[]::new));
        assertThat(plan.hosts().subList(4, 6)).isSubsetOf("https://h50.example", "https://h51.example", "https://h52.example")
                .doesNotHaveDuplicates();
        assertThat(plan.storeAllOffered()).isEqualTo(2);
    }

    @Test
    void aStoreAllPeerWhoseFilterSaysAbsentIsNotOffered() {
        List<String> storeAll = List.of("https://h50.example", "https://h51.example", "https://h52.example");
        Map<String, Hint> hints = Map.of("https://h50.example", Hint.ABSENT, "https://h51.example", Hint.ABSENT);

        PullPlan plan = PullPlan.of(CID, ranked(68), SELF, 2, false, filters(hints), storeAll);

        assertThat(plan.hosts()).containsExactly("https://h0.example", "https://h1.example", "https://h52.example");
        assertThat(plan.storeAllOffered()).isEqualTo(1);
    }

    @Test
    void storeAllPeersAreRotatedPerCidSoThatEveryNodeDoesNotLandOnTheSameOnes() {
        List<String> storeAll = List.of("https://s0.example", "https://s1.example", "https://s2.example",
                "https://s3.example", "https://s4.example");
        Map<String, Integer> firstOffered = new HashMap<>();
        for (int i = 0; i < 500; i++) {
            String cid = "cid-" + i;
            PullPlan plan = PullPlan.of(cid, ranked(3), SELF, 3, false, noFilters(), storeAll);
            // the same CID always gets the same ones, whatever order the peers come in
            List<String> reversed = new ArrayList<>(storeAll);
            java.util.Collections.reverse(reversed);
            assertThat(PullPlan.of(cid, ranked(3), SELF, 3, false, noFilters(), reversed).hosts()).isEqualTo(plan.hosts());
            firstOffered.merge(plan.hosts().get(3), 1, Integer::sum);
        }
        assertThat(firstOffered).containsOnlyKeys(storeAll);
        assertThat(firstOffered.values()).allMatch(n -> n > 50); // about 100 each
    }

    @Test
    void anEscalatedPullAsksTheWholeRankingAndIsTheExhaustiveOne() {
        List<String> hosts = ranked(68);
        Map<String, Hint> hints = Map.of("https://h0.example", Hint.ABSENT, "https://h60.example", Hint.MAY_HOLD);

        PullPlan plan = PullPlan.of(CID, hosts, SELF, 8, true, filters(hints), List.of("https://h3.example"));

        assertThat(plan.exhaustive()).isTrue();
        assertThat(plan.hosts()).hasSize(68).containsExactlyInAnyOrderElementsOf(hosts);
        // filters only order it: "may hold" first, "absent" last (a filter may be older than the blob)
        assertThat(plan.hosts().get(0)).isEqualTo("https://h60.example");
        assertThat(plan.hosts().get(67)).isEqualTo("https://h0.example");
        assertThat(plan.storeAllOffered()).isZero();
    }

    @Test
    void anEscalatedPullOfAPlacedUploadStillOffersStoreAllPeersOutsideItsPlacement() {
        List<String> placement = List.of("https://h0.example", SELF, "https://h1.example");

        PullPlan plan = PullPlan.of(CID, placement, SELF, 8, true, noFilters(), List.of("https://h9.example"));

        assertThat(plan.hosts()).containsExactly("https://h0.example", "https://h1.example", "https://h9.example");
    }

    @Test
    void noHostAtAllIsAnEmptyPlan() {
        assertThat(PullPlan.of(CID, List.of(SELF), SELF, 8, true, noFilters(), List.of()).hosts()).isEmpty();
    }
}
