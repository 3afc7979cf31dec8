package io.blobrepair.repair;

/** Why a decision is what it is: the rule that applied, or what held an action back. */
public enum Reason {
    /** The rules chose the action; nothing more to say. */
    RULES,
    /** Not this node's blob, and it is kept (no deletion rule applies). */
    NOT_MINE,
    /** HeadObject failed: presence unknown, so nothing is done this cycle. */
    PRESENCE_UNKNOWN,
    /** Derived image variants are regenerated on demand, never pulled. */
    VARIANT_NOT_PULLED,
    /** The blob could not be read to validate it: kept. */
    CONTENT_UNREADABLE,
    /** This cycle's listing was partial: nothing is deleted on a partial view. */
    PARTIAL_LISTING,
    /** Absent from its routed bucket but in the node's other one: a cleanup cycle relocates it, nothing is pulled. */
    IN_OTHER_BUCKET,
    /** CopyObject into the routed bucket failed: the source stays. */
    RELOCATE_FAILED,
    /** The ranked host list changed since the previous cycle: the owners just moved. */
    HOSTS_CHANGED,
    /** Fewer than R hosts ranked ahead confirmed holding the blob: kept. */
    HOLDERS_UNCONFIRMED,
    /** repair.dry-run: the pull or deletion is only logged. */
    DRY_RUN,
    /** The cycle reached repair.max-delete-fraction. */
    DELETE_BRAKE,
    /** Declared lost and its recheck is not due: not tried again yet. */
    KNOWN_LOST,
    /** Staging the blob would cross repair.pull.staging-reserve: the pull waits for a later cycle. */
    STAGING_FULL,
    /** Written (pulled or pushed) since the batch was triaged. */
    WRITTEN_SINCE_TRIAGE,
    /** The copy was deleted. */
    DELETED,
    /** DeleteObject failed: the copy stays. */
    DELETE_FAILED,
    /** The pull ran (its own counters say how it went). */
    PULL_ATTEMPTED
}
