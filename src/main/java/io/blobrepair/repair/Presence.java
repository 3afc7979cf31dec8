package io.blobrepair.repair;

/** Whether this node holds a blob, as far as the cycle can tell. */
public enum Presence {
    PRESENT,
    ABSENT,
    /** The check itself failed: never treated as absent, never grounds for an action. */
    UNKNOWN
}
