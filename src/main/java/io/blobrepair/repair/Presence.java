package io.blobrepair.repair;

/** Whether this node holds a blob, as far as the cycle can tell. */
public enum Presence {
    /** Not looked up yet: the listing does not cover the key. */
    UNCHECKED,
    PRESENT,
    ABSENT,
    /** The check itself failed: never treated as absent, never grounds for an action. */
    UNKNOWN;

    /** Where a presence answer came from; only some sources may ground a deletion. */
    public enum Source {
        /** This cycle's listing (the presence index). */
        LISTING,
        /** The presence store: the last complete listing and our own writes since; never grounds a deletion. */
        STORE,
        /** A HeadObject of this cycle. */
        HEAD_OBJECT,
        /** Written by this node (pulled or pushed) since the listing: present, but without listed facts. */
        WRITTEN,
        /** Deleted by this cycle. */
        DELETED,
        /** Nothing answered yet. */
        NONE
    }
}
