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
    /** Mine and absent: pull it from peers. */
    PULL,
    /** Mine and held: nothing to repair. */
    ALREADY_HAVE,
    /** Nothing (more) to do; the decision's reason says why. */
    NONE;

    public boolean isDelete() {
        return this == DELETE_INVALID || this == DELETE_VARIANT || this == DELETE_OVER_REPLICATED;
    }

    public boolean isTerminal() {
        return this == ALREADY_HAVE || this == NONE;
    }
}
