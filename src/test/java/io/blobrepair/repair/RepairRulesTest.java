package io.blobrepair.repair;

import io.blobrepair.cid.Cid;
import io.blobrepair.index.ObjectFacts;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.Combinators;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

class RepairRulesTest {

    /**
     * One row per rule. Rank is 0-based; R is 4 and the threshold 6 (R+2) unless a row says
     * otherwise. Age OLD is 8 days, YOUNG 6; '-' means unknown.
     */
    @ParameterizedTest(name = "[{index}] {16} {17}")
    @CsvSource(delimiter = '|', textBlock = """
            # cleanup| mine | placed| storeAll| archived| cid    | presence | source     | content   | holders    | rank| T | age  | complete| headTrusted| hostsChanged| action                | reason
            # presence first
            false    | true | false | false   | false   | V1     | UNCHECKED| NONE       | UNCHECKED | NOT_ASKED  | 0   | 6 | OLD  | true    | false      | false       | LOOK_UP_PRESENCE      | RULES
            false    | true | false | false   | false   | V1     | UNKNOWN  | HEAD_OBJECT| UNCHECKED | NOT_ASKED  | 0   | 6 | -    | true    | false      | false       | NONE                  | PRESENCE_UNKNOWN
            true     | false| false | false   | false   | V1     | UNKNOWN  | HEAD_OBJECT| UNCHECKED | NOT_ASKED  | 9   | 6 | -    | true    | false      | false       | NONE                  | PRESENCE_UNKNOWN
            # absent: pulled when mine, after one HeadObject confirms the listing's answer
            false    | true | false | false   | false   | V1     | ABSENT   | LISTING    | UNCHECKED | NOT_ASKED  | 0   | 6 | -    | true    | false      | false       | CONFIRM_ABSENCE       | RULES
            false    | true | false | false   | false   | V1     | ABSENT   | HEAD_OBJECT| UNCHECKED | NOT_ASKED  | 0   | 6 | -    | true    | false      | false       | PULL                  | RULES
            true     | true | false | false   | false   | V1     | ABSENT   | DELETED    | INVALID   | NOT_ASKED  | 0   | 6 | -    | true    | false      | false       | PULL                  | RULES
            true     | false| false | false   | false   | V1     | ABSENT   | LISTING    | UNCHECKED | NOT_ASKED  | 9   | 6 | -    | true    | false      | false       | NONE                  | NOT_MINE
            true     | false| false | false   | false   | V1     | ABSENT   | DELETED    | UNCHECKED | CONFIRMED  | 9   | 6 | -    | true    | false      | false       | NONE                  | DELETED
            false    | true | false | false   | false   | VARIANT| ABSENT   | LISTING    | UNCHECKED | NOT_ASKED  | 0   | 6 | -    | true    | false      | false       | NONE                  | VARIANT_NOT_PULLED
            false    | true | false | false   | false   | VARIANT| ABSENT   | HEAD_OBJECT| UNCHECKED | NOT_ASKED  | 0   | 6 | -    | true    | false      | false       | NONE                  | VARIANT_NOT_PULLED
            # present, normal cycle
            false    | true | false | false   | false   | V1     | PRESENT  | LISTING    | UNCHECKED | NOT_ASKED  | 0   | 6 | OLD  | true    | false      | false       | ALREADY_HAVE          | RULES
            false    | true | false | false   | false   | V1     | PRESENT  | WRITTEN    | UNCHECKED | NOT_ASKED  | 0   | 6 | -    | true    | false      | false       | ALREADY_HAVE          | RULES
            # cleanup: validation first (v1 only), then invalid, variant, over-replicated
            true     | true | false | false   | false   | V1     | PRESENT  | LISTING    | UNCHECKED | NOT_ASKED  | 0   | 6 | OLD  | true    | false      | false       | VALIDATE              | RULES
            true     | true | false | false   | false   | V1     | PRESENT  | LISTING    | VALID     | NOT_ASKED  | 0   | 6 | OLD  | true    | false      | false       | ALREADY_HAVE          | RULES
            true     | true | false | false   | false   | V1     | PRESENT  | LISTING    | INVALID   | NOT_ASKED  | 0   | 6 | OLD  | true    | false      | false       | DELETE_INVALID        | RULES
            true     | false| false | false   | false   | V1     | PRESENT  | LISTING    | INVALID   | NOT_ASKED  | 2   | 6 | YOUNG| true    | false      | false       | DELETE_INVALID        | RULES
            true     | true | false | false   | false   | V1     | PRESENT  | LISTING    | UNREADABLE| NOT_ASKED  | 0   | 6 | OLD  | true    | false      | false       | NONE                  | CONTENT_UNREADABLE
            true     | true | false | false   | false   | LEGACY | PRESENT  | LISTING    | UNCHECKED | NOT_ASKED  | 0   | 6 | OLD  | true    | false      | false       | ALREADY_HAVE          | RULES
            true     | false| false | false   | false   | VARIANT| PRESENT  | LISTING    | UNCHECKED | NOT_ASKED  | 9   | 6 | YOUNG| true    | false      | false       | DELETE_VARIANT        | RULES
            true     | true | false | false   | false   | VARIANT| PRESENT  | LISTING    | UNCHECKED | NOT_ASKED  | 0   | 6 | YOUNG| true    | false      | false       | DELETE_VARIANT        | RULES
            # over-replication: 0-based rank above T, as the reference (myRank > T)
            true     | false| false | false   | false   | V1     | PRESENT  | LISTING    | VALID     | NOT_ASKED  | 7   | 6 | OLD  | true    | false      | false       | CONFIRM_HOLDERS       | RULES
            true     | false| false | false   | false   | V1     | PRESENT  | LISTING    | VALID     | NOT_ASKED  | 6   | 6 | OLD  | true    | false      | false       | NONE                  | NOT_MINE
            true     | false| false | false   | false   | V1     | PRESENT  | LISTING    | VALID     | CONFIRMED  | 7   | 6 | OLD  | true    | false      | false       | DELETE_OVER_REPLICATED| RULES
            true     | false| false | false   | false   | V1     | PRESENT  | LISTING    | VALID     | UNCONFIRMED| 7   | 6 | OLD  | true    | false      | false       | NONE                  | HOLDERS_UNCONFIRMED
            true     | false| false | false   | false   | LEGACY | PRESENT  | LISTING    | UNCHECKED | NOT_ASKED  | 7   | 6 | OLD  | true    | false      | false       | CONFIRM_HOLDERS       | RULES
            true     | false| false | false   | false   | V1     | PRESENT  | LISTING    | VALID     | NOT_ASKED  | 7   | 6 | YOUNG| true    | false      | false       | NONE                  | NOT_MINE
            true     | false| false | false   | false   | V1     | PRESENT  | LISTING    | VALID     | NOT_ASKED  | 7   | 6 | -    | true    | false      | false       | NONE                  | NOT_MINE
            true     | false| true  | false   | false   | V1     | PRESENT  | LISTING    | VALID     | NOT_ASKED  | 7   | 6 | OLD  | true    | false      | false       | NONE                  | NOT_MINE
            true     | true | false | true    | false   | V1     | PRESENT  | LISTING    | VALID     | NOT_ASKED  | 7   | 6 | OLD  | true    | false      | false       | ALREADY_HAVE          | RULES
            true     | true | false | true    | true    | V1     | PRESENT  | LISTING    | VALID     | NOT_ASKED  | 7   | 6 | OLD  | true    | false      | false       | ALREADY_HAVE          | RULES
            true     | false| false | false   | false   | V1     | PRESENT  | WRITTEN    | VALID     | NOT_ASKED  | 7   | 6 | -    | true    | false      | false       | NONE                  | NOT_MINE
            true     | false| false | false   | false   | V1     | PRESENT  | HEAD_OBJECT| VALID     | NOT_ASKED  | 7   | 6 | OLD  | true    | false      | false       | NONE                  | NOT_MINE
            true     | false| false | false   | false   | V1     | PRESENT  | HEAD_OBJECT| VALID     | NOT_ASKED  | 7   | 6 | OLD  | true    | true       | false       | CONFIRM_HOLDERS       | RULES
            true     | false| false | false   | false   | V1     | PRESENT  | LISTING    | VALID     | NOT_ASKED  | 7   | 6 | OLD  | true    | false      | true        | NONE                  | HOSTS_CHANGED
            # a partial view: nothing validated, nothing deleted
            true     | false| false | false   | false   | V1     | PRESENT  | LISTING    | UNCHECKED | NOT_ASKED  | 7   | 6 | OLD  | false   | false      | false       | NONE                  | NOT_MINE
            true     | false| false | false   | false   | VARIANT| PRESENT  | LISTING    | UNCHECKED | NOT_ASKED  | 9   | 6 | OLD  | false   | false      | false       | NONE                  | NOT_MINE
            true     | true | false | false   | false   | V1     | PRESENT  | LISTING    | UNCHECKED | NOT_ASKED  | 0   | 6 | OLD  | false   | false      | false       | ALREADY_HAVE          | RULES
            """)
    void rule(boolean cleanup, boolean mine, boolean placed, boolean storeAll, boolean archived, String cid,
              Presence presence, Presence.Source source, CidFacts.Content content, CidFacts.Holders holders,
              int rank, int threshold, String age, boolean complete, boolean headTrusted, boolean hostsChanged,
              Action action, Reason reason) {
        CidFactsFixture f = new CidFactsFixture();
        f.cleanup = cleanup;
        f.mine = mine;
        f.placed = placed;
        f.storeAll = storeAll;
        f.archived = archived;
        f.cid = switch (cid) {
            case "V1" -> CidFactsFixture.V1;
            case "LEGACY" -> CidFactsFixture.LEGACY;
            default -> CidFactsFixture.VARIANT;
        };
        f.presence = presence;
        f.source = source;
        f.content = content;
        f.holders = holders;
        f.rank = rank;
        f.threshold = threshold;
        f.ageMillis = switch (age) {
            case "OLD" -> CidFactsFixture.OLD;
            case "YOUNG" -> CidFactsFixture.YOUNG;
            default -> null;
        };
        f.deletionsAllowed = complete;
        f.headIsTrusted = headTrusted;
        f.hostsChanged = hostsChanged;

        CidDecision decision = RepairRules.decide(f.build());

        assertThat(decision.action()).isEqualTo(action);
        assertThat(decision.reason()).isEqualTo(reason);
    }

