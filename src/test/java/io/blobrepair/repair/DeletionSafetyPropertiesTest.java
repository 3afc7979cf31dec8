package io.blobrepair.repair;

import io.blobrepair.placement.OverReplicationThreshold;
import io.blobrepair.placement.Placement;
import io.blobrepair.placement.PlacementPolicy;
import io.blobrepair.repair.RepairDecision.Action;
import io.blobrepair.repair.RepairDecision.Facts;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.LongRange;

import java.util.ArrayList;
import java.util.List;
import java.util.OptionalLong;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Safety of the deletion rules over random rankings, replication factors, ages, placements and
 * presence sources: whatever the facts, a deletion for over-replication never hits a blob that
 * is mine, within the threshold, younger than 7 days, placed, in store-all mode, or whose presence
 * did not come from a trusted source; and nothing but a cleanup cycle deletes at all.
 */
class DeletionSafetyPropertiesTest {

    private static final long DAY = 24L * 3600 * 1000;

    @Provide
    Arbitrary<Facts> facts() {
        Arbitrary<Boolean> bool = Arbitraries.of(true, false);
        Arbitrary<Long> age = Arbitraries.longs().between(-DAY, 30 * DAY).injectNull(0.1);
        return Combinators.combine(
                Combinators.combine(bool, bool, bool, bool, Arbitraries.of(Presence.class), bool, bool, bool)
                        .as((c1, c2, c3, c4, c5, c6, c7, c8) -> java.util.Arrays.<Object>asList(c1, c2, c3, c4, c5, c6, c7, c8)),
                Combinators.combine(bool, Arbitraries.integers().between(0, 40), Arbitraries.integers().between(1, 20), age)
                        .as((c1, c2, c3, c4) -> java.util.Arrays.<Object>asList(c1, c2, c3, c4))
        ).as((a, b) -> new Facts((Boolean) a.get(0), (Boolean) a.get(1), (Boolean) a.get(2), (Boolean) a.get(3),
                (Presence) a.get(4), (Boolean) a.get(5), (Boolean) a.get(6), (Boolean) a.get(7),
                (Boolean) b.get(0), (Integer) b.get(1), (Integer) b.get(2), (Long) b.get(3)));
    }

    @Property(tries = 5000)
    void overReplicationDeletesOnlyWhenEveryConditionHolds(@ForAll("facts") Facts f) {
        if (RepairDecision.act(f) == Action.DELETE_OVER_REPLICATED) {
            assertThat(f.cleanup()).isTrue();
            assertThat(f.mine()).isFalse();
            assertThat(f.placed()).isFalse();
            assertThat(f.storeAll()).isFalse();
            assertThat(f.trustedPresence()).isTrue();
            assertThat(f.presence()).isEqualTo(Presence.PRESENT);
            assertThat(f.position()).isGreaterThan(f.threshold());
            assertThat(f.ageMillis()).isNotNull().isGreaterThan(RepairDecision.MIN_AGE_TO_DELETE.toMillis());
        }
    }

    @Property(tries = 5000)
    void nothingIsDeletedOutsideCleanupOrOnAnUnknownOrAbsentPresence(@ForAll("facts") Facts f) {
        Action action = RepairDecision.act(f);
        boolean deletes = action == Action.DELETE_OVER_REPLICATED || action == Action.DELETE_VARIANT
                || action == Action.DELETE_INVALID;
        if (!f.cleanup() || f.presence() != Presence.PRESENT) {
            assertThat(deletes).isFalse();
        }
        // an invalid copy is only ever decided after reading it, never from facts alone
        assertThat(action).isNotEqualTo(Action.DELETE_INVALID);
        if (action == Action.PULL) {
            assertThat(f.mine()).isTrue();
            assertThat(f.presence()).isEqualTo(Presence.ABSENT);
        }
    }

    /** With real rankings: whatever the hosts, R and capacity, a node that should hold a blob never deletes it. */
    @Property(tries = 2000)
    void aNodeThatShouldHoldABlobNeverDeletesIt(@ForAll @IntRange(min = 1, max = 12) int hosts,
                                               @ForAll @IntRange(min = 1, max = 5) int r,
                                               @ForAll @IntRange(min = 0, max = 11) int selfIndex,
                                               @ForAll @LongRange(min = 0, max = 1000) long used,
                                               @ForAll boolean capacityKnown,
                                               @ForAll @IntRange(min = 0, max = 1_000_000) int cidSeed) {
        List<String> all = new ArrayList<>();
        for (int i = 0; i < hosts; i++) {
            all.add("http://node" + i + ".example");
        }
        String self = all.get(selfIndex % hosts);
        Placement p = new PlacementPolicy(self, all, r, false).place("bcid" + cidSeed, List.of());
        int threshold = OverReplicationThreshold.of(r, capacityKnown ? OptionalLong.of(1000) : OptionalLong.empty(), used);
        Facts f = new Facts(true, p.mine(), p.placed(), false, Presence.PRESENT, true, false, true, false,
                p.position(), threshold, 30 * DAY);
        if (p.mine()) {
            assertThat(RepairDecision.act(f)).isNotEqualTo(Action.DELETE_OVER_REPLICATED);
        }
        assertThat(threshold).isGreaterThanOrEqualTo(r);
    }
}
