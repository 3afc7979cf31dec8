package io.blobrepair.index;

import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.ListObjectsV2Request;
import software.amazon.awssdk.services.s3.model.ListObjectsV2Response;
import software.amazon.awssdk.services.s3.model.S3Object;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.LongConsumer;

/**
 * One listing of the bucket (and of the archive bucket, when there is one) into a presence
 * index, driven page by page from outside (the {@code presence-index} route): list a page of a
 * {@link ListingPartition}, add it, repeat while the partition {@linkplain
 * ListingPartition#hasMorePages() has more}; a partition that was split is followed by its
 * sub-partitions; {@link #finish()} when every partition has ended. Partitions of one listing
 * may be listed concurrently.
 *
 * <p>Each page goes straight into the index: its keys are hashed into one staging array of
 * primitives ({@link ListedKeyTable.Page}) and appended to the {@link ListedKeyTable} under
 * construction; nothing per key outlives the page.
 *
 * <p>How the bucket is partitioned adapts to it. A bucket that the last listing found at most
 * {@value PresenceIndexBuilder#SMALL_BUCKET_PAGES} pages large, or that was never listed, starts
 * as one sequential partition: a bucket of up to that many pages costs one request per page and
 * not one more. Once it has listed that many pages and is still not at its end (or from the
 * start, when the last listing found it larger but was not complete) the rest is split by first
 * character, one partition per character a storage key can start with. After a complete listing
 * of a large bucket, the next one is {@code repair.list-parallelism} key ranges of about equal
 * numbers of keys, cut at that listing's page ends ({@link KeyPartitions#balancedRangeEnds}):
 * every lane lists about as many pages, no request goes to an empty prefix, and a range ends on
 * its end key, usually without a short page. A prefix partition found to hold far more keys
 * than the others — it still has at least as many pages to go, estimated from how far into its
 * prefix its keys reach, as it would have sub-partitions, and fewer partitions than
 * {@code repair.list-parallelism} are still listing — is split by its next character, so one hot
 * prefix (every key under one first character) does not serialise the listing.
 */
public final class BucketListing {

    private final S3Client s3;
    private final List<String> buckets;
    private final int pageSize;
    private final int parallelism;
    private final LongConsumer onKeysListed;
    private final Instant started;
    private final PresenceIndexBuilder history;
    private final ListingCapture capture;
    private final ListedKeyTable.Builder keys = new ListedKeyTable.Builder();
    private final List<ListingPartition> roots = new ArrayList<>();
    /** Every page's end, per bucket, to plan the next listing's key ranges. */
    private final List<Queue<KeyPartitions.PageEnd>> pageEnds = new ArrayList<>();
    private final Queue<ListingPartition> ended = new ConcurrentLinkedQueue<>();
    private final AtomicLongArray keysPerBucket;
    private final AtomicInteger unfinished = new AtomicInteger();
    private final AtomicInteger partitions = new AtomicInteger();
    private final AtomicInteger splits = new AtomicInteger();
    private final AtomicLong requests = new AtomicLong();
    private final AtomicReference<Exception> failure = new AtomicReference<>();

    BucketListing(S3Client s3, List<String> buckets, boolean[] knownLarge, List<List<String>> rangeEnds, int pageSize,
                  int parallelism, LongConsumer onKeysListed, Instant started, PresenceIndexBuilder history,
                  ListingCapture capture) {
        this.s3 = s3;
        this.buckets = buckets;
        this.pageSize = pageSize;
        this.parallelism = parallelism;
        this.onKeysListed = onKeysListed;
        this.started = started;
        this.history = history;
        this.capture = capture;
        this.keysPerBucket = new AtomicLongArray(buckets.size());
        for (int b = 0; b < buckets.size(); b++) {
            pageEnds.add(new ConcurrentLinkedQueue<>());
            List<String> ends = rangeEnds.get(b);
            if (knownLarge[b] && parallelism > 1 && !ends.isEmpty()) {
                for (int r = 0; r <= ends.size(); r++) {
                    roots.add(ListingPartition.range(b, r == 0 ? null : ends.get(r - 1), r < ends.size() ? ends.get(r) : null));
                }
                continue;
            }
            List<String> prefixes = knownLarge[b] ? KeyPartitions.forParallelism(parallelism) : List.of("");
            for (String prefix : prefixes) {
                roots.add(new ListingPartition(b, prefix, null));
            }
        }
        partitions.set(roots.size());
        unfinished.set(roots.size());
    }

