package io.blobrepair.index;

import java.util.List;

/**
 * One key-prefix partition of a {@link BucketListing}: which keys it lists, how far it got, and
 * how it ended — listed to its end, failed on a page, or split by its next character into
 * {@link #subPartitions()} that list the rest. Only the thread listing it changes it.
 */
public final class ListingPartition {

    private enum State { LISTING, DONE, FAILED, SPLIT }

    final int bucket;
    final String prefix;
    /** Keys up to this one (exclusive start) were listed before this partition began; null: from the prefix's first key. */
    final String startAfter;
    private String token;
    private String lastKey;
    private long keysListed;
    private State state = State.LISTING;
    private List<ListingPartition> subPartitions = List.of();

    ListingPartition(int bucket, String prefix, String startAfter) {
        this.bucket = bucket;
        this.prefix = prefix;
        this.startAfter = startAfter;
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
     * partition before it listed); nothing when it reached no key at all.
     */
    ListingCoverage.Part coverage() {
        if (state == State.DONE) {
            return ListingCoverage.Part.complete(prefix);
        }
        String reached = lastKey != null ? lastKey : startAfter;
        return reached == null ? new ListingCoverage.Part(prefix, null, false) : new ListingCoverage.Part(prefix, reached, true);
    }
}
