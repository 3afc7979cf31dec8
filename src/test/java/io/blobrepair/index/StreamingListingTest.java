package io.blobrepair.index;

import io.blobrepair.ops.RepairSettings;
import io.blobrepair.s3.S3Clients;
import io.blobrepair.s3.S3RequestCounter;
import io.blobrepair.testing.Blob;
import io.blobrepair.testing.TestS3;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import software.amazon.awssdk.services.s3.S3Client;

import java.time.Clock;
import java.util.ArrayList;
import java.util.Date;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.SplittableRandom;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The listing route against a real S3 server: what a partial listing covers, a skewed bucket,
 * the requests of small buckets, and an archive bucket beside the primary one.
 */
class StreamingListingTest {

    private static final int PAGE = 7;
    private static final String MIXED = "streaming-mixed";
    private static final String SKEWED = "streaming-skewed";
    private static final String PRIMARY = "streaming-primary";
    private static final String ARCHIVE = "streaming-archive";

    private static TestS3 s3;
    private static S3Client client;
    private static S3RequestCounter requests;
    /** Every key of each bucket with its size and last-modified millis. */
    private static final Map<String, Map<String, long[]>> buckets = new LinkedHashMap<>();

    @BeforeAll
    static void start() throws Exception {
        s3 = TestS3.startWithSortedListing();
        Map<String, long[]> mixed = bucket(MIXED);
        for (int i = 0; i < 600; i++) {
            Blob b = Blob.of("streaming " + i);
            put(MIXED, b.key(), b.content().length, i);
        }
        put(MIXED, "QmP8Wuu1kN9iHBoBptB4UrTN3orna3Z6ZW2xevNkoE2y22/150x150.jpg", 1, 7);
        put(MIXED, "_stray", 1, 8);
        // every key under one first character: one partition holds them all
        bucket(SKEWED);
        SplittableRandom random = new SplittableRandom(5);
        for (int i = 0; i < 1500; i++) {
            put(SKEWED, "a" + SampleKeys.next(random).substring(1), 3, i);
        }
        bucket(PRIMARY);
        bucket(ARCHIVE);
        for (int i = 0; i < 300; i++) {
            Blob b = Blob.of("scoped " + i);
            if (i % 3 != 2) {
                put(PRIMARY, b.key(), 100 + i, i);
            }
            if (i % 3 != 0) {
                put(ARCHIVE, b.key(), 200 + i, i); // keys i % 3 == 1 are in both, with other facts
            }
        }
        requests = new S3RequestCounter();
        client = S3Clients.create(new io.blobrepair.s3.S3Settings(s3.endpoint(), "us-east-1", MIXED, TestS3.ACCESS_KEY,
                s3.secretKey(), true), requests, 1, 0);
        // the oracle: each bucket as one plain SDK listing sees it
        try (S3Client plain = s3.client()) {
            for (Map.Entry<String, Map<String, long[]>> bucket : buckets.entrySet()) {
                plain.listObjectsV2Paginator(r -> r.bucket(bucket.getKey())).contents().forEach(o ->
                        bucket.getValue().put(o.key(), new long[] {o.size(), o.lastModified().toEpochMilli()}));
            }
        }
        assertThat(mixed).hasSize(602);
    }

    private static Map<String, long[]> bucket(String name) {
        s3.createBucket(name);
        return buckets.computeIfAbsent(name, n -> new LinkedHashMap<>());
    }

    private static void put(String bucket, String key, int size, long i) {
        s3.put(bucket, key, new byte[size], new Date(1_600_000_000_000L + i * 1000));
    }

    @AfterAll
    static void stop() throws Exception {
        client.close();
        s3.close();
    }

    private static PresenceIndexBuilder builder(String bucket, int parallelism) {
        return new PresenceIndexBuilder(client, bucket, Optional.empty(), Clock.systemUTC(), parallelism, PAGE);
    }

    /** Everything the index says about the bucket's keys is what the bucket holds; it covers exactly the storage keys it listed. */
    private static void assertTrueToTheBucket(PresenceIndex index, String bucket) {
        Map<String, long[]> held = buckets.get(bucket);
        for (Map.Entry<String, long[]> e : held.entrySet()) {
            ObjectFacts facts = index.lookup(e.getKey());
            if (index.covers(e.getKey())) {
                assertThat(facts).as("covered, so listed: %s", e.getKey()).isNotNull();
            }
            if (facts != null) {
                assertThat(facts.size()).isEqualTo(e.getValue()[0]);
                assertThat(facts.lastModifiedMillis()).isEqualTo(e.getValue()[1]);
                if (!e.getKey().startsWith("_")) {
                    assertThat(index.covers(e.getKey())).as("listed, so covered: %s", e.getKey()).isTrue();
                }
            }
        }
        SplittableRandom random = new SplittableRandom(9);
        for (int i = 0; i < 500; i++) {
            String absent = SampleKeys.next(random);
            assertThat(index.lookup(absent)).as("never in the bucket: %s", absent).isNull();
        }
    }

