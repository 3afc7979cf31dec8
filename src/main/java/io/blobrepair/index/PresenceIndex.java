package io.blobrepair.index;

import java.time.Instant;

/**
 * The bucket's keys as one listing saw them: key → size and last-modified, O(1) lookup, about
 * 40 bytes per key ({@link CompactKeyTable}: keys are kept as 128-bit hashes, never as strings).
 *
 * <p>Its {@link ListingCoverage} says which keys it can answer for: all of them after a complete
 * listing, those up to where each partition got after a partial one, none when the listing
 * failed outright or was not made ({@code repair.presence=head}). Keys it does not cover go to
 * per-key HeadObject. A key deleted during the cycle is {@linkplain #markAbsent(String) marked
 * absent} so the rest of the cycle never trusts a stale "present".
 */
public final class PresenceIndex {

    private final CompactKeyTable entries;
    private final ListingCoverage coverage;
    private final Instant builtAt;
    private final long totalBytes;
    private final PresenceFilter filter;

    private PresenceIndex(CompactKeyTable entries, long totalBytes, ListingCoverage coverage, Instant builtAt, PresenceFilter filter) {
        this.entries = entries;
        this.totalBytes = totalBytes;
        this.coverage = coverage;
        this.builtAt = builtAt;
        this.filter = filter;
    }

    /** Collects the listed keys of one index, and the Bloom filter of them peers are served. */
    public static final class Builder {
        private final CompactKeyTable entries;
        private final com.google.common.hash.BloomFilter<CharSequence> filter;
        private long totalBytes;

        private Builder(int expected) {
            entries = new CompactKeyTable(expected);
            filter = PresenceFilter.newFilter(expected);
        }

        public void put(String key, long size, long lastModifiedMillis) {
            entries.put(key, size, lastModifiedMillis);
            filter.put(key);
            totalBytes += size;
        }

        /** A filter only comes with a complete listing: a partial one would say "absent" wrongly. */
        public PresenceIndex build(ListingCoverage coverage, Instant builtAt) {
            return new PresenceIndex(entries, totalBytes, coverage, builtAt,
                    coverage.isComplete() ? PresenceFilter.of(filter, builtAt) : null);
        }
    }

    public static Builder builder(int expectedEntries) {
        return new Builder(expectedEntries);
    }

    /** No listing: every presence check goes to HeadObject. */
    public static PresenceIndex unavailable(Instant at) {
        return new PresenceIndex(new CompactKeyTable(0), 0, ListingCoverage.none(), at, null);
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
        int slot = entries.find(key);
        return slot < 0 ? null : new ObjectFacts(entries.size(slot), entries.lastModified(slot));
    }

    public int entries() {
        return entries.entries();
    }

    /** Bytes the listing counted: the node's used space (complete listings only). */
    public long totalBytes() {
        return totalBytes;
    }

    public void markAbsent(String key) {
        entries.remove(key);
    }

    /** Whether the listing of {@code bucket} saw every key that could be {@code key}. */
    public boolean covers(String bucket, String key) {
        return covers(key);
    }

    /** The listed facts of {@code key} in {@code bucket}, or null when the listing did not see it. */
    public ObjectFacts lookup(String bucket, String key) {
        return lookup(key);
    }

    public void markAbsent(String bucket, String key) {
        markAbsent(key);
    }
}
