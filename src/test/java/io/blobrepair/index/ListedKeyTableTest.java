package io.blobrepair.index;

import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.From;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Size;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The sealed table against oracles: random and clustered hashes, both buckets, pages of any size, concurrent markAbsent. */
class ListedKeyTableTest {

    /** A cell as listed: hash, bucket, facts. */
    record Cell(long hi, long lo, boolean archive, long size, long modified) {
        long scope() {
            return archive ? ListedKeyTable.ARCHIVE : 0;
        }

        Key key() {
            return new Key(hi, lo, archive);
        }
    }

    record Key(long hi, long lo, boolean archive) {
    }

    /** Builds a table from the cells, appended in pages of {@code pageSize} (as a listing would). */
    static ListedKeyTable seal(List<Cell> cells, int pageSize) {
        ListedKeyTable.Builder builder = new ListedKeyTable.Builder();
        for (int from = 0; from < cells.size(); from += pageSize) {
            int n = Math.min(pageSize, cells.size() - from);
            ListedKeyTable.Page page = new ListedKeyTable.Page(n);
            for (int i = 0; i < n; i++) {
                Cell c = cells.get(from + i);
                page.add(new KeyHash(c.hi, c.lo), c.archive, c.size, c.modified);
            }
            builder.add(page);
        }
        return builder.seal();
    }

    /** Last-modified as the table keeps it: to the second, 0 for unknown or before 1970, within 2000-01-01T00:00:01 .. 2136. */
    static long toTheSecond(long millis) {
        if (millis <= 0) {
            return 0;
        }
        long base = 946_684_800L;
        long seconds = Math.min(0xffff_ffffL, Math.max(1, Math.floorDiv(millis, 1000) - base));
        return (base + seconds) * 1000;
    }

    @Provide
    Arbitrary<Long> his() {
        // a few values shared by many keys (long runs with one home), the extremes, and random ones
        return Arbitraries.oneOf(Arbitraries.of(0L, -1L, Long.MIN_VALUE, Long.MAX_VALUE, 42L << 32, 43L << 32),
                Arbitraries.longs().between(0, 3).map(v -> v << 40), Arbitraries.longs());
    }

    @Provide
    Arbitrary<Cell> cells() {
        // few distinct lo values too: equal keys (duplicates) and equal hi with other lo
        Arbitrary<Long> lo = Arbitraries.oneOf(Arbitraries.longs().between(-2, 2).map(v -> v * 977), Arbitraries.longs());
        // sizes beyond a cell's 30 bits are kept beside the table; times from before 1970 to after 2136
        Arbitrary<Long> size = Arbitraries.oneOf(Arbitraries.longs().between(0, 5L << 40), Arbitraries.of(0L, (1L << 30) - 2, (1L << 30) - 1, 1L << 30));
        Arbitrary<Long> modified = Arbitraries.oneOf(Arbitraries.longs().between(-1_000_000_000L, 6_000_000_000_000L), Arbitraries.of(0L, Long.MAX_VALUE));
        return Combinators.combine(his(), lo, Arbitraries.of(false, true), size, modified).as(Cell::new);
    }

    @Property(tries = 300)
    void findAnswersAsAMapOfTheListedCellsDoes(@ForAll @Size(max = 400) List<@From("cells") Cell> listed,
                                               @ForAll @Size(max = 100) List<@From("cells") Cell> probes,
                                               @ForAll @IntRange(min = 1, max = 50) int pageSize) {
        Map<Key, Cell> oracle = new HashMap<>();
        for (Cell c : listed) {
            oracle.putIfAbsent(c.key(), c); // the table keeps one of equal keys; here all facts of a key are checked below
        }
        Map<Key, List<Cell>> all = new HashMap<>();
        listed.forEach(c -> all.computeIfAbsent(c.key(), k -> new ArrayList<>()).add(c));
        ListedKeyTable table = seal(listed, pageSize);

        assertThat(table.entries()).isEqualTo(oracle.size());
        Set<Integer> cellsUsed = new HashSet<>();
        for (Map.Entry<Key, List<Cell>> e : all.entrySet()) {
            Key k = e.getKey();
            int cell = table.find(k.hi(), k.lo(), k.archive() ? ListedKeyTable.ARCHIVE : 0);
            assertThat(cell).as("listed %s", k).isNotNegative();
            assertThat(cellsUsed.add(cell)).isTrue();
            assertThat(table.slotOf(k.hi(), k.lo(), k.archive() ? ListedKeyTable.ARCHIVE : 0)).isEqualTo(cell);
            // the facts are those the key was listed with (a listing never lists a key twice; here it may)
            assertThat(e.getValue()).extracting(Cell::size).contains(table.size(cell));
            assertThat(e.getValue()).extracting(c -> toTheSecond(c.modified())).contains(table.lastModified(cell));
        }
        for (Cell p : probes) {
            if (!oracle.containsKey(p.key())) {
                assertThat(table.find(p.hi(), p.lo(), p.scope())).as("never listed %s", p).isEqualTo(-1);
                assertThat(table.slotOf(p.hi(), p.lo(), p.scope())).isEqualTo(-1);
            }
        }
    }