    /**
     * Both over-replication rules on an old, listed, valid copy in a cleanup cycle, R = 4: #202's
     * spill-over deletes above T (R+2 by default, R when full, 2R or 3R with free space), the
     * newer replica-set rule at or after R whatever the disk says. A copy this node holds (a
     * recent upload kept by store-recent, placed here, store-all) is never over-replicated.
     */
    @ParameterizedTest(name = "[{index}] {0} rank {1} T {2} mine {3}: {4}")
    @CsvSource(delimiter = '|', textBlock = """
            # rule      | rank | T  | mine | action
            SPILL_OVER  | 3    | 6  | false| NONE
            SPILL_OVER  | 4    | 6  | false| NONE
            SPILL_OVER  | 6    | 6  | false| NONE
            SPILL_OVER  | 7    | 6  | false| CONFIRM_HOLDERS
            SPILL_OVER  | 4    | 4  | false| NONE
            SPILL_OVER  | 5    | 4  | false| CONFIRM_HOLDERS
            SPILL_OVER  | 9    | 12 | false| NONE
            SPILL_OVER  | 13   | 12 | false| CONFIRM_HOLDERS
            SPILL_OVER  | 7    | 6  | true | ALREADY_HAVE
            REPLICA_SET | 3    | 6  | false| NONE
            REPLICA_SET | 4    | 6  | false| CONFIRM_HOLDERS
            REPLICA_SET | 4    | 12 | false| CONFIRM_HOLDERS
            REPLICA_SET | 6    | 4  | false| CONFIRM_HOLDERS
            REPLICA_SET | 7    | 6  | true | ALREADY_HAVE
            """)
    void overReplicationRule(OverReplicationRule rule, int rank, int threshold, boolean mine, Action action) {
        CidFactsFixture f = new CidFactsFixture();
        f.cleanup = true;
        f.presence = Presence.PRESENT;
        f.source = Presence.Source.LISTING;
        f.content = CidFacts.Content.VALID;
        f.overReplication = rule;
        f.rank = rank;
        f.threshold = threshold;
        f.mine = mine;

        assertThat(RepairRules.decide(f.build()).action()).isEqualTo(action);
    }

