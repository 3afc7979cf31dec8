package io.blobrepair.repair;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.util.EnumSet;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;

/** What the per-CID route's predicates read from a decision. */
class CidDecisionTest {

    private static final Set<Action> DELETES = EnumSet.of(Action.DELETE_INVALID, Action.DELETE_VARIANT,
            Action.DELETE_OVER_REPLICATED, Action.DELETE_RELOCATED_SOURCE, Action.DELETE_PRIMARY_DUPLICATE);

    private static CidDecision decision(Action action, Reason reason) {
        CidFactsFixture f = new CidFactsFixture();
        f.presence = Presence.PRESENT;
        f.source = Presence.Source.LISTING;
        f.other = CidFactsFixture.listedElsewhere(42);
        return new CidDecision(f.build(), action, reason);
    }

    /** Each predicate is true for its own action only. */
    @ParameterizedTest
    @EnumSource(Action.class)
    void eachPredicateNamesOneStep(Action action) {
        CidDecision d = decision(action, Reason.RULES);

        assertThat(d.isLookUpPresence()).isEqualTo(action == Action.LOOK_UP_PRESENCE);
        assertThat(d.isConfirmAbsence()).isEqualTo(action == Action.CONFIRM_ABSENCE);
        assertThat(d.isRelocate()).isEqualTo(action == Action.RELOCATE);
        assertThat(d.isVerifyCopy()).isEqualTo(action == Action.VERIFY_COPY);
        assertThat(d.isValidate()).isEqualTo(action == Action.VALIDATE);
        assertThat(d.isConfirmHolders()).isEqualTo(action == Action.CONFIRM_HOLDERS);
        assertThat(d.isPull()).isEqualTo(action == Action.PULL);
        assertThat(d.isDelete()).isEqualTo(DELETES.contains(action));
        assertThat(d.needsRoute()).isEqualTo(action != Action.ALREADY_HAVE && action != Action.NONE);
    }

    /** Only the deletions of the other bucket's copy address the other bucket. */
    @ParameterizedTest
    @EnumSource(Action.class)
    void theBucketIsTheRoutedOneButForTheOtherCopysDeletion(Action action) {
        boolean other = action == Action.DELETE_RELOCATED_SOURCE || action == Action.DELETE_PRIMARY_DUPLICATE;

        assertThat(action.deletesOtherCopy()).isEqualTo(other);
        assertThat(decision(action, Reason.RULES).bucket()).isEqualTo(other ? "other-bucket" : "blobs");
    }

    @Test
    void theStorageKeyIsTheCidsShardedKey() {
        CidDecision d = decision(Action.PULL, Reason.RULES);

        assertThat(d.storageKey()).isEqualTo(CidFactsFixture.V1.storageKey()).isNotEqualTo(CidFactsFixture.V1.value());
    }

    /** The log line: the CID and the action, and the reason when it is not the rules'. */
    @Test
    void toStringNamesTheCidTheActionAndAnyReasonButTheRules() {
        String cid = CidFactsFixture.V1.value();

        assertThat(decision(Action.PULL, Reason.RULES)).hasToString(cid + " PULL");
        assertThat(decision(Action.NONE, Reason.DRY_RUN)).hasToString(cid + " NONE (DRY_RUN)");
        assertThat(decision(Action.PULL, Reason.RULES).facts()).hasToString(cid);
    }

    /** The listing's copy in the other bucket, as the facts keep it: not copied yet. */
    @Test
    void factsKeepTheCopyListedInTheOtherBucket() {
        CidFactsFixture f = new CidFactsFixture();
        f.presence = Presence.ABSENT;
        f.source = Presence.Source.LISTING;
        io.blobrepair.index.ObjectFacts listed = new io.blobrepair.index.ObjectFacts(42, CidFactsFixture.NOW);

        CidFacts facts = f.build().inOtherBucket("archive", listed);

        assertThat(facts.other()).isEqualTo(new CidFacts.OtherCopy("archive", listed, false));
        assertThat(facts.presence()).isEqualTo(Presence.ABSENT);
        assertThat(facts.otherCopyDeleted().other()).isNull();
    }
}