    @Property(tries = 40)
    void storageKeyLookupsAgreeWithAHashSet(@ForAll @IntRange(min = 0, max = 5000) int present, @ForAll long seed) {
        SplittableRandom random = new SplittableRandom(seed);
        Set<String> oracle = new HashSet<>();
        List<Cell> cells = new ArrayList<>();
        for (int i = 0; i < present; i++) {
            String key = random.nextInt(4) == 0 ? randomString(random) : SampleKeys.next(random);
            if (oracle.add(key)) {
                KeyHash h = KeyHash.of(key);
                cells.add(new Cell(h.hi(), h.lo(), false, key.length(), i));
            }
        }
        ListedKeyTable table = seal(cells, 1000);
        for (String key : oracle) {
            KeyHash h = KeyHash.of(key);
            int cell = table.find(h.hi(), h.lo(), 0);
            assertThat(cell).as(key).isNotNegative();
            assertThat(table.size(cell)).isEqualTo(key.length());
            assertThat(table.find(h.hi(), h.lo(), ListedKeyTable.ARCHIVE)).as("the same key in the other bucket").isEqualTo(-1);
        }
        for (int i = 0; i < 2000; i++) {
            String probe = i % 2 == 0 ? SampleKeys.next(random) : randomString(random);
            KeyHash h = KeyHash.of(probe);
            assertThat(table.find(h.hi(), h.lo(), 0) >= 0).as(probe).isEqualTo(oracle.contains(probe));
        }
    }

    private static String randomString(SplittableRandom random) {
        StringBuilder b = new StringBuilder();
        int length = random.nextInt(0, 80);
        for (int i = 0; i < length; i++) {
            b.append((char) random.nextInt(32, 0x3000));
        }
        return b.toString();
    }

    @Test
    void theSameKeyInBothBucketsIsTwoEntries() {
        ListedKeyTable table = seal(List.of(new Cell(5, 6, false, 10, 100), new Cell(5, 6, true, 20L << 32, 200)), 1);
        assertThat(table.entries()).isEqualTo(2);
        int primary = table.find(5, 6, 0);
        int archive = table.find(5, 6, ListedKeyTable.ARCHIVE);
        assertThat(primary).isNotEqualTo(archive);
        assertThat(table.size(primary)).isEqualTo(10);
        assertThat(table.size(archive)).isEqualTo(20L << 32);
        assertThat(table.markAbsent(5, 6, ListedKeyTable.ARCHIVE)).isTrue();
        assertThat(table.find(5, 6, ListedKeyTable.ARCHIVE)).isEqualTo(-1);
        assertThat(table.find(5, 6, 0)).isEqualTo(primary);
        assertThat(table.totalSize(0)).isEqualTo(10);
    }

    @Test
    void markedAbsentKeysKeepTheirSlotAndAreNoLongerFound() {
        List<Cell> cells = new ArrayList<>();
        for (int i = 0; i < 100; i++) {
            cells.add(new Cell(i * 31L << 40, i, false, i, i));
        }
        ListedKeyTable table = seal(cells, 7);
        int slot = table.slotOf(7 * 31L << 40, 7, 0);
        assertThat(table.markAbsent(7 * 31L << 40, 7, 0)).isTrue();
        assertThat(table.markAbsent(7 * 31L << 40, 7, 0)).as("only once").isFalse();
        assertThat(table.find(7 * 31L << 40, 7, 0)).isEqualTo(-1);
        assertThat(table.slotOf(7 * 31L << 40, 7, 0)).isEqualTo(slot);
        assertThat(table.entries()).isEqualTo(99);
        List<Long> live = new ArrayList<>();
        table.forEachLive((hi, lo) -> live.add(lo));
        assertThat(live).hasSize(99).doesNotContain(7L);
        assertThat(table.totalSize(0)).isEqualTo(99 * 100 / 2 - 7);
    }

