package io.blobrepair.index;

import java.util.Collection;

/**
 * What a cycle asks about presence, whoever answers: this cycle's listing ({@link PresenceIndex},
 * the whole bucket in memory) or the presence store ({@code repair.presence.source=store}), read
 * a batch of keys at a time. The batch triage asks {@link #forKeys} once per batch of work items
 * and then only about those keys.
 */
public interface PresenceAnswers {

    /** Answers for {@code storageKeys} (in any of the node's buckets): the index itself, or one read of the store. */
    PresenceAnswers forKeys(Collection<String> storageKeys);

    /** Whether a miss of {@code key} in {@code bucket} means absent. */
    boolean covers(String bucket, String key);

    /** The facts of {@code key} in {@code bucket}, or null when not present there. */
    ObjectFacts lookup(String bucket, String key);

    /** The blob is gone from {@code bucket}: later lookups in this cycle find it absent. */
    void markAbsent(String bucket, String key);

    /**
     * Whether the answers come from the presence store: a view kept between listings, which
     * never grounds a deletion (only this cycle's listing, or HeadObject as the configured source, may).
     */
    boolean fromStore();
}
