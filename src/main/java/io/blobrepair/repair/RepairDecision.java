package io.blobrepair.repair;

/**
 * The per-CID repair rules as pure functions from facts to the next step. Two stages, because
 * presence can cost a request: {@link #triage} decides whether presence is worth asking for at
 * all, {@link #act} decides what to do once it is known.
 */
public final class RepairDecision {

    public enum Triage {
        /** The same key was handled earlier in this cycle. */
        DUPLICATE,
        /** Not mine, and only cleanup cycles look at blobs that are not mine. */
        NOT_MINE,
        /** Written by this node since the listing; no need to ask. */
        KNOWN_PRESENT,
        CHECK_PRESENCE
    }

    public enum Action {
        /** Mine and held: nothing to repair. */
        ALREADY_HAVE,
        /** Mine and missing: pull from peers. */
        PULL,
        /** Presence could not be established: do nothing this cycle. */
        SKIP_UNKNOWN,
        /** Not mine and not held, or not mine and held outside cleanup: nothing to do. */
        NONE
    }

    private RepairDecision() {
    }

    public static Triage triage(boolean seenThisCycle, boolean mine, boolean cleanup, boolean knownPresent) {
        if (seenThisCycle) {
            return Triage.DUPLICATE;
        }
        if (!mine && !cleanup) {
            return Triage.NOT_MINE;
        }
        if (!cleanup && knownPresent) {
            return Triage.KNOWN_PRESENT;
        }
        return Triage.CHECK_PRESENCE;
    }

    public static Action act(boolean mine, Presence presence) {
        return switch (presence) {
            case UNKNOWN -> Action.SKIP_UNKNOWN;
            case PRESENT -> mine ? Action.ALREADY_HAVE : Action.NONE;
            case ABSENT -> mine ? Action.PULL : Action.NONE;
        };
    }
}