    @Test
    void anEmptyTableFindsNothingAndABuilderSealsOnce() {
        ListedKeyTable.Builder builder = new ListedKeyTable.Builder();
        ListedKeyTable table = builder.seal();
        assertThat(table.find(0, 0, 0)).isEqualTo(-1);
        assertThat(table.entries()).isZero();
        assertThat(table.cells()).isZero();
        assertThatThrownBy(() -> builder.add(new ListedKeyTable.Page(0))).isInstanceOf(IllegalStateException.class);
        assertThat(ListedKeyTable.empty().slotOf(1, 2, 0)).isEqualTo(-1);
    }

    @Test
    void largeTablesUseAboutOneCellPerLoadFactorOfKeys() {
        SplittableRandom random = new SplittableRandom(3);
        List<Cell> cells = new ArrayList<>();
        for (int i = 0; i < 200_000; i++) {
            cells.add(new Cell(random.nextLong(), random.nextLong(), false, i, i));
        }
        ListedKeyTable table = seal(cells, 1000);
        assertThat(table.entries()).isEqualTo(200_000);
        // homes = n / 0.85; the tail after the last home holds only the last cluster's overflow
        assertThat(table.cells()).isBetween((int) (200_000 / ListedKeyTable.LOAD), (int) (200_000 / ListedKeyTable.LOAD) + 200);
        for (Cell c : cells) {
            assertThat(table.find(c.hi(), c.lo(), 0)).isNotNegative();
        }
    }

    @Test
    void lookupsDuringConcurrentMarkAbsentSeeEveryOtherKey() throws Exception {
        int n = 100_000;
        SplittableRandom random = new SplittableRandom(11);
        List<Cell> cells = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            cells.add(new Cell(random.nextLong(), random.nextLong(), i % 3 == 0, i, i));
        }
        ListedKeyTable table = seal(cells, 1000);
        // every 4th key is removed, each by two racing threads; the others must stay visible throughout
        List<Cell> removed = new ArrayList<>();
        for (int i = 0; i < n; i += 4) {
            removed.add(cells.get(i));
        }
        ExecutorService pool = Executors.newFixedThreadPool(8);
        CountDownLatch start = new CountDownLatch(1);
        AtomicBoolean removing = new AtomicBoolean(true);
        AtomicInteger wins = new AtomicInteger();
        AtomicInteger lost = new AtomicInteger();
        try {
            List<Future<?>> tasks = new ArrayList<>();
            for (int t = 0; t < 4; t++) {
                int offset = t % 2;
                tasks.add(pool.submit(() -> {
                    await(start);
                    for (int i = offset; i < removed.size() + offset; i++) {
                        Cell c = removed.get(i % removed.size());
                        if (table.markAbsent(c.hi(), c.lo(), c.scope())) {
                            wins.incrementAndGet();
                        }
                    }
                }));
            }
            for (int t = 0; t < 4; t++) {
                int seed = t;
                tasks.add(pool.submit(() -> {
                    await(start);
                    Random r = new Random(seed);
                    while (removing.get()) {
                        int i = r.nextInt(n);
                        Cell c = cells.get(i);
                        if (i % 4 != 0 && table.find(c.hi(), c.lo(), c.scope()) < 0) {
                            lost.incrementAndGet();
                        }
                    }
                }));
            }
            start.countDown();
            for (int t = 0; t < 4; t++) {
                tasks.get(t).get(60, TimeUnit.SECONDS);
            }
            removing.set(false);
            for (Future<?> f : tasks) {
                f.get(60, TimeUnit.SECONDS);
            }
        } finally {
            pool.shutdownNow();
        }
        assertThat(lost).hasValue(0);
        assertThat(wins).as("each key marked absent exactly once").hasValue(removed.size());
        assertThat(table.entries()).isEqualTo(n - removed.size());
        for (int i = 0; i < n; i++) {
            Cell c = cells.get(i);
            assertThat(table.find(c.hi(), c.lo(), c.scope()) >= 0).isEqualTo(i % 4 != 0);
        }
    }

    private static void await(CountDownLatch latch) {
        try {
            latch.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
