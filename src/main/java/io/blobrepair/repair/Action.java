package io.blobrepair.repair;

/**
 * What the per-CID route does next for a CID. Declared in the order the route's steps come:
 * every step leads to a later action or to a terminal one, so one pass down the route is enough
 * ({@code RepairRulesTest} checks it).
 */
public enum Action {
    /** HeadObject: the listing did not cover the key (or there is no listing). */
    LOOK_UP_PRESENCE,
    /** HeadObject before a pull: the node itself may have written the blob since the listing. */
    CONFIRM_ABSENCE,
    /** Cleanup: mine, absent from its routed bucket, listed in the other one: copy it across (server-side). */
    RELOCATE,
    /** HeadObject the relocated copy: a legacy CID's content cannot be hashed, so its size must match the source's. */
    VERIFY_COPY,
    /** Cleanup: read the blob and compare its content with its CID. */
    VALIDATE,
    /** Cleanup: ask the hosts ranked ahead whether they hold the blob before deleting this copy. */
    CONFIRM_HOLDERS,
    /** Cleanup: content does not match the CID. */
    DELETE_INVALID,
    /** Cleanup: a derived image variant (regenerated on demand). */
    DELETE_VARIANT,
    /** Cleanup: more copies than the threshold, this one ranked beyond it, R holders ahead confirmed. */
    DELETE_OVER_REPLICATED,
    /** Cleanup: the relocated copy checked out; the source in the other bucket goes. */
    DELETE_RELOCATED_SOURCE,
    /** Cleanup: an archive-routed blob also in the primary bucket; the archive copy checked out. */
    DELETE_PRIMARY_DUPLICATE,
    /** Mine and absent: pull it from peers. */
    PULL,
    /** Mine and held: nothing to repair. */
    ALREADY_HAVE,
    /** Nothing (more) to do; the decision's reason says why. */
    NONE;

    public boolean isDelete() {
        return this == DELETE_INVALID || this == DELETE_VARIANT || this == DELETE_OVER_REPLICATED || deletesOtherCopy();
    }

    /** Whether the action deletes the copy in the other bucket rather than the routed bucket's. */
    public boolean deletesOtherCopy() {
        return this == DELETE_RELOCATED_SOURCE || this == DELETE_PRIMARY_DUPLICATE;
    }

    public boolean isTerminal() {
        return this == ALREADY_HAVE || this == NONE;
    }
}
