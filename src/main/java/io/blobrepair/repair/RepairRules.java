package io.blobrepair.repair;

import io.blobrepair.placement.Placement;

import java.time.Duration;

/**
 * The per-CID repair rules, as one pure function from a CID's facts to a decision, by the
 * reference network's rules (#202) and this service's extra brakes.
 *
 * <ul>
 *   <li>Presence first: a key the listing does not cover is looked up (HeadObject); an unknown
 *       presence (the lookup failed) leads to nothing.</li>
 *   <li>Absent: a blob of this node's is pulled, after one HeadObject confirms the listing's (or
 *       the presence store's) "absent" (the node may have written it since); derived image
 *       variants are never pulled.</li>
 *   <li>Cleanup cycles, on a complete view only: a v1 blob is validated first and deleted when its
 *       content does not match its CID; derived variants are deleted; a copy beyond what the
 *       configured {@link OverReplicationRule} keeps (#202: 0-based rank &gt; T; newer reference
 *       versions: rank &ge; R) is deleted when it is not this node's (a recent upload kept by
 *       store-recent is this node's),
 *       not placed, the node is not in store-all mode, not archive-routed, its presence and age come
 *       from this cycle's listing (or HeadObject as the configured source), it was last modified
 *       more than {@link #MIN_AGE_TO_DELETE} ago, the host list did not just change, and at least
 *       R hosts ranked ahead confirmed holding it.</li>
 *   <li>With an archive bucket (issue 17): a blob of this node's absent from the bucket it is routed
 *       to but listed in the other one is not pulled; a cleanup cycle on a complete view relocates
 *       it (copy, check the copy: validated for v1, same size for legacy, then delete the source), and
 *       deletes an archive-routed blob's primary copy once the archive copy checks out.</li>
 * </ul>
 */
public final class RepairRules {

    /** A blob younger than this is never deleted as over-replicated: it may still be spreading. */
    public static final Duration MIN_AGE_TO_DELETE = Duration.ofDays(7);

    private RepairRules() {
    }

    public static CidDecision decide(CidFacts f) {
        return switch (f.presence()) {
            case UNCHECKED -> act(f, Action.LOOK_UP_PRESENCE);
            case UNKNOWN -> none(f, Reason.PRESENCE_UNKNOWN);
            case ABSENT -> absent(f);
            case PRESENT -> present(f);
        };
    }

    private static CidDecision absent(CidFacts f) {
        boolean deleted = f.source() == Presence.Source.DELETED;
        if (!f.placement().mine()) {
            return none(f, deleted ? Reason.DELETED : Reason.NOT_MINE);
        }
        if (f.variant()) {
            return none(f, deleted ? Reason.DELETED : Reason.VARIANT_NOT_PULLED);
        }
        if (f.other() != null && !f.other().copied()) {
            // an invalid routed copy just deleted: the other copy is relocated by the next cleanup
            boolean relocate = f.cycle().cleanup() && f.cycle().deletionsAllowed() && !deleted;
            return relocate ? act(f, Action.RELOCATE) : none(f, Reason.IN_OTHER_BUCKET);
        }
        // a listing's or the store's "absent" may be stale: confirmed with HeadObject before the pull
        boolean viewed = f.source() == Presence.Source.LISTING || f.source() == Presence.Source.STORE;
        return act(f, viewed ? Action.CONFIRM_ABSENCE : Action.PULL);
    }

    private static CidDecision present(CidFacts f) {
        CycleFacts cycle = f.cycle();
        if (cycle.cleanup() && cycle.deletionsAllowed()) {
            if (f.content() == CidFacts.Content.UNREADABLE) {
                return none(f, Reason.CONTENT_UNREADABLE);
            }
            if (f.content() == CidFacts.Content.INVALID) {
                return act(f, Action.DELETE_INVALID);
            }
            if (f.content() == CidFacts.Content.UNCHECKED && f.hashCheckable()) {
                return act(f, Action.VALIDATE);
            }
            if (f.variant()) {
                return act(f, Action.DELETE_VARIANT);
            }
            if (f.other() != null && f.other().copied()) {
                return relocatedCopy(f);
            }
            if (primaryDuplicate(f)) {
                return act(f, Action.DELETE_PRIMARY_DUPLICATE);
            }
            if (overReplicated(f)) {
                if (cycle.hostsChanged()) {
                    return none(f, Reason.HOSTS_CHANGED);
                }
                return switch (f.holders()) {
                    case NOT_ASKED -> act(f, Action.CONFIRM_HOLDERS);
                    case CONFIRMED -> act(f, Action.DELETE_OVER_REPLICATED);
                    case UNCONFIRMED -> none(f, Reason.HOLDERS_UNCONFIRMED);
                };
            }
        }
        return f.placement().mine() ? act(f, Action.ALREADY_HAVE) : none(f, Reason.NOT_MINE);
    }

    /**
     * A copy this cycle made from the other bucket: a v1 copy has been validated by now (an invalid
     * one is deleted above); a legacy one is checked by its size, as HeadObject reports it.
     */
    private static CidDecision relocatedCopy(CidFacts f) {
        if (f.hashCheckable()) {
            return act(f, Action.DELETE_RELOCATED_SOURCE);
        }
        if (f.source() != Presence.Source.HEAD_OBJECT) {
            return act(f, Action.VERIFY_COPY);
        }
        return act(f, f.object().size() == f.other().listed().size() ? Action.DELETE_RELOCATED_SOURCE : Action.DELETE_INVALID);
    }

    /**
     * An archive-routed blob also listed in the primary bucket, its archive copy listed and
     * confirmed: validated this cycle (v1), or of the primary copy's size (legacy).
     */
    static boolean primaryDuplicate(CidFacts f) {
        return f.archived()
                && f.other() != null
                && f.source() == Presence.Source.LISTING
                && (f.hashCheckable() ? f.content() == CidFacts.Content.VALID : f.object().size() == f.other().listed().size());
    }

    /** Every condition of an over-replicated copy, before asking the hosts ahead. */
    static boolean overReplicated(CidFacts f) {
        Placement p = f.placement();
        Long age = f.ageMillis();
        return !p.mine()
                && !p.placed()
                && !f.cycle().storeAll()
                && !f.archived()
                && f.trustedPresence()
                && f.cycle().overReplication().beyond(p.rank(), f.cycle().replicationFactor(), f.cycle().threshold())
                && age != null
                && age > MIN_AGE_TO_DELETE.toMillis();
    }

    private static CidDecision act(CidFacts f, Action action) {
        return new CidDecision(f, action, Reason.RULES);
    }

    private static CidDecision none(CidFacts f, Reason why) {
        return new CidDecision(f, Action.NONE, why);
    }
}