    /**
     * The age brake: a copy exactly {@link RepairRules#MIN_AGE_TO_DELETE} (7 days) old may still be
     * spreading and stays; one millisecond older it is over-replicated. A last-modified time the
     * bucket does not give (0) is an unknown age, never an old one.
     */
    @ParameterizedTest(name = "age {0} ms -> {1}")
    @CsvSource({
            "604799999, NONE",
            "604800000, NONE",
            "604800001, CONFIRM_HOLDERS",
            "691200000, CONFIRM_HOLDERS",
    })
    void aCopyIsOverReplicatedOnlyWhenOlderThanSevenDays(long ageMillis, Action action) {
        assertThat(RepairRules.MIN_AGE_TO_DELETE.toMillis()).isEqualTo(604_800_000L);
        CidFactsFixture f = overReplicatedCopy();
        f.ageMillis = ageMillis;

        CidDecision decision = RepairRules.decide(f.build());

        assertThat(decision.action()).isEqualTo(action);
        assertThat(decision.reason()).isEqualTo(action == Action.NONE ? Reason.NOT_MINE : Reason.RULES);
    }

    @Test
    void anUnknownLastModifiedTimeIsNoAge() {
        CidFactsFixture f = overReplicatedCopy();
        CidFacts facts = f.build().present(Presence.Source.LISTING, new ObjectFacts(42, 0));

        assertThat(facts.ageMillis()).isNull();
        assertThat(RepairRules.decide(facts).action()).isEqualTo(Action.NONE);
    }

