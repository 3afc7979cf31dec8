package io.blobrepair.index;

import software.amazon.awssdk.services.s3.model.ListObjectsV2Response;
import software.amazon.awssdk.services.s3.model.S3Object;

import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * A presence index of given keys built by the listing's own code ({@link BucketListing#addPage}
 * and {@link BucketListing#finish}), from ListObjectsV2 pages made here instead of listed: for
 * benchmarks and footprint measurements of the index without an S3 server.
 */
public final class SyntheticListing {

    private SyntheticListing() {
    }

    /** The index of {@code keys} (key i has size i and last-modified {@code modified + i}), as one sequential listing. */
    public static PresenceIndex index(String[] keys, long modified) {
        BucketListing listing = new PresenceIndexBuilder(null, "synthetic", Clock.systemUTC(), 1).begin(n -> { });
        ListingPartition all = listing.roots().get(0);
        for (int from = 0; from < keys.length || from == 0; from += PresenceIndexBuilder.PAGE_SIZE) {
            int to = Math.min(keys.length, from + PresenceIndexBuilder.PAGE_SIZE);
            List<S3Object> page = new ArrayList<>(to - from);
            for (int i = from; i < to; i++) {
                page.add(S3Object.builder().key(keys[i]).size((long) i).lastModified(Instant.ofEpochMilli(modified + i)).build());
            }
            listing.addPage(all, ListObjectsV2Response.builder().contents(page).isTruncated(to < keys.length)
                    .nextContinuationToken(to < keys.length ? keys[to - 1] : null).build());
        }
        return listing.finish();
    }
}