    @ParameterizedTest(name = "list call {0} and every later one fail")
    @ValueSource(ints = {1, 2, 5, 11, 17, 40, 80})
    void aPartialParallelListingCoversExactlyTheKeysItListed(int failingCall) throws Exception {
        for (boolean listedBefore : new boolean[] {false, true}) {
            PresenceIndexBuilder builder = builder(MIXED, 8);
            try (ListingRoute route = ListingRoute.start(builder, 8)) {
                if (listedBefore) {
                    route.build(); // the next listing is key ranges cut at this one's page ends
                }
                s3.store().failListCall(failingCall);
                try {
                    assertThatThrownBy(route::build).isInstanceOfSatisfying(ListingFailedException.class, e -> {
                        PresenceIndex partial = e.partial();
                        assertTrueToTheBucket(partial, MIXED);
                        assertThat(partial.filter()).as("no filter from a partial listing").isEmpty();
                        if (failingCall == 1) {
                            assertThat(partial.available()).isFalse();
                            assertThat(partial.entries()).isZero();
                        } else if (!listedBefore && failingCall <= PresenceIndexBuilder.SMALL_BUCKET_PAGES + 1) {
                            // a bucket never listed starts sequentially: exactly the pages before the failing one
                            assertThat(partial.entries()).isEqualTo(PAGE * (failingCall - 1));
                        } else {
                            assertThat(partial.entries()).isLessThan(buckets.get(MIXED).size());
                        }
                    });
                } finally {
                    s3.store().failListCall(0);
                }
            }
        }
    }

    @Test
    void aCompleteParallelListingCoversEveryStorageKey() throws Exception {
        PresenceIndexBuilder builder = builder(MIXED, 8);
        try (ListingRoute route = ListingRoute.start(builder, 8)) {
            // never listed: sequential, then split by first character
            PresenceIndex byPrefix = route.build();
            assertTrueToTheBucket(byPrefix, MIXED);
            assertThat(byPrefix.entries()).isEqualTo(601); // "_stray" is no prefix partition's
            assertThat(byPrefix.covers("_stray")).isFalse();
            assertThat(byPrefix.filter()).isPresent();
            assertThat(byPrefix.totalBytes()).isEqualTo(buckets.get(MIXED).entrySet().stream()
                    .filter(e -> !e.getKey().startsWith("_")).mapToLong(e -> e.getValue()[0]).sum());

            // then key ranges planned from that listing: like a sequential listing, they list every key
            PresenceIndex byRange = route.build();
            assertTrueToTheBucket(byRange, MIXED);
            assertThat(byRange.stats().partitions()).isEqualTo(8);
            assertThat(byRange.stats().splits()).isZero();
            assertThat(byRange.entries()).isEqualTo(602);
            assertThat(byRange.covers("_stray")).isTrue();
            assertThat(byRange.lookup("_stray")).isNotNull();
            assertThat(byRange.filter()).isPresent();
            assertThat(byRange.stats().requests()).isLessThanOrEqualTo((602 + PAGE - 1) / PAGE + 8);
        }
    }

    /**
     * Key ranges are planned from the last listing; keys written or deleted since (before the
     * first range's end, after the last one's start, an end key itself) are listed all the same.
     */
    @Test
    void keyRangesPlannedFromAnOlderListingListTheBucketAsItIsNow() throws Exception {
        String bucket = "streaming-changing";
        Map<String, long[]> held = bucket(bucket);
        for (int i = 0; i < 500; i++) {
            put(bucket, Blob.of("changing " + i).key(), 1, i);
        }
        PresenceIndexBuilder builder = builder(bucket, 4);
        try (ListingRoute route = ListingRoute.start(builder, 4)) {
            route.build();
            route.build(); // key ranges from here on; their ends are page ends of this listing
            List<String> ends = builder.rangeEnds(0);
            assertThat(ends).hasSize(3);
            try (S3Client plain = s3.client()) {
                plain.deleteObject(r -> r.bucket(bucket).key(ends.get(1)));
            }
            for (int i = 500; i < 800; i++) {
                put(bucket, Blob.of("changing " + i).key(), 1, i);
            }
            put(bucket, "0000/before-every-key", 1, 1);
            put(bucket, "zzzz/after-every-key", 1, 2);
            put(bucket, ends.get(0) + "-just-after-an-end", 1, 3);
            held.clear();
            try (S3Client plain = s3.client()) {
                plain.listObjectsV2Paginator(r -> r.bucket(bucket)).contents().forEach(o ->
                        held.put(o.key(), new long[] {o.size(), o.lastModified().toEpochMilli()}));
            }

            PresenceIndex index = route.build();
            assertThat(index.stats().partitions()).isEqualTo(4);
            assertThat(index.entries()).isEqualTo(held.size());
            assertThat(index.filter()).as("complete").isPresent();
            assertTrueToTheBucket(index, bucket);
            for (String key : held.keySet()) {
                assertThat(index.covers(key)).as(key).isTrue();
            }
            assertThat(index.lookup(ends.get(1))).isNull();
        }
    }