    /** The presence store's "present" never grounds a deletion, even where a listing's would (a cleanup cycle on a complete view). */
    @Test
    void theStoresPresenceNeverGroundsADeletion() {
        CidFactsFixture f = overReplicatedCopy();
        assertThat(RepairRules.decide(f.build()).action()).isEqualTo(Action.CONFIRM_HOLDERS);
        f.source = Presence.Source.STORE;
        CidFacts stored = f.build();

        assertThat(stored.trustedPresence()).isFalse();
        assertThat(RepairRules.decide(stored).action()).isEqualTo(Action.NONE);
        assertThat(RepairRules.decide(stored.holders(CidFacts.Holders.CONFIRMED)).action()).isEqualTo(Action.NONE);
    }

    /** The store's "absent" may be stale like a listing's: HeadObject confirms it before any pull. */
    @Test
    void theStoresAbsenceIsConfirmedBeforeAPull() {
        CidFactsFixture f = new CidFactsFixture();
        f.presence = Presence.ABSENT;
        f.source = Presence.Source.STORE;
        assertThat(RepairRules.decide(f.build()).action()).isEqualTo(Action.CONFIRM_ABSENCE);
    }

    /** A listed, valid copy ranked 7th (0-based) of R = 4, T = 6, in a cleanup cycle on a complete view. */
    private static CidFactsFixture overReplicatedCopy() {
        CidFactsFixture f = new CidFactsFixture();
        f.cleanup = true;
        f.mine = false;
        f.presence = Presence.PRESENT;
        f.source = Presence.Source.LISTING;
        f.content = CidFacts.Content.VALID;
        f.rank = 7;
        return f;
    }

    @ParameterizedTest(name = "{0}: rank {1}, R {2}, T {3} -> {4}")
    @CsvSource({
            "SPILL_OVER, 7, 4, 6, true", "SPILL_OVER, 6, 4, 6, false", "SPILL_OVER, 0, 1, 1, false",
            "REPLICA_SET, 4, 4, 6, true", "REPLICA_SET, 3, 4, 6, false", "REPLICA_SET, 1, 1, 3, true",
    })
    void whatEachRuleCountsAsBeyondIt(OverReplicationRule rule, int rank, int r, int threshold, boolean beyond) {
        assertThat(rule.beyond(rank, r, threshold)).isEqualTo(beyond);
    }

