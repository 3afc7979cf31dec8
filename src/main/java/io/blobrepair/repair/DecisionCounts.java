package io.blobrepair.repair;

/**
 * The counters a change of decision moves, in one place, so each is counted once per CID and
 * with the reference's meaning: {@code pull_mine_needed} once a pull is due (after any HeadObject
 * confirmed the absence), {@code already_have} once a present, valid, non-variant blob is settled
 * (whether or not it is then deleted as over-replicated, as the reference counts it), and one
 * counter per reason an action was held back.
 */
public final class DecisionCounts {

    private DecisionCounts() {
    }

    /** Decides again from what a step learned, and counts the change. */
    public static CidDecision next(CidDecision before, CidFacts learned, CycleState cycle) {
        return replace(before, RepairRules.decide(learned), cycle);
    }

    /** Counts a step's new decision (a held-back action, say) and returns it. */
    public static CidDecision replace(CidDecision before, CidDecision after, CycleState cycle) {
        count(before, after, cycle);
        return after;
    }

    /**
     * @param before the previous decision of the same CID, or null for its first one
     */
    public static void count(CidDecision before, CidDecision after, CycleState cycle) {
        RepairCounters counters = cycle.getCounters();
        Action was = before == null ? null : before.action();
        Action now = after.action();
        if (now != was) {
            switch (now) {
                case PULL -> counters.increment(RepairCounter.PULL_MINE_NEEDED);
                case DELETE_INVALID -> counters.increment(RepairCounter.DELETE_INVALID_NEEDED);
                case CONFIRM_HOLDERS -> counters.increment(RepairCounter.DELETE_OVER_REPLICATED_NEEDED);
                case DELETE_PRIMARY_DUPLICATE -> counters.increment(RepairCounter.ARCHIVE_PRIMARY_DUPLICATE_NEEDED);
                case NONE -> countHeldBack(after.reason(), counters);
                default -> { }
            }
        }
        CidFacts f = after.facts();
        if ((was == Action.VALIDATE || was == Action.VERIFY_COPY) && now != Action.DELETE_RELOCATED_SOURCE
                && f.other() != null && f.other().copied()) {
            // the relocated copy did not check out: the source stays
            counters.increment(RepairCounter.RELOCATE_BETWEEN_BUCKETS_FAIL);
        }
        boolean presentBefore = before != null && before.facts().presence() == Presence.PRESENT;
        if (f.presence() == Presence.PRESENT && !presentBefore && f.object() != null) {
            cycle.presentSeen();
        }
        if (settledPresent(after) && (before == null || !settledPresent(before))) {
            counters.increment(RepairCounter.ALREADY_HAVE);
            if (f.object() != null) {
                cycle.addContentSize(f.object().size());
            }
        }
    }

    /** Present, valid (or not checkable) and not a variant, with nothing left to learn about its content. */
    static boolean settledPresent(CidDecision d) {
        CidFacts f = d.facts();
        return f.presence() == Presence.PRESENT
                && !f.variant()
                && (f.content() == CidFacts.Content.VALID || (f.content() == CidFacts.Content.UNCHECKED
                        && !(f.cycle().cleanup() && f.cycle().deletionsAllowed() && f.hashCheckable())))
                && d.action().ordinal() >= Action.CONFIRM_HOLDERS.ordinal()
                && d.action() != Action.PULL;
    }

    private static void countHeldBack(Reason reason, RepairCounters counters) {
        switch (reason) {
            case HOSTS_CHANGED -> counters.increment(RepairCounter.HOSTS_CHANGED_NO_DELETE);
            case HOLDERS_UNCONFIRMED -> counters.increment(RepairCounter.OVER_REPLICATED_UNCONFIRMED);
            case DRY_RUN -> counters.increment(RepairCounter.DRY_RUN_SKIPPED);
            case IN_OTHER_BUCKET -> counters.increment(RepairCounter.OTHER_BUCKET_ONLY);
            case KNOWN_LOST -> counters.increment(RepairCounter.PULL_LOST_SKIPPED);
            case STAGING_FULL -> counters.increment(RepairCounter.PULL_STAGING_FULL);
            case WRITTEN_SINCE_TRIAGE -> {
                counters.increment(RepairCounter.REPAIR_KNOWN_PRESENT);
                counters.increment(RepairCounter.ALREADY_HAVE);
            }
            default -> { }
        }
    }
}
