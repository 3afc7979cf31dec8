package io.blobrepair.index;

/**
 * Where a listing's keys go besides the index, page by page (the presence store,
 * {@code repair.presence.source=store}): the index keeps key hashes only, a store needs the keys.
 * Pages may come from several partitions at once. Nothing of a page is kept after {@link #page}.
 */
public interface ListingCapture {

    /** No capture ({@code repair.presence.source=listing}). */
    ListingCapture NONE = new ListingCapture() {
        @Override
        public void page(String bucket, String[] keys, long[] sizes, long[] lastModifiedMillis, int count) {
        }

        @Override
        public void complete() {
        }

        @Override
        public void abandon() {
        }
    };

    /** The first {@code count} keys of one listed page of {@code bucket}, with their sizes and last-modified times. */
    void page(String bucket, String[] keys, long[] sizes, long[] lastModifiedMillis, int count);

    /**
     * The listing saw every key: what it captured replaces what was captured before, at once.
     *
     * @throws RuntimeException when a page or the replacement could not be stored: what was
     *     captured before stays, marked as not from a complete listing
     */
    void complete();

    /** The listing failed part-way: nothing it captured is kept, and what was captured before is marked as not current. */
    void abandon();
}
