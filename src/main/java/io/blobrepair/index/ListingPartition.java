package io.blobrepair.index;

import java.util.List;

/**
 * One partition of a {@link BucketListing} — a key prefix, or a key range planned from the last
 * listing — which keys it lists, how far it got, and how it ended: listed to its end, failed on a
 * page, or (a prefix) split by its next character into {@link #subPartitions()} that list the
 * rest. Only the thread listing it changes it.
 */
public final class ListingPartition {

    private enum State { LISTING, DONE, FAILED, SPLIT }

    final int bucket;
    final String prefix;
    /** Keys up to this one (exclusive start) were listed before this partition began; null: from the prefix's first key. */
    final String startAfter;
    /** A key range's last key (inclusive), null when it runs to the bucket's end; unused for a prefix. */
    final String endAt;
    /** A key range (after {@link #startAfter}, up to {@link #endAt}) rather than a prefix; never split. */
    final boolean range;
    private String token;
    private String lastKey;
    private long keysListed;
    private State state = State.LISTING;
    private List<ListingPartition> subPartitions = List.of();

    /** A prefix partition, opened after {@code startAfter} when not null. */
    ListingPartition(int bucket, String prefix, String startAfter) {
        this(bucket, prefix, startAfter, null, false);
    }

    private ListingPartition(int bucket, String prefix, String startAfter, String endAt, boolean range) {
        this.bucket = bucket;
        this.prefix = prefix;
        this.startAfter = startAfter;
        this.endAt = endAt;
        this.range = range;
    }

    /** The keys after {@code after} up to {@code endAt} (inclusive); a null bound is open. */
    static ListingPartition range(int bucket, String after, String endAt) {
        return new ListingPartition(bucket, "", after, endAt, true);
    }

    /** Whether {@code key}, listed by this partition, lies past its end: the next range's. */
    boolean pastEnd(String key) {
        return range && endAt != null && key.compareTo(endAt) > 0;
    }

    /** Whether {@code key} is its last: a range whose end key was listed is done. */
    boolean isEnd(String key) {
        return range && endAt != null && endAt.equals(key);
    }

    /** Whether the next page is to be listed: the partition has neither ended nor been split. */
    public boolean hasMorePages() {
        return state == State.LISTING;
    }

    /** Whether it was split: its {@link #subPartitions()} list the rest. */
    public boolean isSplit() {
        return state == State.SPLIT;
    }

    public List<ListingPartition> subPartitions() {
        return subPartitions;
    }

    String token() {
        return token;
    }

    String lastKey() {
        return lastKey;
    }

    long keysListed() {
        return keysListed;
    }

    /** A page listed: {@code count} keys up to {@code last}; {@code next} continues it, null ends it. */
    void listed(int count, String last, String next) {
        keysListed += count;
        if (last != null) {
            lastKey = last;
        }
        token = next;
        if (next == null) {
            state = State.DONE;
        }
    }

    void failed() {
        state = State.FAILED;
    }

    void split(List<ListingPartition> rest) {
        state = State.SPLIT;
        subPartitions = List.copyOf(rest);
    }

    boolean hasFailed() {
        return state == State.FAILED;
    }

    /**
     * What it vouches for: everything under its prefix when done; up to the last key it reached
     * when split or failed (a partition that listed nothing reached its start key, which the
     * partition before it listed); nothing when it reached no key at all. A key range vouches
     * for its keys only (after its start), up to its end when done.
     */
    ListingCoverage.Part coverage() {
        if (range) {
            return state == State.DONE ? ListingCoverage.Part.completeRange(startAfter, endAt)
                    : new ListingCoverage.Part(prefix, startAfter, lastKey, lastKey != null, false);
        }
        if (state == State.DONE) {
            return ListingCoverage.Part.complete(prefix);
        }
        String reached = lastKey != null ? lastKey : startAfter;
        return reached == null ? new ListingCoverage.Part(prefix, null, false) : new ListingCoverage.Part(prefix, reached, true);
    }
}
