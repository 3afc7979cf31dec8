package io.blobrepair.index;

/**
 * How one listing went.
 *
 * @param requests   ListObjects requests sent (failed ones included, retries not)
 * @param partitions key-prefix partitions listed (1 for a sequential listing)
 * @param splits     partitions split further by their next character
 * @param sealMillis time to sort and place the listed keys and build the presence filter, after the last page
 */
public record ListingStats(long requests, int partitions, int splits, long sealMillis) {

    static final ListingStats NONE = new ListingStats(0, 0, 0, 0);
}
