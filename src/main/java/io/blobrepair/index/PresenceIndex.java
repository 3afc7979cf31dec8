package io.blobrepair.index;

import java.time.Instant;
import java.util.HashMap;
import java.util.Map;

/**
 * The bucket's keys as one listing saw them: key → size and last-modified, O(1) lookup.
 *
 * <p>Its {@link ListingCoverage} says which keys it can answer for: all of them after a complete
 * listing, those up to where each partition got after a partial one, none when the listing
 * failed outright or was not made ({@code repair.presence=head}). Keys it does not cover go to
 * per-key HeadObject. A key deleted during the cycle is {@linkplain #markAbsent(String) marked
 * absent} so the rest of the cycle never trusts a stale "present".
 */
public final class PresenceIndex {

    private final Map<String, ObjectFacts> entries;
    private final ListingCoverage coverage;
    private final Instant builtAt;
    private final long totalBytes;
    private final PresenceFilter filter;

    private PresenceIndex(Map<String, ObjectFacts> entries, ListingCoverage coverage, Instant builtAt, PresenceFilter filter) {
        this.entries = entries;
        this.coverage = coverage;
        this.builtAt = builtAt;
        this.filter = filter;
        this.totalBytes = entries.values().stream().mapToLong(ObjectFacts::size).sum();
    }

    /** Collects the listed keys of one index, and the Bloom filter of them peers are served. */
    public static final class Builder {
        private final Map<String, ObjectFacts> entries;
        private final com.google.common.hash.BloomFilter<CharSequence> filter;

        private Builder(int expected) {
            entries = new HashMap<>(expected * 4 / 3 + 16);
            filter = PresenceFilter.newFilter(expected);
        }

        public void put(String key, long size, long lastModifiedMillis) {
            entries.put(key, new ObjectFacts(size, lastModifiedMillis));
            filter.put(key);
        }

        /** A filter only comes with a complete listing: a partial one would say "absent" wrongly. */
        public PresenceIndex build(ListingCoverage coverage, Instant builtAt) {
            return new PresenceIndex(entries, coverage, builtAt, coverage.isComplete() ? PresenceFilter.of(filter, builtAt) : null);
        }
    }

    public static Builder builder(int expectedEntries) {
        return new Builder(expectedEntries);
    }

    /** No listing: every presence check goes to HeadObject. */
    public static PresenceIndex unavailable(Instant at) {
        return new PresenceIndex(new HashMap<>(), ListingCoverage.none(), at, null);
    }

    /** Whether the index answers for at least some keys. */
    public boolean available() {
        return coverage.coversAnything();
    }

    /** Whether the listing saw every key that could be {@code key}: then a miss means absent. */
    public boolean covers(String key) {
        return coverage.covers(key);
    }

    /** The Bloom filter of a complete listing, to serve to peers. */
    public java.util.Optional<PresenceFilter> filter() {
        return java.util.Optional.ofNullable(filter);
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

    /** Bytes the listing counted: the node's used space (complete listings only). */
    public long totalBytes() {
        return totalBytes;
    }

    public synchronized void markAbsent(String key) {
        entries.remove(key);
    }
}