    /**
     * With an archive bucket, a copy in the bucket a CID is not routed to. A blob of mine absent
     * from its routed bucket is relocated (cleanup, complete view) or left (never pulled); an
     * archive-routed blob's primary copy goes once the archive copy checks out.
     */
    @ParameterizedTest(name = "[{index}] {7} {8}")
    @CsvSource(delimiter = '|', textBlock = """
            # cleanup| complete| mine | archived| cid    | presence | content   | other size| action                  | reason
            true     | true    | true | true    | V1     | ABSENT   | UNCHECKED | 42        | RELOCATE                | RULES
            true     | true    | true | false   | LEGACY | ABSENT   | UNCHECKED | 42        | RELOCATE                | RULES
            false    | true    | true | true    | V1     | ABSENT   | UNCHECKED | 42        | NONE                    | IN_OTHER_BUCKET
            true     | false   | true | true    | V1     | ABSENT   | UNCHECKED | 42        | NONE                    | IN_OTHER_BUCKET
            true     | true    | false| false   | V1     | ABSENT   | UNCHECKED | 42        | NONE                    | NOT_MINE
            true     | true    | true | true    | VARIANT| ABSENT   | UNCHECKED | 42        | NONE                    | VARIANT_NOT_PULLED
            # archive-routed, held in both: the primary copy goes once the archive copy checked out
            true     | true    | true | true    | V1     | PRESENT  | UNCHECKED | 42        | VALIDATE                | RULES
            true     | true    | true | true    | V1     | PRESENT  | VALID     | 42        | DELETE_PRIMARY_DUPLICATE| RULES
            true     | true    | true | true    | V1     | PRESENT  | INVALID   | 42        | DELETE_INVALID          | RULES
            true     | true    | true | true    | V1     | PRESENT  | UNREADABLE| 42        | NONE                    | CONTENT_UNREADABLE
            true     | true    | true | true    | LEGACY | PRESENT  | UNCHECKED | 42        | DELETE_PRIMARY_DUPLICATE| RULES
            true     | true    | true | true    | LEGACY | PRESENT  | UNCHECKED | 41        | ALREADY_HAVE            | RULES
            false    | true    | true | true    | V1     | PRESENT  | VALID     | 42        | ALREADY_HAVE            | RULES
            true     | false   | true | true    | V1     | PRESENT  | VALID     | 42        | ALREADY_HAVE            | RULES
            # primary-routed, held in both: the archive copy is left alone
            true     | true    | true | false   | V1     | PRESENT  | VALID     | 42        | ALREADY_HAVE            | RULES
            """)
    void otherBucketRule(boolean cleanup, boolean complete, boolean mine, boolean archived, String cid, Presence presence,
                         CidFacts.Content content, long otherSize, Action action, Reason reason) {
        CidFactsFixture f = new CidFactsFixture();
        f.cleanup = cleanup;
        f.deletionsAllowed = complete;
        f.mine = mine;
        f.archived = archived;
        f.storeAll = archived;
        f.cid = switch (cid) {
            case "V1" -> CidFactsFixture.V1;
            case "LEGACY" -> CidFactsFixture.LEGACY;
            default -> CidFactsFixture.VARIANT;
        };
        f.presence = presence;
        f.source = Presence.Source.LISTING;
        f.content = content;
        f.other = CidFactsFixture.listedElsewhere(otherSize);

        CidDecision decision = RepairRules.decide(f.build());

        assertThat(decision.action()).isEqualTo(action);
        assertThat(decision.reason()).isEqualTo(reason);
        assertThat(decision.bucket()).isEqualTo(action.deletesOtherCopy() ? "other-bucket" : "blobs");
    }

