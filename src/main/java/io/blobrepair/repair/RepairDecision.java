package io.blobrepair.repair;

import java.time.Duration;

/**
 * The per-CID repair rules as pure functions from facts to the next step. Two stages, because
 * presence can cost a request: {@link #triage} decides whether presence is worth asking for at
 * all, {@link #act} decides what to do once it is known.
 *
 * <p>Deletion rules (cleanup cycles only): a derived image variant is deleted; a v1 blob whose
 * content does not hash to its CID is deleted; a blob is deleted as over-replicated only when
 * this node's position in the ranking is above the threshold, the upload is not placed, the node
 * is not in store-all mode, presence came from this cycle's own listing or HeadObject (never a
 * cache), and the blob was last modified more than {@link #MIN_AGE_TO_DELETE} ago.
 */
public final class RepairDecision {

    /** A blob younger than this is never deleted as over-replicated: it may still be spreading. */
    public static final Duration MIN_AGE_TO_DELETE = Duration.ofDays(7);

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
        /** Cleanup: read the blob and compare its content with its CID first. */
        VALIDATE,
        /** Cleanup: content does not match the CID. */
        DELETE_INVALID,
        /** Cleanup: a derived image variant (regenerated on demand). */
        DELETE_VARIANT,
        /** Cleanup: more copies than the threshold, this one ranked beyond it. */
        DELETE_OVER_REPLICATED,
        /** Presence could not be established: do nothing this cycle. */
        SKIP_UNKNOWN,
        /** Nothing to do. */
        NONE;

        /** Whether the action needs the per-CID route (S3 or peer requests). */
        public boolean needsWork() {
            return this != ALREADY_HAVE && this != SKIP_UNKNOWN && this != NONE;
        }
    }

    /**
     * What is known about a CID once its presence is.
     *
     * @param position        this node's 1-based position in the ranking (0 when not ranked at all)
     * @param trustedPresence presence (and age) came from this cycle's listing or HeadObject
     * @param validated       content was read and matches the CID (only meaningful for v1 CIDs)
     * @param ageMillis       time since the blob was last modified, when known
     */
    public record Facts(boolean cleanup, boolean mine, boolean placed, boolean storeAll, Presence presence,
                        boolean trustedPresence, boolean hashCheckable, boolean validated, boolean variant,
                        int position, int threshold, Long ageMillis) {
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

    public static Action act(Facts f) {
        switch (f.presence()) {
            case UNKNOWN:
                return Action.SKIP_UNKNOWN;
            case ABSENT:
                return f.mine() ? Action.PULL : Action.NONE;
            default:
                break;
        }
        if (f.cleanup()) {
            if (f.variant()) {
                return Action.DELETE_VARIANT;
            }
            if (f.hashCheckable() && !f.validated()) {
                return Action.VALIDATE;
            }
            if (overReplicated(f)) {
                return Action.DELETE_OVER_REPLICATED;
            }
        }
        return f.mine() ? Action.ALREADY_HAVE : Action.NONE;
    }

    /** The over-replication rule; every condition must hold. */
    static boolean overReplicated(Facts f) {
        return f.cleanup()
                && !f.mine()
                && !f.placed()
                && !f.storeAll()
                && f.trustedPresence()
                && f.position() > f.threshold()
                && f.ageMillis() != null
                && f.ageMillis() > MIN_AGE_TO_DELETE.toMillis();
    }

    /** Derived image variants, e.g. {@code Qm…/150x150.jpg}; the original is never one. */
    public static boolean isDerivedVariant(String cid) {
        return cid.endsWith(".jpg") && !cid.endsWith("original.jpg");
    }
}
