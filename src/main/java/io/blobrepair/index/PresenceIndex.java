package io.blobrepair.index;

import java.time.Instant;
import java.util.Collection;
import java.util.Objects;
import java.util.Optional;

/**
 * The bucket's keys as one listing saw them: key → size and last-modified, in a
 * {@link ListedKeyTable} (about 38 bytes per key; keys are kept as 128-bit hashes, never as
 * strings). On a store-all node with an archive bucket ({@code repair.s3.archive-bucket}) it holds
 * both buckets' keys, each scoped by its bucket: {@link #lookup(String, String)} and the other
 * two-argument forms name the bucket; the one-argument forms ask about the primary bucket.
 *
 * <p>Its {@link ListingCoverage} (one per bucket) says which keys it can answer for: all of them
 * after a complete listing, those up to where each partition got after a partial one, none when
 * the listing failed outright or was not made ({@code repair.presence=head}). Keys it does not
 * cover go to per-key HeadObject. A key deleted during the cycle is {@linkplain #markAbsent(String)
 * marked absent} so the rest of the cycle never trusts a stale "present".
 */
public final class PresenceIndex implements PresenceAnswers {

    private final ListedKeyTable keys;
    private final String bucket;
    private final String archiveBucket;
    private final ListingCoverage coverage;
    private final ListingCoverage archiveCoverage;
    private final Instant builtAt;
    private final long totalBytes;
    private final PresenceFilter filter;
    private final ListingStats stats;

    PresenceIndex(ListedKeyTable keys, String bucket, String archiveBucket, ListingCoverage coverage,
                  ListingCoverage archiveCoverage, Instant builtAt, long totalBytes, PresenceFilter filter,
                  ListingStats stats) {
        this.keys = keys;
        this.bucket = bucket;
        this.archiveBucket = archiveBucket;
        this.coverage = coverage;
        this.archiveCoverage = archiveCoverage;
        this.builtAt = builtAt;
        this.totalBytes = totalBytes;
        this.filter = filter;
        this.stats = stats;
    }

    /** No listing: every presence check, in any bucket, goes to HeadObject. */
    public static PresenceIndex unavailable(Instant at) {
        return new PresenceIndex(ListedKeyTable.empty(), null, null, ListingCoverage.none(), ListingCoverage.none(), at, 0,
                null, ListingStats.NONE);
    }

    /** Whether the index answers for at least some keys. */
    public boolean available() {
        return coverage.coversAnything() || archiveCoverage.coversAnything();
    }

    /** Whether the listing saw every key of the primary bucket that could be {@code key}: then a miss means absent. */
    public boolean covers(String key) {
        return coverage.covers(key);
    }

    /** The whole bucket is in memory already: no batch needs reading. */
    @Override
    public PresenceAnswers forKeys(Collection<String> storageKeys) {
        return this;
    }

    @Override
    public boolean fromStore() {
        return false;
    }

    /** As {@link #covers(String)}, in {@code bucket} (the primary or the archive bucket). */
    @Override
    public boolean covers(String bucket, String key) {
        long scope = scope(bucket);
        return scope >= 0 && (scope == 0 ? coverage : archiveCoverage).covers(key);
    }

    /** The listed facts of {@code key} in the primary bucket, or null when the listing did not see it. */
    public ObjectFacts lookup(String key) {
        return lookup(key, 0);
    }

    /** As {@link #lookup(String)}, in {@code bucket}. */
    @Override
    public ObjectFacts lookup(String bucket, String key) {
        long scope = scope(bucket);
        return scope < 0 ? null : lookup(key, scope);
    }

    private ObjectFacts lookup(String key, long scope) {
        KeyHash h = KeyHash.of(key);
        int cell = keys.find(h.hi(), h.lo(), scope);
        return cell < 0 ? null : new ObjectFacts(keys.size(cell), keys.lastModified(cell));
    }

    /** The blob is gone from the primary bucket: later lookups in this cycle find it absent. Thread-safe. */
    public void markAbsent(String key) {
        markAbsent(key, 0);
    }

    /** As {@link #markAbsent(String)}, in {@code bucket}. */
    @Override
    public void markAbsent(String bucket, String key) {
        long scope = scope(bucket);
        if (scope >= 0) {
            markAbsent(key, scope);
        }
    }

    private void markAbsent(String key, long scope) {
        KeyHash h = KeyHash.of(key);
        keys.markAbsent(h.hi(), h.lo(), scope);
    }

    /** The keys this cycle has handled, keyed on this index's cells (see {@link SeenKeys}). */
    public SeenKeys newSeenKeys() {
        return new SeenKeys(keys, archiveBucket != null);
    }

    /** The Bloom filter of a complete listing (of both buckets with an archive bucket), to serve to peers. */
    public Optional<PresenceFilter> filter() {
        return Optional.ofNullable(filter);
    }

    public Instant builtAt() {
        return builtAt;
    }

    /** Listed keys still present, in both buckets. */
    public int entries() {
        return keys.entries();
    }

    /** Bytes the listing counted in the primary bucket: the node's used space (complete listings only). */
    public long totalBytes() {
        return totalBytes;
    }

    /** How the listing went: requests, partitions, splits. */
    public ListingStats stats() {
        return stats;
    }

    /**
     * 0 for the primary bucket, {@link ListedKeyTable#ARCHIVE} for the archive bucket; -1 for any
     * bucket of an {@linkplain #unavailable unavailable} index, which covers nothing.
     *
     * @throws IllegalArgumentException for a bucket this index did not list
     */
    private long scope(String name) {
        Objects.requireNonNull(name, "bucket");
        if (name.equals(bucket)) {
            return 0;
        }
        if (name.equals(archiveBucket)) {
            return ListedKeyTable.ARCHIVE;
        }
        if (bucket == null) {
            return -1;
        }
        throw new IllegalArgumentException("not a bucket of this presence index: " + name);
    }
}