    /** A relocation's whole way: copied, the copy checked, the source deleted; a bad copy is deleted and pulled again. */
    @ParameterizedTest(name = "{0}: copy {1} bytes -> {2}")
    @CsvSource({
            "V1, 42, VALID, DELETE_RELOCATED_SOURCE",
            "V1, 42, INVALID, DELETE_INVALID",
            "LEGACY, 42, UNCHECKED, DELETE_RELOCATED_SOURCE",
            "LEGACY, 41, UNCHECKED, DELETE_INVALID",
    })
    void relocationChecksTheCopyBeforeTheSourceGoes(String cid, long copySize, CidFacts.Content read, Action afterCheck) {
        CidFactsFixture f = new CidFactsFixture();
        f.cleanup = true;
        f.storeAll = true;
        f.archived = true;
        f.cid = cid.equals("V1") ? CidFactsFixture.V1 : CidFactsFixture.LEGACY;
        f.presence = Presence.ABSENT;
        f.source = Presence.Source.LISTING;
        f.other = CidFactsFixture.listedElsewhere(42);
        assertThat(RepairRules.decide(f.build()).action()).isEqualTo(Action.RELOCATE);

        CidDecision copied = RepairRules.decide(f.build().copiedFromOtherBucket());
        CidDecision checked;
        if (f.cid == CidFactsFixture.V1) {
            assertThat(copied.action()).isEqualTo(Action.VALIDATE);
            checked = RepairRules.decide(copied.facts().content(read));
        } else {
            assertThat(copied.action()).isEqualTo(Action.VERIFY_COPY);
            checked = RepairRules.decide(copied.facts().present(Presence.Source.HEAD_OBJECT,
                    new ObjectFacts(copySize, CidFactsFixture.NOW)));
        }
        assertThat(checked.action()).isEqualTo(afterCheck);

        if (afterCheck == Action.DELETE_RELOCATED_SOURCE) {
            assertThat(checked.bucket()).isEqualTo("other-bucket");
            assertThat(RepairRules.decide(checked.facts().otherCopyDeleted()).action()).isEqualTo(Action.ALREADY_HAVE);
        } else {
            assertThat(checked.bucket()).isEqualTo("blobs");
            // the bad copy deleted, the blob is pulled from the network; the source is not relocated again
            assertThat(RepairRules.decide(checked.facts().absent(Presence.Source.DELETED)).action()).isEqualTo(Action.PULL);
        }
    }

    /** The whole way of an invalid copy of mine: validated, found invalid, deleted, pulled again. */
    @Test
    void validateThenDeleteInvalidThenPullAgain() {
        CidFactsFixture f = new CidFactsFixture();
        f.cleanup = true;
        f.presence = Presence.PRESENT;
        f.source = Presence.Source.LISTING;
        CidDecision listed = RepairRules.decide(f.build());
        assertThat(listed.action()).isEqualTo(Action.VALIDATE);

        CidDecision read = RepairRules.decide(listed.facts().content(CidFacts.Content.INVALID));
        assertThat(read.action()).isEqualTo(Action.DELETE_INVALID);

        CidDecision deleted = RepairRules.decide(read.facts().absent(Presence.Source.DELETED));
        assertThat(deleted.action()).isEqualTo(Action.PULL);
        // the decisions before stay what they were: every step makes a new one
        assertThat(listed.action()).isEqualTo(Action.VALIDATE);
        assertThat(read.facts().presence()).isEqualTo(Presence.PRESENT);
    }

    @Test
    void aHeldBackDecisionKeepsItsFactsAndSaysWhy() {
        CidFactsFixture f = new CidFactsFixture();
        f.presence = Presence.ABSENT;
        f.source = Presence.Source.HEAD_OBJECT;
        CidDecision pull = RepairRules.decide(f.build());

        CidDecision held = pull.heldBack(Reason.DRY_RUN);

        assertThat(held.action()).isEqualTo(Action.NONE);
        assertThat(held.reason()).isEqualTo(Reason.DRY_RUN);
        assertThat(held.facts()).isSameAs(pull.facts());
        assertThat(pull.isPull()).isTrue();
    }

    // --- one pass down the route is enough ------------------------------------------------------

