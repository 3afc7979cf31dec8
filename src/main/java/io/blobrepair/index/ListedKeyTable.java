package io.blobrepair.index;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The keys one listing saw, with their size and last-modified time: a flat table of 24-byte
 * cells in key-hash order, built once from the listed pages and then only read (and keys marked
 * absent). No per-key objects and no key strings: a key is its 128-bit {@link KeyHash}.
 *
 * <h2>Layout</h2>
 * Cells of 3 longs: hash hi, hash lo, and a facts word; in paged {@code long[]} of 8192 cells
 * (192 KiB, so no array is a GC "humongous" object). The facts word holds, from the top: bit 63
 * set when the cell holds no live key (a gap, or a key {@linkplain #markAbsent marked absent}),
 * bit 62 set for a key of the archive bucket, 32 bits of last-modified time in seconds since
 * 2000-01-01 (0 = unknown, as is a time before 1970; later times before 2000 are kept as
 * 2000-01-01T00:00:01, the largest is in 2136), and 30 bits of size. A size of 2<sup>30</sup> - 1 bytes or more is kept exactly beside
 * the table (blobs of a gigabyte and more are rare). Last-modified times are kept to the second,
 * as HeadObject reports them; the 7-day age rule needs no more.
 *
 * <p>A key's <em>home</em> is {@code floor((hi >>> 32) * homes / 2^32)} with
 * {@code homes = ceil(n / 0.8)}. Keys are sorted by unsigned hi and placed at
 * {@code position(i) = max(home(i), position(i - 1) + 1)}: linear probing in hash order (the
 * layout of a Robin Hood table without wrap-around), so a key sits at or after its home and every
 * cell between its home and itself holds a key with a smaller or equal hi. A lookup starts at the
 * home and stops at the key, at the first cell with a larger hi, or at the end: at 0.8 keys per
 * home it reads about 3 consecutive cells (one or two cache lines, one random access). A gap (a
 * cell no key is placed in) is filled with a copy of the hash of the key after it, flagged
 * absent: it ends every lookup that reaches it and, since that key's home lies beyond the gap,
 * never matches one. Memory: 24 / 0.8 = 30 bytes per key plus at most one partly used page.
 *
 * <h2>Building</h2>
 * A {@link Page} stages one listed page's keys in a primitive array; {@link Builder#add} appends
 * it (any thread; pages are copied under one lock, the hashing is done by the caller before).
 * {@link Builder#seal} sorts the cells in place (MSD radix on hi, insertion sort for short runs),
 * drops duplicates and spreads them to their positions in place, back to front (a cell only moves
 * up, never over one not yet moved). The peak is the sealed table itself: the appended cells
 * occupy its first pages.
 *
 * <h2>The false-"present" bound</h2>
 * Two different keys of one bucket with the same 128-bit hash are one key here: a lookup of a key
 * that was never listed would find the other one's facts. Treating the hash as a random function
 * of distinct keys, with {@code n} keys listed: P(any two collide) &le; n&sup2;/2<sup>129</sup>
 * (about 1.5e-27 at n = 1e6, 1.5e-23 at n = 1e8), and P(a given unlisted key looks present)
 * &le; n/2<sup>128</sup>. The archive bit keeps the same key in two buckets apart. The bounds
 * assume keys not crafted against MurmurHash3, which is not a cryptographic hash.
 *
 * <h2>Thread safety</h2>
 * A sealed table is immutable but for the absent bit, which {@link #markAbsent} sets atomically;
 * lookups read the facts word with opaque access, so a lookup concurrent with a
 * {@code markAbsent} of its key sees the key present or absent, and every other key as it is.
 * A cell index ({@link #find}, {@link #slotOf}) stays valid for the table's lifetime.
 */
final class ListedKeyTable {

    /** Facts word: no live key in this cell. */
    static final long ABSENT = Long.MIN_VALUE;
    /** Facts word: the key is the archive bucket's. */
    static final long ARCHIVE = 1L << 62;
    private static final long ARCHIVE_OR_ABSENT = ARCHIVE | ABSENT;
    private static final int SIZE_BITS = 30;
    private static final long SIZE_MASK = (1L << SIZE_BITS) - 1;
    /** Stored size meaning "kept beside the table". */
    private static final long LARGE = SIZE_MASK;
    private static final long SECONDS_MASK = 0xffff_ffffL;
    /** 2000-01-01T00:00:00Z in epoch seconds: stored last-modified times count from here. */
    private static final long SECONDS_BASE = 946_684_800L;

    /** Keys per home slot. */
    static final double LOAD = 0.8;
    private static final int CELL_LONGS = 3;
    private static final int FACTS = 2;
    private static final int PAGE_SHIFT = 13;
    private static final int PAGE_CELLS = 1 << PAGE_SHIFT;
    private static final int PAGE_MASK = PAGE_CELLS - 1;
    private static final int PAGE_LONGS = PAGE_CELLS * CELL_LONGS;
    /** Runs this short are insertion sorted. */
    private static final int INSERTION_SORT_MAX = 24;
    /** Positions are computed per block of this many keys, back to front. */
    private static final int SPREAD_BLOCK = 4096;

    private static final VarHandle WORDS = MethodHandles.arrayElementVarHandle(long[].class);

    private final long[][] pages;
    private final int cells;
    private final int homes;
    private final Map<LargeKey, Long> largeSizes;
    private final AtomicInteger live;

    /** A key whose size does not fit its cell. */
    private record LargeKey(long hi, long lo, long scope) {
    }

    private ListedKeyTable(long[][] pages, int cells, int homes, Map<LargeKey, Long> largeSizes, int live) {
        this.pages = pages;
        this.cells = cells;
        this.homes = homes;
        this.largeSizes = largeSizes;
        this.live = new AtomicInteger(live);
    }

    static ListedKeyTable empty() {
        return new ListedKeyTable(new long[0][], 0, 0, Map.of(), 0);
    }

    /** The cell of the live key (hi, lo) of the bucket {@code scope} (0 or {@link #ARCHIVE}), or -1. */
    int find(long hi, long lo, long scope) {
        return probe(hi, lo, ARCHIVE_OR_ABSENT, scope);
    }

    /** The cell of the key (hi, lo) of {@code scope}, live or marked absent, or -1: a stable identity of a listed key. */
    int slotOf(long hi, long lo, long scope) {
        return probe(hi, lo, ARCHIVE, scope);
    }

    private int probe(long hi, long lo, long factsMask, long facts) {
        long[][] p = pages;
        int end = cells;
        for (int c = home(hi, homes); c < end; c++) {
            long[] page = p[c >>> PAGE_SHIFT];
            int at = (c & PAGE_MASK) * CELL_LONGS;
            long h = page[at];
            if (h == hi) {
                if (page[at + 1] == lo && ((long) WORDS.getOpaque(page, at + FACTS) & factsMask) == facts) {
                    return c;
                }
            } else if (Long.compareUnsigned(h, hi) > 0) {
                return -1;
            }
        }
        return -1;
    }

    private long facts(int cell) {
        return (long) WORDS.getOpaque(pages[cell >>> PAGE_SHIFT], (cell & PAGE_MASK) * CELL_LONGS + FACTS);
    }

    long size(int cell) {
        long size = facts(cell) & SIZE_MASK;
        if (size != LARGE) {
            return size;
        }
        long[] page = pages[cell >>> PAGE_SHIFT];
        int at = (cell & PAGE_MASK) * CELL_LONGS;
        return largeSizes.get(new LargeKey(page[at], page[at + 1], facts(cell) & ARCHIVE));
    }

    /** Epoch millis, to the second; 0 when the listing did not say. */
    long lastModified(int cell) {
        long seconds = (facts(cell) >>> SIZE_BITS) & SECONDS_MASK;
        return seconds == 0 ? 0 : (SECONDS_BASE + seconds) * 1000;
    }

    /** Marks the live key (hi, lo) of {@code scope} absent; returns whether it was live. */
    boolean markAbsent(long hi, long lo, long scope) {
        int cell = find(hi, lo, scope);
        if (cell < 0) {
            return false;
        }
        long old = (long) WORDS.getAndBitwiseOr(pages[cell >>> PAGE_SHIFT], (cell & PAGE_MASK) * CELL_LONGS + FACTS, ABSENT);
        if ((old & ABSENT) != 0) {
            return false; // a concurrent call marked it first
        }
        live.decrementAndGet();
        return true;
    }

    /** Live keys. */
    int entries() {
        return live.get();
    }

    /** Cells, live or not: the range of {@link #slotOf}. */
    int cells() {
        return cells;
    }

    /** The sizes of the live keys of {@code scope}, summed. */
    long totalSize(long scope) {
        long total = 0;
        for (int c = 0; c < cells; c++) {
            if ((facts(c) & ARCHIVE_OR_ABSENT) == scope) {
                total += size(c);
            }
        }
        return total;
    }

    /** Calls {@code action} with the hash of every live key. */
    void forEachLive(HashConsumer action) {
        for (int c = 0; c < cells; c++) {
            long[] page = pages[c >>> PAGE_SHIFT];
            int at = (c & PAGE_MASK) * CELL_LONGS;
            if ((long) WORDS.getOpaque(page, at + FACTS) >= 0) {
                action.accept(page[at], page[at + 1]);
            }
        }
    }

    /** Receives a 128-bit key hash. */
    @FunctionalInterface
    interface HashConsumer {
        void accept(long hi, long lo);
    }

    private static int home(long hi, int homes) {
        return (int) (((hi >>> 32) * homes) >>> 32);
    }

    /** The facts word of a live key. */
    private static long factsWord(boolean archive, long size, long lastModifiedMillis) {
        long seconds = lastModifiedMillis <= 0 ? 0
                : Math.min(SECONDS_MASK, Math.max(1, Math.floorDiv(lastModifiedMillis, 1000) - SECONDS_BASE));
        return (archive ? ARCHIVE : 0) | seconds << SIZE_BITS | Math.min(Math.max(0, size), LARGE);
    }

    /** One listed page's keys, staged in a primitive array for {@link Builder#add}. */
    static final class Page {
        private final long[] cells;
        private int count;
        private Map<LargeKey, Long> largeSizes = Map.of();

        Page(int capacity) {
            cells = new long[capacity * CELL_LONGS];
        }

        void add(KeyHash hash, boolean archive, long size, long lastModifiedMillis) {
            int at = count * CELL_LONGS;
            cells[at] = hash.hi();
            cells[at + 1] = hash.lo();
            cells[at + FACTS] = factsWord(archive, size, lastModifiedMillis);
            if (size >= LARGE) {
                if (largeSizes.isEmpty()) {
                    largeSizes = new HashMap<>();
                }
                largeSizes.put(new LargeKey(hash.hi(), hash.lo(), archive ? ARCHIVE : 0), size);
            }
            count++;
        }

        int count() {
            return count;
        }
    }

    /** Collects listed pages from any number of threads; {@link #seal} makes the table. */
    static final class Builder {
        private long[][] pages = new long[16][];
        private int count;
        private final Map<LargeKey, Long> largeSizes = new HashMap<>();
        private boolean sealed;

        synchronized void add(Page page) {
            if (sealed) {
                throw new IllegalStateException("table already sealed");
            }
            if ((long) count + page.count > Integer.MAX_VALUE / 2) {
                throw new IllegalStateException("too many keys for one table: " + ((long) count + page.count));
            }
            int from = 0;
            while (from < page.count) {
                int p = count >>> PAGE_SHIFT;
                if (p == pages.length) {
                    pages = Arrays.copyOf(pages, pages.length * 2);
                }
                if (pages[p] == null) {
                    pages[p] = new long[PAGE_LONGS];
                }
                int offset = count & PAGE_MASK;
                int chunk = Math.min(page.count - from, PAGE_CELLS - offset);
                System.arraycopy(page.cells, from * CELL_LONGS, pages[p], offset * CELL_LONGS, chunk * CELL_LONGS);
                count += chunk;
                from += chunk;
            }
            largeSizes.putAll(page.largeSizes);
        }

        /**
         * Sorts, drops duplicates and places the keys; the builder is spent. A key appended twice
         * (a listing lists each key once) keeps facts it was appended with.
         */
        synchronized ListedKeyTable seal() {
            sealed = true;
            long[][] p = pages;
            pages = null;
            int n = count;
            if (n == 0) {
                return empty();
            }
            radixSort(p, 0, n, 56);
            n = dropDuplicates(p, n);
            int homes = (int) Math.min(Integer.MAX_VALUE, (long) Math.ceil(n / LOAD));
            int[] before = new int[(n + SPREAD_BLOCK - 1) / SPREAD_BLOCK];
            int cells = lastPosition(p, n, homes, before) + 1;
            int pageCount = (cells + PAGE_CELLS - 1) >>> PAGE_SHIFT;
            p = Arrays.copyOf(p, pageCount);
            for (int i = 0; i < pageCount; i++) {
                if (p[i] == null) {
                    p[i] = new long[PAGE_LONGS];
                }
            }
            spread(p, n, homes, before);
            return new ListedKeyTable(p, cells, homes, largeSizes.isEmpty() ? Map.of() : Map.copyOf(largeSizes), n);
        }
    }

    // --- sealing -----------------------------------------------------------------------------

    private static long hiAt(long[][] p, int i) {
        return p[i >>> PAGE_SHIFT][(i & PAGE_MASK) * CELL_LONGS];
    }

    /** Orders cells by unsigned hi, then unsigned lo, then bucket (so equal keys are adjacent). */
    private static int compare(long[][] p, int i, int j) {
        long[] a = p[i >>> PAGE_SHIFT];
        long[] b = p[j >>> PAGE_SHIFT];
        int x = (i & PAGE_MASK) * CELL_LONGS;
        int y = (j & PAGE_MASK) * CELL_LONGS;
        int c = Long.compareUnsigned(a[x], b[y]);
        if (c == 0) {
            c = Long.compareUnsigned(a[x + 1], b[y + 1]);
        }
        if (c == 0) {
            c = Long.compare(a[x + FACTS] & ARCHIVE, b[y + FACTS] & ARCHIVE);
        }
        return c;
    }

    private static void swap(long[][] p, int i, int j) {
        long[] a = p[i >>> PAGE_SHIFT];
        long[] b = p[j >>> PAGE_SHIFT];
        int x = (i & PAGE_MASK) * CELL_LONGS;
        int y = (j & PAGE_MASK) * CELL_LONGS;
        for (int k = 0; k < CELL_LONGS; k++) {
            long t = a[x + k];
            a[x + k] = b[y + k];
            b[y + k] = t;
        }
    }

    private static void copy(long[][] p, int from, int to) {
        System.arraycopy(p[from >>> PAGE_SHIFT], (from & PAGE_MASK) * CELL_LONGS, p[to >>> PAGE_SHIFT],
                (to & PAGE_MASK) * CELL_LONGS, CELL_LONGS);
    }

    /** In-place MSD radix sort (American flag sort) of cells [from, to) on the byte of hi at {@code shift}. */
    private static void radixSort(long[][] p, int from, int to, int shift) {
        if (to - from <= INSERTION_SORT_MAX || shift < 0) {
            insertionSort(p, from, to);
            return;
        }
        int[] next = new int[256];
        int[] end = new int[256];
        for (int i = from; i < to; i++) {
            end[(int) (hiAt(p, i) >>> shift) & 0xff]++;
        }
        int start = from;
        for (int b = 0; b < 256; b++) {
            next[b] = start;
            start += end[b];
            end[b] = start;
        }
        for (int b = 0; b < 256; b++) {
            while (next[b] < end[b]) {
                int i = next[b];
                int digit = (int) (hiAt(p, i) >>> shift) & 0xff;
                if (digit == b) {
                    next[b]++;
                } else {
                    swap(p, i, next[digit]++);
                }
            }
        }
        start = from;
        for (int b = 0; b < 256; b++) {
            if (end[b] - start > 1) {
                radixSort(p, start, end[b], shift - 8);
            }
            start = end[b];
        }
    }

    private static void insertionSort(long[][] p, int from, int to) {
        for (int i = from + 1; i < to; i++) {
            for (int j = i; j > from && compare(p, j - 1, j) > 0; j--) {
                swap(p, j - 1, j);
            }
        }
    }

    /** Keeps the first of each run of equal keys; returns the new count. */
    private static int dropDuplicates(long[][] p, int n) {
        int kept = 1;
        for (int i = 1; i < n; i++) {
            if (compare(p, kept - 1, i) != 0) {
                if (kept != i) {
                    copy(p, i, kept);
                }
                kept++;
            }
        }
        return kept;
    }

    /**
     * position(i) = i + max over j &le; i of (home(j) - j). Fills {@code before[b]} with that
     * maximum over the keys before block b (Integer.MIN_VALUE / 2 for none), and returns the last
     * key's position.
     */
    private static int lastPosition(long[][] p, int n, int homes, int[] before) {
        int max = Integer.MIN_VALUE / 2;
        for (int i = 0; i < n; i++) {
            if (i % SPREAD_BLOCK == 0) {
                before[i / SPREAD_BLOCK] = max;
            }
            max = Math.max(max, home(hiAt(p, i), homes) - i);
        }
        return n - 1 + max;
    }

    /** Moves every key to its position, back to front, and fills the gaps before each key. */
    private static void spread(long[][] p, int n, int homes, int[] before) {
        int[] offset = new int[SPREAD_BLOCK];
        for (int block = before.length - 1; block >= 0; block--) {
            int first = block * SPREAD_BLOCK;
            int last = Math.min(n, first + SPREAD_BLOCK) - 1;
            int max = before[block];
            for (int i = first; i <= last; i++) {
                max = Math.max(max, home(hiAt(p, i), homes) - i);
                offset[i - first] = max;
            }
            for (int i = last; i >= first; i--) {
                int position = i + offset[i - first];
                int previous = i == 0 ? -1 : i - 1 + (i == first ? before[block] : offset[i - first - 1]);
                long[] from = p[i >>> PAGE_SHIFT];
                int f = (i & PAGE_MASK) * CELL_LONGS;
                long hi = from[f];
                long lo = from[f + 1];
                long facts = from[f + FACTS];
                long[] to = p[position >>> PAGE_SHIFT];
                int t = (position & PAGE_MASK) * CELL_LONGS;
                to[t] = hi;
                to[t + 1] = lo;
                to[t + FACTS] = facts;
                for (int gap = Math.max(previous + 1, 0); gap < position; gap++) {
                    long[] g = p[gap >>> PAGE_SHIFT];
                    int at = (gap & PAGE_MASK) * CELL_LONGS;
                    g[at] = hi;
                    g[at + 1] = lo;
                    g[at + FACTS] = ABSENT;
                }
            }
        }
    }
}
