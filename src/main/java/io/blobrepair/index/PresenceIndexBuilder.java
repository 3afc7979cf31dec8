package io.blobrepair.index;

import software.amazon.awssdk.services.s3.S3Client;

import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.concurrent.atomic.AtomicReferenceArray;
import java.util.function.LongConsumer;

/**
 * Starts listings of the bucket (and of the archive bucket, when there is one) into a
 * {@link PresenceIndex}: ListObjectsV2 pages of 1000 keys, in key-prefix partitions listed
 * concurrently ({@code repair.list-parallelism}; 1 = one sequential listing). The route
 * {@code presence-index} drives each {@link BucketListing} page by page. Camel's
 * {@code listObjects} operation is ListObjects V1 and returns a page's objects without
 * {@code IsTruncated}, so a partition could only end on an empty page (one request more per
 * partition) and a short page mid-listing would look like the end: the pages go through the
 * registry's {@link S3Client} instead.
 *
 * <p>It remembers how many keys the last listing of each bucket found, and where its key ranges
 * of equal size end, to plan the next one (see {@link BucketListing}).
 */
public class PresenceIndexBuilder {

    /** Keys per ListObjectsV2 page: S3's maximum. */
    static final int PAGE_SIZE = 1000;
    /** Buckets up to this many pages are listed sequentially, one request per page. */
    static final int SMALL_BUCKET_PAGES = 10;

    private final S3Client s3;
    private final List<String> buckets;
    private final Clock clock;
    private final int parallelism;
    private final int pageSize;
    /** Keys the last listing of each bucket found; -1 before the first. */
    private final AtomicLongArray lastListed;
    /** Ends of balanced key ranges from the last complete listing of each bucket; empty before one. */
    private final AtomicReferenceArray<List<String>> rangeEnds;

    public PresenceIndexBuilder(S3Client s3, String bucket, Clock clock, int parallelism) {
        this(s3, bucket, Optional.empty(), clock, parallelism, PAGE_SIZE);
    }

    /** With an archive bucket (a store-all node's), listed into the same index. */
    public PresenceIndexBuilder(S3Client s3, String bucket, Optional<String> archiveBucket, Clock clock, int parallelism) {
        this(s3, bucket, archiveBucket, clock, parallelism, PAGE_SIZE);
    }

    /** With a smaller page, so tests can page through partitions with few keys. */
    PresenceIndexBuilder(S3Client s3, String bucket, Clock clock, int parallelism, int pageSize) {
        this(s3, bucket, Optional.empty(), clock, parallelism, pageSize);
    }

    PresenceIndexBuilder(S3Client s3, String bucket, Optional<String> archiveBucket, Clock clock, int parallelism, int pageSize) {
        this.s3 = s3;
        List<String> names = new ArrayList<>();
        names.add(bucket);
        archiveBucket.ifPresent(names::add);
        this.buckets = List.copyOf(names);
        this.clock = clock;
        this.parallelism = parallelism;
        this.pageSize = pageSize;
        this.lastListed = new AtomicLongArray(buckets.size());
        this.rangeEnds = new AtomicReferenceArray<>(buckets.size());
        for (int b = 0; b < buckets.size(); b++) {
            lastListed.set(b, -1);
            rangeEnds.set(b, List.of());
        }
    }

    /** Keys the last listing found in every bucket: the expected size of the next one (at least 1024). */
    public int expectedEntries() {
        long total = 0;
        for (int b = 0; b < buckets.size(); b++) {
            total += Math.max(0, lastListed.get(b));
        }
        return (int) Math.min(Integer.MAX_VALUE, Math.max(1024, total));
    }

    /** A new listing; {@code onKeysListed} hears each page's key count (for progress). */
    public BucketListing begin(LongConsumer onKeysListed) {
        return begin(onKeysListed, ListingCapture.NONE);
    }

    /** A new listing whose pages also go to {@code capture}. */
    public BucketListing begin(LongConsumer onKeysListed, ListingCapture capture) {
        boolean[] knownLarge = new boolean[buckets.size()];
        List<List<String>> ranges = new ArrayList<>();
        for (int b = 0; b < buckets.size(); b++) {
            knownLarge[b] = lastListed.get(b) > (long) SMALL_BUCKET_PAGES * pageSize;
            ranges.add(rangeEnds.get(b));
        }
        return new BucketListing(s3, buckets, knownLarge, ranges, pageSize, parallelism, onKeysListed, clock.instant(), this,
                capture);
    }

    /** Where the next listing's key ranges of bucket {@code b} end; empty: it is partitioned by prefix. */
    List<String> rangeEnds(int b) {
        return rangeEnds.get(b);
    }

    /**
     * What a listing of bucket {@code b} (0 primary, 1 archive) found; {@code ends}, from a
     * complete listing, plan the next one's key ranges (null: keep the last complete one's).
     */
    void listed(int b, long keys, List<String> ends) {
        lastListed.set(b, keys);
        if (ends != null) {
            rangeEnds.set(b, List.copyOf(ends));
        }
    }
}