    @Provide
    Arbitrary<CidFacts> anyFacts() {
        Arbitrary<Boolean> bool = Arbitraries.of(true, false);
        Arbitrary<Cid> cids = Arbitraries.of(CidFactsFixture.V1, CidFactsFixture.LEGACY, CidFactsFixture.VARIANT);
        Arbitrary<Long> ages = Arbitraries.of(CidFactsFixture.OLD, CidFactsFixture.YOUNG).injectNull(0.2);
        return Combinators.combine(generic(bool, bool, bool, bool, bool, bool, bool, bool,
                        Arbitraries.of(Presence.class), Arbitraries.of(Presence.Source.class), Arbitraries.of(CidFacts.Content.class),
                        Arbitraries.of(CidFacts.Holders.class), Arbitraries.integers().between(0, 12), cids, ages,
                        Arbitraries.of(OverReplicationRule.class),
                        Arbitraries.of(CidFactsFixture.listedElsewhere(42), CidFactsFixture.listedElsewhere(41),
                                new CidFacts.OtherCopy("other-bucket", new ObjectFacts(42, 0), true)).injectNull(0.4)))
                .as(v -> {
                    CidFactsFixture f = new CidFactsFixture();
                    f.cleanup = (Boolean) v.get(0);
                    f.mine = (Boolean) v.get(1);
                    f.placed = (Boolean) v.get(2);
                    f.storeAll = (Boolean) v.get(3);
                    f.deletionsAllowed = (Boolean) v.get(4);
                    f.headIsTrusted = (Boolean) v.get(5);
                    f.hostsChanged = (Boolean) v.get(6);
                    f.archived = (Boolean) v.get(7);
                    f.presence = (Presence) v.get(8);
                    f.source = (Presence.Source) v.get(9);
                    f.content = (CidFacts.Content) v.get(10);
                    f.holders = (CidFacts.Holders) v.get(11);
                    f.rank = (Integer) v.get(12);
                    f.cid = (Cid) v.get(13);
                    f.ageMillis = (Long) v.get(14);
                    f.overReplication = (OverReplicationRule) v.get(15);
                    f.other = (CidFacts.OtherCopy) v.get(16);
                    return f.build();
                });
    }

    /**
     * Whatever a CID's facts, each step's possible outcomes lead to a later action (in the
     * order of {@link Action}, which is the per-CID route's order) or a terminal one: the route
     * never needs to go back up.
     */
    @Property(tries = 3000)
    void everyStepLeadsFurtherDownTheRoute(@ForAll("anyFacts") CidFacts facts) {
        CidDecision before = RepairRules.decide(facts);
        for (CidFacts learned : outcomesOf(before)) {
            Action after = RepairRules.decide(learned).action();
            assertThat(after.isTerminal() || after.ordinal() > before.action().ordinal())
                    .as("%s after %s", after, before).isTrue();
        }
    }

    /** What each step of the route may learn. */
    private static List<CidFacts> outcomesOf(CidDecision d) {
        CidFacts f = d.facts();
        ObjectFacts head = new ObjectFacts(42, CidFactsFixture.NOW - CidFactsFixture.OLD);
        return switch (d.action()) {
            case LOOK_UP_PRESENCE, CONFIRM_ABSENCE -> List.of(f.present(Presence.Source.HEAD_OBJECT, head),
                    f.absent(Presence.Source.HEAD_OBJECT), f.presenceUnknown());
            case RELOCATE -> List.of(f.copiedFromOtherBucket());
            case VERIFY_COPY -> List.of(f.present(Presence.Source.HEAD_OBJECT, head),
                    f.present(Presence.Source.HEAD_OBJECT, new ObjectFacts(7, head.lastModifiedMillis())),
                    f.absent(Presence.Source.HEAD_OBJECT), f.presenceUnknown());
            case DELETE_RELOCATED_SOURCE, DELETE_PRIMARY_DUPLICATE -> List.of(f.otherCopyDeleted());
            case VALIDATE -> List.of(f.content(CidFacts.Content.VALID), f.content(CidFacts.Content.INVALID),
                    f.content(CidFacts.Content.UNREADABLE));
            case CONFIRM_HOLDERS -> List.of(f.holders(CidFacts.Holders.CONFIRMED), f.holders(CidFacts.Holders.UNCONFIRMED));
            case DELETE_INVALID, DELETE_VARIANT, DELETE_OVER_REPLICATED -> List.of(f.absent(Presence.Source.DELETED));
            default -> List.of();
        };
    }

    private static List<Arbitrary<Object>> generic(Arbitrary<?>... arbitraries) {
        return java.util.Arrays.stream(arbitraries).map(Arbitrary::asGeneric).toList();
    }
}
