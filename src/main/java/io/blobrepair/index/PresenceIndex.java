package io.blobrepair.index;

import java.time.Instant;
import java.util.HashMap;
import java.util.Map;

/**
 * The bucket's keys as one listing saw them: key → size and last-modified, O(1) lookup.
 *
 * <p>An index whose listing failed is {@linkplain #available() unavailable}: it answers nothing,
 * and presence checks go to per-key HeadObject instead. A key deleted during the cycle is
 * {@linkplain #markAbsent(String) marked absent} so the rest of the cycle never trusts a stale
 * "present".
 */
public final class PresenceIndex {

    private final Map<String, ObjectFacts> entries;
    private final String failure;
    private final Instant builtAt;
    private final long totalBytes;

    private PresenceIndex(Map<String, ObjectFacts> entries, String failure, Instant builtAt) {
        this.entries = entries;
        this.totalBytes = entries.values().stream().mapToLong(ObjectFacts::size).sum();
        this.failure = failure;
        this.builtAt = builtAt;
    }

    public static PresenceIndex of(Map<String, ObjectFacts> entries, Instant builtAt) {
        return new PresenceIndex(entries, null, builtAt);
    }

    public static PresenceIndex unavailable(String failure, Instant at) {
        return new PresenceIndex(new HashMap<>(), failure, at);
    }

    public boolean available() {
        return failure == null;
    }

    /** Why the listing failed, or null. */
    public String failure() {
        return failure;
    }

    public Instant builtAt() {
        return builtAt;
    }

    /** The listed facts of {@code key}, or null when the listing did not see it. */
    public ObjectFacts lookup(String key) {
        return entries.get(key);
    }

    public int entries() {
        return entries.size();
    }

    /** Bytes the listing counted: the node's used space. */
    public long totalBytes() {
        return totalBytes;
    }

    public synchronized void markAbsent(String key) {
        entries.remove(key);
    }
}