    /** When the listing began: the index's "built at", since a key written after it may be missing. */
    public Instant startedAt() {
        return started;
    }

    /** Where the listed keys go besides the index: {@link ListingCapture#NONE} unless the presence store is on. */
    public ListingCapture capture() {
        return capture;
    }

    /** The partitions to list first. */
    public List<ListingPartition> roots() {
        return roots;
    }

    /** The partition's next page: one ListObjectsV2 request. */
    public ListObjectsV2Response listPage(ListingPartition partition) {
        ListObjectsV2Request.Builder request = ListObjectsV2Request.builder()
                .bucket(buckets.get(partition.bucket)).maxKeys(pageSize);
        if (!partition.prefix.isEmpty()) {
            request.prefix(partition.prefix);
        }
        // a continuation token already encodes where to go on; start-after only opens the partition
        if (partition.token() != null) {
            request.continuationToken(partition.token());
        } else if (partition.startAfter != null) {
            request.startAfter(partition.startAfter);
        }
        requests.incrementAndGet();
        return s3.listObjectsV2(request.build());
    }

    /**
     * Adds a listed page to the index and moves the partition on: to its end when the page was
     * the last, or into sub-partitions when splitting it pays.
     */
    public void addPage(ListingPartition partition, ListObjectsV2Response page) {
        List<S3Object> objects = page.contents();
        ListedKeyTable.Page staged = new ListedKeyTable.Page(objects.size());
        boolean archive = partition.bucket != 0;
        boolean captured = capture != ListingCapture.NONE;
        // the page's keys for the capture: this page only, never the whole listing
        String[] pageKeys = captured ? new String[objects.size()] : null;
        long[] sizes = captured ? new long[objects.size()] : null;
        long[] lastModified = captured ? new long[objects.size()] : null;
        String last = null;
        boolean atEnd = false;
        int count = 0;
        for (S3Object object : objects) {
            String key = object.key();
            if (!key.startsWith(partition.prefix)) {
                continue; // a server that ignored the prefix: another partition's key
            }
            if (partition.pastEnd(key)) {
                atEnd = true; // the next range's keys: it lists them
                break;
            }
            long size = object.size() == null ? 0 : object.size();
            long modified = object.lastModified() == null ? 0 : object.lastModified().toEpochMilli();
            staged.add(KeyHash.of(key), archive, size, modified);
            if (captured) {
                pageKeys[count] = key;
                sizes[count] = size;
                lastModified[count] = modified;
            }
            count++;
            last = key;
        }
        keys.add(staged);
        if (captured) {
            capture.page(buckets.get(partition.bucket), pageKeys, sizes, lastModified, count);
        }
        keysPerBucket.addAndGet(partition.bucket, count);
        onKeysListed.accept(count);
        if (last != null && parallelism > 1) {
            pageEnds.get(partition.bucket).add(new KeyPartitions.PageEnd(last, count));
        }
        atEnd |= last != null && partition.isEnd(last);
        partition.listed(count, last, Boolean.TRUE.equals(page.isTruncated()) && !atEnd ? page.nextContinuationToken() : null);
        if (!partition.hasMorePages()) {
            end(partition);
        } else if (splitPays(partition)) {
            split(partition);
        }
    }

