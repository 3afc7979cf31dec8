package io.blobrepair.work;

import io.blobrepair.index.ListingCapture;
import io.blobrepair.index.ObjectFacts;
import io.blobrepair.index.PresenceAnswers;
import io.blobrepair.testing.TestDb;
import org.junit.jupiter.api.Test;

import java.time.Clock;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.SplittableRandom;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The presence store on a real PostgreSQL: captures swapped in or dropped, scoped by bucket, read per batch, sampled. */
class PresenceStoreTest {

    private static final Clock CLOCK = Clock.systemUTC();

    private static PresenceStore store(TestDb db, String... buckets) {
        return new PresenceStore(db.dataSource(), true, List.of(buckets), CLOCK);
    }

    private static TestDb database() throws Exception {
        TestDb db = TestDb.create();
        db.createSchema();
        return db;
    }

    /** One page of {@code keys}, each of size 10 and last modified at 1000. */
    private static void page(ListingCapture capture, String bucket, String... keys) {
        long[] sizes = new long[keys.length + 1];
        long[] modified = new long[keys.length + 1];
        Arrays.fill(sizes, 10);
        Arrays.fill(modified, 1000);
        // a page's arrays may be longer than its count: only the first count keys are captured
        String[] withSpare = Arrays.copyOf(keys, keys.length + 1);
        capture.page(bucket, withSpare, sizes, modified, keys.length);
    }

    private static List<String> keys(String prefix, int n) {
        List<String> keys = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            keys.add(prefix + i);
        }
        return keys;
    }

    @Test
    void aCompleteListingReplacesEachBucketsKeysAndOnlyThose() throws Exception {
        TestDb db = database();
        PresenceStore mine = store(db, "primary", "archive");
        PresenceStore neighbour = store(db, "elsewhere");
        ListingCapture theirs = neighbour.beginCapture();
        page(theirs, "elsewhere", "k1");
        theirs.complete();

        ListingCapture first = mine.beginCapture();
        page(first, "primary", "k1", "k2");
        page(first, "archive", "k3");
        first.complete();
        ListingCapture second = mine.beginCapture();
        page(second, "primary", "k2");
        second.complete();

        PresenceAnswers batch = mine.answers().forKeys(List.of("k1", "k2", "k3"));
        assertThat(batch.fromStore()).isTrue();
        assertThat(batch.lookup("primary", "k1")).as("gone from the last listing").isNull();
        assertThat(batch.lookup("primary", "k2")).isEqualTo(new ObjectFacts(10, 1000));
        assertThat(batch.lookup("archive", "k3")).as("the archive bucket was listed empty").isNull();
        assertThat(batch.covers("primary", "k1")).isTrue();
        assertThat(batch.covers("primary", "k9")).as("not in the batch read").isFalse();
        assertThat(batch.covers("elsewhere", "k1")).isFalse();
        assertThat(mine.listings()).isEqualTo(new PresenceStore.Listings(true, true, 1, mine.listings().listedAt()));
        assertThat(neighbour.answers().forKeys(List.of("k1")).lookup("elsewhere", "k1")).isNotNull();
        assertThat(db.queryLong("SELECT count(*) FROM repair_presence_staging")).isZero();
    }

    @Test
    void anAbandonedListingLeavesTheKeysAndMarksThemNotComplete() throws Exception {
        TestDb db = database();
        PresenceStore store = store(db, "primary");
        assertThat(store.listings().everyBucketListed()).isFalse();
        ListingCapture first = store.beginCapture();
        page(first, "primary", "k1", "k2");
        first.complete();

        ListingCapture partial = store.beginCapture();
        page(partial, "primary", "k2");
        partial.abandon();

        PresenceStore.Listings listings = store.listings();
        assertThat(listings.everyBucketListed()).isTrue();
        assertThat(listings.lastComplete()).isFalse();
        assertThat(store.missedUpdate()).contains("the last listing failed part-way");
        PresenceAnswers batch = store.answers().forKeys(List.of("k1", "k2"));
        assertThat(batch.lookup("primary", "k1")).isNotNull();
        assertThat(batch.lookup("primary", "k2")).isNotNull();
        assertThat(db.queryLong("SELECT count(*) FROM repair_presence_staging")).isZero();

        ListingCapture again = store.beginCapture();
        page(again, "primary", "k1");
        again.complete();
        assertThat(store.listings().lastComplete()).isTrue();
        assertThat(store.missedUpdate()).isEmpty();
    }

    @Test
    void ourWritesAndDeletesReachTheStore() throws Exception {
        TestDb db = database();
        PresenceStore store = store(db, "primary");
        ListingCapture capture = store.beginCapture();
        page(capture, "primary", "k1");
        capture.complete();

        store.written("primary", "k2", 77);
        store.deleted("primary", "k1");

        PresenceAnswers batch = store.answers().forKeys(List.of("k1", "k2"));
        assertThat(batch.lookup("primary", "k1")).isNull();
        assertThat(batch.lookup("primary", "k2").size()).isEqualTo(77);
        assertThat(store.updateFailures()).isZero();
        assertThatThrownBy(() -> batch.markAbsent("primary", "k2")).isInstanceOf(IllegalStateException.class);
    }

    @Test
    void aStoreThatCannotBeReachedCountsTheMissedUpdateAndIsNotTrusted() {
        org.postgresql.ds.PGSimpleDataSource down = new org.postgresql.ds.PGSimpleDataSource();
        down.setServerNames(new String[] {"127.0.0.1"});
        down.setPortNumbers(new int[] {1}); // nothing listens there: every connection is refused
        PresenceStore store = new PresenceStore(down, true, List.of("primary"), CLOCK);

        store.written("primary", "k1", 1);
        store.deleted("primary", "k1");

        assertThat(store.updateFailures()).isEqualTo(2);
        assertThat(store.missedUpdate()).contains("the store missed that k1 was written in primary");
        assertThat(store.beginCapture()).isSameAs(ListingCapture.NONE);
        assertThat(store.updateFailures()).isEqualTo(3);
    }

    @Test
    void aSampleOfALargeStoreIsSixtyFourDistinctStoredKeys() throws Exception {
        TestDb db = database();
        PresenceStore store = store(db, "primary");
        List<String> stored = keys("key-", 500);
        ListingCapture capture = store.beginCapture();
        page(capture, "primary", stored.subList(0, 250).toArray(String[]::new));
        page(capture, "primary", stored.subList(250, 500).toArray(String[]::new));
        capture.complete();

        SplittableRandom random = new SplittableRandom(18);
        List<PresenceStore.StoredKey> one = store.sample(64, 500, random);
        List<PresenceStore.StoredKey> other = store.sample(64, 500, random);

        assertThat(one).hasSize(64).doesNotHaveDuplicates();
        assertThat(one).allSatisfy(k -> {
            assertThat(k.bucket()).isEqualTo("primary");
            assertThat(stored).contains(k.key());
        });
        assertThat(new HashSet<>(one)).isNotEqualTo(new HashSet<>(other));
        // a store no larger than the sample is sampled whole
        assertThat(store.sample(600, 500, random)).hasSize(500);
    }

    @Test
    void aDisabledStoreTouchesNothing() throws Exception {
        TestDb db = database();
        PresenceStore store = new PresenceStore(db.dataSource(), false, List.of("primary"), CLOCK);

        assertThat(store.beginCapture()).isSameAs(ListingCapture.NONE);
        store.written("primary", "k1", 1);

        assertThat(db.queryLong("SELECT count(*) FROM repair_presence")).isZero();
        assertThat(store.updateFailures()).isZero();
    }
}
