package io.blobrepair.index;

import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.ListObjectsV2Request;
import software.amazon.awssdk.services.s3.model.ListObjectsV2Response;
import software.amazon.awssdk.services.s3.model.S3Object;

import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.function.LongConsumer;

/**
 * Lists the bucket into a {@link PresenceIndex}: ListObjectsV2 pages of 1000 keys, in key-prefix
 * partitions listed concurrently ({@code repair.list-parallelism}; 1 = one sequential listing).
 * Camel's {@code listObjects} operation returns one page and drops the continuation token, so
 * this uses the registry's {@link S3Client} directly.
 *
 * <p>A failing page ends its partition where it got to; the other partitions go on. The result
 * then carries its {@link ListingCoverage} and is thrown inside a {@link ListingFailedException}:
 * a partial listing never passes for a complete one.
 */
public class PresenceIndexBuilder {

    /** Keys per ListObjectsV2 page: S3's maximum. */
    static final int PAGE_SIZE = 1000;

    private final S3Client s3;
    private final String bucket;
    private final Clock clock;
    private final int parallelism;
    private final int pageSize;
    private volatile int expectedEntries = 1024;

    public PresenceIndexBuilder(S3Client s3, String bucket, Clock clock, int parallelism) {
        this(s3, bucket, clock, parallelism, PAGE_SIZE);
    }

    /** With a smaller page, so tests can page through partitions with few keys. */
    PresenceIndexBuilder(S3Client s3, String bucket, Clock clock, int parallelism, int pageSize) {
        this.s3 = s3;
        this.bucket = bucket;
        this.clock = clock;
        this.parallelism = parallelism;
        this.pageSize = pageSize;
    }

    /** The size of the last index built: the expected size of the next one. */
    public int expectedEntries() {
        return expectedEntries;
    }

    /**
     * Lists the bucket; {@code onKeysListed} hears each page's key count (for progress).
     *
     * <p>The first page is listed on its own: a bucket of up to 1000 keys costs one request. A
     * larger bucket is then listed by key-prefix partitions in parallel, starting where the first
     * page ended (partitions before it are already complete, the one it ended in continues after
     * its last key), so the listing never costs more than ceil(N/1000) + partitions requests.
     */
    public PresenceIndex build(LongConsumer onKeysListed) {
        Instant started = clock.instant();
        PartitionListing first = new PartitionListing("", null);
        first.listPages(1, onKeysListed);
        List<PartitionListing> partitions = new ArrayList<>();
        partitions.add(first);
        if (first.failure == null && first.token != null) {
            if (parallelism <= 1) {
                first.listPages(Integer.MAX_VALUE, onKeysListed);
            } else {
                partitions.clear();
                partitions.addAll(listPartitionsAfter(first, onKeysListed));
            }
        }
        int total = partitions.stream().mapToInt(p -> p.keys.size()).sum();
        PresenceIndex.Builder index = PresenceIndex.builder(total);
        List<ListingCoverage.Part> coverage = new ArrayList<>();
        RuntimeException firstFailure = null;
        for (PartitionListing p : partitions) {
            for (int i = 0; i < p.keys.size(); i++) {
                index.put(p.keys.get(i), p.sizes.get(i), p.modified.get(i));
            }
            coverage.add(p.coverage());
            if (p.failure != null && firstFailure == null) {
                firstFailure = p.failure;
            }
        }
        expectedEntries = Math.max(1024, total);
        PresenceIndex result = index.build(new ListingCoverage(coverage), started);
        if (firstFailure != null) {
            throw new ListingFailedException(result, firstFailure);
        }
        return result;
    }