    /** A page failed: the partition ends where it got to; the other partitions go on. */
    public void pageFailed(ListingPartition partition, Exception cause) {
        partition.failed();
        failure.compareAndSet(null, cause);
        end(partition);
    }

    /**
     * The index of everything listed, once every partition has ended.
     *
     * @throws ListingFailedException when a page failed: it carries the index of what was listed,
     *     trusted only where its coverage says so
     */
    public PresenceIndex finish() {
        Exception failed = failure.get();
        if (failed == null && unfinished.get() != 0) {
            failed = new IllegalStateException(unfinished.get() + " partitions of the listing never ended");
        }
        long sealStarted = System.nanoTime();
        ListedKeyTable table = keys.seal();
        List<ListingCoverage.Part> primary = new ArrayList<>();
        List<ListingCoverage.Part> archive = new ArrayList<>();
        for (ListingPartition p : ended) {
            (p.bucket == 0 ? primary : archive).add(p.coverage());
        }
        for (int b = 0; b < buckets.size(); b++) {
            history.listed(b, keysPerBucket.get(b), failed == null
                    ? KeyPartitions.balancedRangeEnds(new ArrayList<>(pageEnds.get(b)), parallelism) : null);
        }
        // a filter only comes with a complete listing: a partial one would say "absent" wrongly
        PresenceFilter filter = failed == null ? PresenceFilter.of(table, started) : null;
        long sealMillis = (System.nanoTime() - sealStarted) / 1_000_000;
        PresenceIndex index = new PresenceIndex(table, buckets.get(0), buckets.size() > 1 ? buckets.get(1) : null,
                new ListingCoverage(primary), new ListingCoverage(archive), started, table.totalSize(0), filter,
                new ListingStats(requests.get(), partitions.get(), splits.get(), sealMillis));
        if (failed != null) {
            throw new ListingFailedException(index, failed);
        }
        return index;
    }

    /**
     * The first split of a bucket waits until it is known to be larger than a small bucket; a
     * later one until lanes are idle and the partition has at least a page left per sub-partition.
     * Key ranges are planned balanced and never split.
     */
    private boolean splitPays(ListingPartition partition) {
        if (parallelism <= 1 || partition.range || partition.lastKey() == null) {
            return false;
        }
        if (partition.prefix.isEmpty()) {
            return keysPerBucket.get(partition.bucket) >= (long) PresenceIndexBuilder.SMALL_BUCKET_PAGES * pageSize;
        }
        if (unfinished.get() >= parallelism) {
            return false;
        }
        int subPartitions = KeyPartitions.nextCharacterPrefixes(partition.prefix, partition.lastKey()).size();
        return remainingPages(partition) >= subPartitions;
    }

    /** Pages the partition has left, if its keys go on as densely as they came so far. */
    private double remainingPages(ListingPartition partition) {
        int depth = partition.prefix.length();
        double reached = KeyPartitions.position(partition.lastKey(), depth);
        double from = partition.startAfter == null ? 0 : KeyPartitions.position(partition.startAfter, depth);
        if (reached <= from) {
            return 0;
        }
        return partition.keysListed() * (1 - reached) / (reached - from) / pageSize;
    }

    private void split(ListingPartition partition) {
        String reached = partition.lastKey();
        List<String> prefixes = KeyPartitions.nextCharacterPrefixes(partition.prefix, reached);
        boolean continuing = reached.length() > partition.prefix.length();
        List<ListingPartition> rest = new ArrayList<>(prefixes.size());
        for (int i = 0; i < prefixes.size(); i++) {
            rest.add(new ListingPartition(partition.bucket, prefixes.get(i), i == 0 && continuing ? reached : null));
        }
        partition.split(rest);
        splits.incrementAndGet();
        partitions.addAndGet(rest.size());
        unfinished.addAndGet(rest.size());
        end(partition);
    }

    private void end(ListingPartition partition) {
        ended.add(partition);
        unfinished.decrementAndGet();
    }
}
