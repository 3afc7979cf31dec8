package io.blobrepair.repair;

import io.blobrepair.index.KnownPresentCache;
import io.blobrepair.index.PresenceIndex;
import io.blobrepair.work.PresenceStore;
import org.junit.jupiter.api.Test;

import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The deletion gate's own brake against the presence store: whatever asks for it, nothing is deleted on the store's view. */
class DeletionGateTest {

    private static final Clock CLOCK = Clock.systemUTC();

    @Test
    void aDeletionInACycleAnsweredFromThePresenceStoreIsRefused() {
        // the store answers before any batch is read: no database is needed to refuse
        PresenceStore store = new PresenceStore(null, true, List.of("blobs"), CLOCK);
        DeletionGate gate = new DeletionGate(false, 0.05, new KnownPresentCache(16), store, RepairEvents.NONE, CLOCK);
        CycleState cycle = new CycleState(1, 4, true, Instant.now(CLOCK), new RepairCounters(), "uploads", Map.of(), 0, Map.of());
        cycle.setHeldAtStart(1000);
        CidDecision delete = deleteInvalid();

        assertThat(gate.admit(delete, cycle, PresenceIndex.unavailable(Instant.now(CLOCK))).action()).isEqualTo(Action.DELETE_INVALID);
        assertThatThrownBy(() -> gate.admit(delete, cycle, store.answers())).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("no deletion on the presence store's view");
    }

    /** A v1 copy whose content did not match its CID, in a cleanup cycle on a complete view. */
    private static CidDecision deleteInvalid() {
        CidFactsFixture f = new CidFactsFixture();
        f.cleanup = true;
        f.presence = Presence.PRESENT;
        f.source = Presence.Source.LISTING;
        f.content = CidFacts.Content.INVALID;
        CidDecision decision = RepairRules.decide(f.build());
        assertThat(decision.action()).isEqualTo(Action.DELETE_INVALID);
        return decision;
    }
}
