package io.blobrepair.repair;

import java.util.Optional;

/**
 * When the presence store may answer a normal cycle instead of a listing: its last listing was
 * complete (for every bucket of the node), no change of ours since is known to be missing from it,
 * and a liveness sample of {@value #SAMPLE_SIZE} random stored keys, each asked with HeadObject,
 * finds at most a quarter of them gone. A bucket changed behind the store's back (blobs deleted
 * by someone else) fails the sample, and the cycle lists.
 */
public final class PresenceStoreReadiness {

    /** Stored keys asked with HeadObject before a cycle trusts the store. */
    public static final int SAMPLE_SIZE = 64;
    /** The largest share of the sample that may be missing (25%). */
    public static final double MAX_MISSING_SHARE = 0.25;

    /** Ready, or why not, in words for the cycle's log line. */
    public record Verdict(boolean ready, String reason) {
        static Verdict ready(String why) {
            return new Verdict(true, why);
        }

        static Verdict notReady(String why) {
            return new Verdict(false, why);
        }
    }

    private PresenceStoreReadiness() {
    }

    /**
     * Before the sample: whether the store is worth sampling at all.
     *
     * @param everyBucketListed every bucket of the node has been listed into the store
     * @param lastComplete      the last listing into it was complete (for every bucket)
     * @param missedUpdate      a change of ours the store failed to take since, if any
     */
    public static Verdict beforeSample(boolean everyBucketListed, boolean lastComplete, Optional<String> missedUpdate) {
        if (!everyBucketListed) {
            return Verdict.notReady("no complete listing stored yet");
        }
        if (!lastComplete) {
            return Verdict.notReady("the last listing into it was partial");
        }
        if (missedUpdate.isPresent()) {
            return Verdict.notReady(missedUpdate.get());
        }
        return Verdict.ready("last listing complete");
    }

    /**
     * The sample's verdict: {@code missing} of {@code sampled} keys were not found (a HeadObject
     * that failed counts as missing: the store is not trusted on an answer nobody gave).
     */
    public static Verdict afterSample(int sampled, int missing) {
        if (sampled < 0 || missing < 0 || missing > sampled) {
            throw new IllegalArgumentException("missing " + missing + " of " + sampled);
        }
        String seen = missing + " of " + sampled + " sampled keys missing";
        return missing <= sampled * MAX_MISSING_SHARE ? Verdict.ready(seen) : Verdict.notReady(seen + " (over 25%)");
    }
}