    /** The rest of the bucket after the first page, one partition per possible first character. */
    private List<PartitionListing> listPartitionsAfter(PartitionListing first, LongConsumer onKeysListed) {
        String lastKey = first.keys.get(first.keys.size() - 1);
        String boundary = lastKey.substring(0, 1);
        List<PartitionListing> partitions = new ArrayList<>();
        List<PartitionListing> toList = new ArrayList<>();
        for (String prefix : KeyPartitions.forParallelism(parallelism)) {
            int order = prefix.compareTo(boundary);
            PartitionListing p = new PartitionListing(prefix, order == 0 ? lastKey : null);
            if (order < 0) {
                p.done = true; // every key of this prefix sorts before the first page's last key
            } else {
                toList.add(p);
            }
            partitions.add(p);
        }
        // the first page's keys belong to the partitions up to the boundary (or to none: not storage keys)
        PartitionListing strays = new PartitionListing("", null);
        strays.done = true;
        strays.coversNothing = true;
        for (int i = 0; i < first.keys.size(); i++) {
            String key = first.keys.get(i);
            PartitionListing owner = partitions.stream().filter(p -> key.startsWith(p.prefix)).findFirst().orElse(strays);
            owner.add(key, first.sizes.get(i), first.modified.get(i));
        }
        ExecutorService pool = Executors.newFixedThreadPool(Math.min(parallelism, Math.max(1, toList.size())), r -> {
            Thread t = new Thread(r, "presence-listing");
            t.setDaemon(true);
            return t;
        });
        try {
            List<Future<?>> futures = new ArrayList<>();
            for (PartitionListing p : toList) {
                futures.add(pool.submit(() -> p.listPages(Integer.MAX_VALUE, onKeysListed)));
            }
            for (Future<?> f : futures) {
                f.get();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("listing interrupted", e);
        } catch (ExecutionException e) {
            throw new IllegalStateException("listing failed", e.getCause());
        } finally {
            pool.shutdownNow();
        }
        if (!strays.keys.isEmpty()) {
            partitions.add(strays);
        }
        return partitions;
    }

    /** What one partition listed, and how far it got. */
    private final class PartitionListing {
        final String prefix;
        final String startAfter;
        final List<String> keys = new ArrayList<>();
        final List<Long> sizes = new ArrayList<>();
        final List<Long> modified = new ArrayList<>();
        String token;
        boolean done;
        /** Keys outside every partition (not storage keys of CIDs): indexed, but vouching for nothing. */
        boolean coversNothing;
        RuntimeException failure;

        PartitionListing(String prefix, String startAfter) {
            this.prefix = prefix;
            this.startAfter = startAfter;
        }

        /** Lists up to {@code maxPages} more pages; a failure ends the partition where it got to. */
        void listPages(int maxPages, LongConsumer onKeysListed) {
            try {
                for (int page = 0; page < maxPages && !done; page++) {
                    ListObjectsV2Request.Builder request = ListObjectsV2Request.builder().bucket(bucket).maxKeys(pageSize);
                    if (!prefix.isEmpty()) {
                        request.prefix(prefix);
                    }
                    // a continuation token already encodes where to go on; start-after only opens the partition
                    if (token != null) {
                        request.continuationToken(token);
                    } else if (startAfter != null) {
                        request.startAfter(startAfter);
                    }
                    ListObjectsV2Response response = s3.listObjectsV2(request.build());
                    for (S3Object object : response.contents()) {
                        add(object.key(), object.size() == null ? 0 : object.size(),
                                object.lastModified() == null ? 0 : object.lastModified().toEpochMilli());
                    }
                    onKeysListed.accept(response.contents().size());
                    token = Boolean.TRUE.equals(response.isTruncated()) ? response.nextContinuationToken() : null;
                    done = token == null;
                }
            } catch (RuntimeException e) {
                failure = e;
            }
        }

        void add(String key, long size, long lastModified) {
            keys.add(key);
            sizes.add(size);
            modified.add(lastModified);
        }

        /** Everything when done; after a failure, up to the last key reached (a continuation starts at its start key). */
        ListingCoverage.Part coverage() {
            if (coversNothing) {
                return new ListingCoverage.Part(prefix, null, false);
            }
            if (failure == null) {
                return ListingCoverage.Part.complete(prefix);
            }
            String reached = keys.isEmpty() ? startAfter : keys.get(keys.size() - 1);
            return reached == null ? new ListingCoverage.Part(prefix, null, false) : new ListingCoverage.Part(prefix, reached, true);
        }
    }
}