    @Test
    void aSkewedBucketIsListedCompletelyInMoreThanOnePartition() throws Exception {
        PresenceIndexBuilder builder = new PresenceIndexBuilder(client, SKEWED, Optional.empty(), Clock.systemUTC(), 8, PAGE);
        try (ListingRoute route = ListingRoute.start(builder, 8)) {
            for (int listing = 0; listing < 2; listing++) {
                long before = requests.count("ListObjects");
                PresenceIndex index = route.build();
                long sent = requests.count("ListObjects") - before;

                assertThat(index.entries()).isEqualTo(1500);
                assertTrueToTheBucket(index, SKEWED);
                for (String key : buckets.get(SKEWED).keySet()) {
                    assertThat(index.covers(key)).isTrue();
                }
                ListingStats stats = index.stats();
                assertThat(stats.requests()).isEqualTo(sent);
                if (listing == 0) {
                    // the "a" partition was split by its next character, into partitions listed in parallel
                    assertThat(stats.splits()).isGreaterThanOrEqualTo(2);
                    assertThat(stats.partitions()).isGreaterThan(KeyPartitions.forParallelism(8).size());
                } else {
                    // then 8 key ranges of about equal size, cut inside "a"
                    assertThat(stats.splits()).isZero();
                    assertThat(stats.partitions()).isEqualTo(8);
                }
                assertThat(sent).isLessThanOrEqualTo((1500 + PAGE - 1) / PAGE + stats.partitions());
            }
        }
    }

    @ParameterizedTest(name = "{0} keys")
    @ValueSource(ints = {2_500, 10_000})
    void aBucketOfUpToTenThousandKeysCostsAtMostOneRequestMoreThanItsPages(int n) throws Exception {
        String bucket = "streaming-small-" + n;
        s3.createBucket(bucket);
        for (int i = 0; i < n; i++) {
            Blob b = Blob.of(bucket + " " + i);
            s3.put(bucket, b.key(), b.content());
        }
        PresenceIndexBuilder builder = new PresenceIndexBuilder(client, bucket, Optional.empty(), Clock.systemUTC(), 8);
        try (ListingRoute route = ListingRoute.start(builder, 8)) {
            for (int listing = 0; listing < 2; listing++) { // never listed, then with the last listing's size
                long before = requests.count("ListObjects");
                PresenceIndex index = route.build();
                assertThat(index.entries()).isEqualTo(n);
                assertThat(requests.count("ListObjects") - before).isLessThanOrEqualTo((n + 999) / 1000 + 1);
            }
        }
    }

    @Test
    void anArchiveBucketIsListedIntoTheSameIndexScopedByBucket() throws Exception {
        PresenceIndexBuilder builder = new PresenceIndexBuilder(client, PRIMARY, Optional.of(ARCHIVE), Clock.systemUTC(), 8, PAGE);
        PresenceIndex index;
        try (ListingRoute route = ListingRoute.start(builder, 8)) {
            index = route.build();
        }
        Map<String, long[]> primary = buckets.get(PRIMARY);
        Map<String, long[]> archive = buckets.get(ARCHIVE);
        assertThat(index.entries()).isEqualTo(primary.size() + archive.size());
        List<String> all = new ArrayList<>(primary.keySet());
        archive.keySet().stream().filter(k -> !primary.containsKey(k)).forEach(all::add);
        for (String key : all) {
            assertFacts(index.lookup(PRIMARY, key), primary.get(key));
            assertFacts(index.lookup(ARCHIVE, key), archive.get(key));
            assertFacts(index.lookup(key), primary.get(key)); // one argument: the primary bucket
            assertThat(index.covers(PRIMARY, key)).isTrue();
            assertThat(index.covers(ARCHIVE, key)).isTrue();
            assertThat(index.filter().orElseThrow().mayHold(key)).as("the filter covers both buckets").isTrue();
        }
        assertThat(index.totalBytes()).isEqualTo(primary.values().stream().mapToLong(f -> f[0]).sum());

        String inBoth = all.stream().filter(k -> primary.containsKey(k) && archive.containsKey(k)).findFirst().orElseThrow();
        index.markAbsent(ARCHIVE, inBoth);
        assertThat(index.lookup(ARCHIVE, inBoth)).isNull();
        assertFacts(index.lookup(inBoth), primary.get(inBoth));
        index.markAbsent(inBoth);
        assertThat(index.lookup(PRIMARY, inBoth)).isNull();
        assertThatThrownBy(() -> index.lookup("another-bucket", inBoth)).isInstanceOf(IllegalArgumentException.class);
    }

    private static void assertFacts(ObjectFacts facts, long[] expected) {
        if (expected == null) {
            assertThat(facts).isNull();
        } else {
            assertThat(facts).isNotNull();
            assertThat(facts.size()).isEqualTo(expected[0]);
            assertThat(facts.lastModifiedMillis()).isEqualTo(expected[1]);
        }
    }
}
