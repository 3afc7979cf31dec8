package io.blobrepair.index;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/** The cycle's "seen" set: once per key, listed or not, marked absent or not, under concurrency. */
class SeenKeysTest {

    private static PresenceIndex indexOf(String[] primary, String[] archive) {
        List<ListedKeyTableTest.Cell> cells = new ArrayList<>();
        for (String k : primary) {
            KeyHash h = KeyHash.of(k);
            cells.add(new ListedKeyTableTest.Cell(h.hi(), h.lo(), false, 1, 1));
        }
        for (String k : archive) {
            KeyHash h = KeyHash.of(k);
            cells.add(new ListedKeyTableTest.Cell(h.hi(), h.lo(), true, 1, 1));
        }
        return new PresenceIndex(ListedKeyTableTest.seal(cells, 1000), "primary", archive.length > 0 ? "archive" : null,
                new ListingCoverage(List.of(ListingCoverage.Part.complete(""))), new ListingCoverage(List.of(ListingCoverage.Part.complete(""))),
                java.time.Instant.EPOCH, 0, null, ListingStats.NONE);
    }

    @Test
    void everyKeyIsNewOnceListedOrNotMarkedAbsentOrNot() {
        String[] listed = SampleKeys.generate(1000, 1);
        String[] archived = SampleKeys.generate(100, 2);
        String[] unlisted = SampleKeys.generate(100, 3);
        PresenceIndex index = indexOf(listed, archived);
        SeenKeys seen = index.newSeenKeys();
        index.markAbsent(listed[0]);
        index.markAbsent("archive", archived[0]);
        for (String[] keys : List.of(listed, archived, unlisted)) {
            for (String k : keys) {
                assertThat(seen.firstTime(k)).as(k).isTrue();
            }
        }
        index.markAbsent(listed[1]); // deleted after it was seen: still seen
        for (String[] keys : List.of(listed, archived, unlisted)) {
            for (String k : keys) {
                assertThat(seen.firstTime(k)).as(k).isFalse();
            }
        }
    }

    @Test
    void withoutAnIndexKeysAreTrackedByHash() {
        SeenKeys seen = SeenKeys.withoutIndex();
        assertThat(seen.firstTime("a")).isTrue();
        assertThat(seen.firstTime("b")).isTrue();
        assertThat(seen.firstTime("a")).isFalse();
        assertThat(PresenceIndex.unavailable(java.time.Instant.EPOCH).newSeenKeys().firstTime("a")).isTrue();
    }

    @Test
    void ofConcurrentCallsWithOneKeyExactlyOneIsTheFirst() throws Exception {
        String[] listed = SampleKeys.generate(20_000, 4);
        String[] unlisted = SampleKeys.generate(5_000, 5);
        SeenKeys seen = indexOf(listed, new String[0]).newSeenKeys();
        ExecutorService pool = Executors.newFixedThreadPool(8);
        CountDownLatch start = new CountDownLatch(1);
        try {
            List<Future<Integer>> firsts = new ArrayList<>();
            for (int t = 0; t < 8; t++) {
                Callable<Integer> task = () -> {
                    start.await();
                    int n = 0;
                    for (int i = 0; i < listed.length; i++) {
                        n += seen.firstTime(listed[i]) ? 1 : 0;
                        n += i < unlisted.length && seen.firstTime(unlisted[i]) ? 1 : 0;
                    }
                    return n;
                };
                firsts.add(pool.submit(task));
            }
            start.countDown();
            int total = 0;
            for (Future<Integer> f : firsts) {
                total += f.get(60, TimeUnit.SECONDS);
            }
            assertThat(total).isEqualTo(listed.length + unlisted.length);
        } finally {
            pool.shutdownNow();
        }
    }
}
