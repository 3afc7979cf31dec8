package io.blobrepair.index;

import java.util.Arrays;
import java.util.concurrent.locks.StampedLock;

/**
 * A compact map from a storage key to (size, lastModifiedMillis), built for a bucket listing of
 * millions of keys: no per-entry objects, no boxed values and no key strings are kept, only a
 * 128-bit hash of each key.
 *
 * <h2>Layout</h2>
 * Two paged primitive arrays (pages of 256 KiB, so that no array is a GC "humongous" object, growth
 * never copies more than one page and slack is at most one page):
 * <ul>
 *   <li><b>entries</b>, {@code long[][]} pages with 4 longs per entry: hash hi, hash lo, size,
 *       lastModifiedMillis (32 bytes per entry, all values stored exactly). Entries are appended;
 *       an entry's position is its <em>slot</em>, as returned by {@link #find}.</li>
 *   <li><b>index</b>, {@code int[][]} pages making one table of power-of-two capacity, open
 *       addressing with linear probing, load factor at most 0.7 (the index doubles beyond it). A
 *       key's home cell is the low bits of hash hi. A cell holds {@code 0} for <em>empty</em> (the
 *       only sentinel), or {@code (tag | (slot + 1))}: the low log2(capacity) bits are
 *       {@code slot + 1}, the bits above are a tag, the same bits of {@code (int) (hash lo >>> 32)}.
 *       The tag lets a probe skip most non-matching cells without reading the entries; a match is
 *       always confirmed on the full 128-bit hash.</li>
 * </ul>
 * Since emptiness lives in the index and slot + 1 is never 0, <b>every</b> 128-bit hash value,
 * (0, 0) included, is a valid key hash: no hash value is reserved. Memory is 32 bytes per entry
 * plus 4 bytes per index cell (4/0.7 to 4/0.35 bytes per entry), plus at most one partly used
 * page; measure it with {@code IndexFootprint} (test sources) rather than trusting this arithmetic.
 *
 * <p>{@link #remove} uses backward-shift deletion in the index (no tombstones). It leaves the
 * removed entry where it is, as an unreferenced hole, so a removal never moves another entry.
 * Holes are reclaimed by {@link #put} (which compacts the entries in place, rather than growing,
 * once holes make up an eighth of the used positions) and by {@link #trimToSize()}.
 *
 * <h2>Keys and the false-"present" bound</h2>
 * A key is identified by its {@link KeyHash} (MurmurHash3 x64 128 of its UTF-8 bytes); the key
 * itself is not kept.
 * Two different keys with the same 128-bit hash are one key to this table: a lookup of a key that
 * was never put would report the other key's facts, i.e. a never-listed key would look
 * <em>present</em>. Treating the hash as a random function of distinct keys, with {@code n} keys
 * in the table:
 * <ul>
 *   <li>P(any two of the n keys collide) &le; n(n-1)/2 &middot; 2<sup>-128</sup> &le;
 *       n&sup2;/2<sup>129</sup>, about 1.5e-27 at n = 1e6 (1.5e-23 at n = 1e8);</li>
 *   <li>P(a given key that was never put looks present) &le; n/2<sup>128</sup>, about 2.9e-33 at
 *       n = 1e6, so at most m&middot;n/2<sup>128</sup> over m such lookups.</li>
 * </ul>
 * These bounds assume keys not crafted against MurmurHash3, which is not a cryptographic hash.
 *
 * <h2>Thread safety</h2>
 * <ul>
 *   <li>Mutators ({@link #put}, {@link #remove}, {@link #trimToSize()}) are mutually exclusive
 *       (one write lock), so any number of threads may call them; {@code remove} may run from
 *       several threads while readers look keys up.</li>
 *   <li>{@link #find} and {@link #findAll} may run from any number of threads. They read
 *       optimistically and re-check that no mutator ran meanwhile (a {@link StampedLock} optimistic
 *       read); if one did, they look again under the read lock. So a lookup concurrent with
 *       mutators answers from the state before or after each of them: a key being removed
 *       concurrently is seen present or absent, and every other key is seen as it is.</li>
 *   <li>A slot returned by {@link #find} or {@link #findAll} stays valid for {@link #size(int)} and
 *       {@link #lastModified(int)} across any number of {@link #remove} calls, its own key's
 *       included (a removed key's slot keeps its facts). It is invalidated by the next
 *       {@link #put} or {@link #trimToSize()} (which may move or reuse entries), so reading a
 *       slot's facts concurrently with {@code put}/{@code trimToSize} is not supported: build the
 *       table first (single writer), publish it safely, then look up and remove.</li>
 *   <li>{@link #entries()} is a volatile read and may be called at any time.</li>
 * </ul>
 */
public final class CompactKeyTable {

    /** Index cells are 4-byte ints; an index page is 2^16 cells, 256 KiB. */
    private static final int INDEX_PAGE_SHIFT = 16;
    private static final int INDEX_PAGE_MASK = (1 << INDEX_PAGE_SHIFT) - 1;
    /** Entries are 4 longs, 32 bytes; an entries page is 2^13 entries, 256 KiB. */
    private static final int ENTRY_PAGE_SHIFT = 13;
    private static final int ENTRY_PAGE_MASK = (1 << ENTRY_PAGE_SHIFT) - 1;
    private static final int ENTRY_PAGE_LONGS = 4 << ENTRY_PAGE_SHIFT;

    private static final int MIN_CAPACITY = 16;
    private static final int MAX_CAPACITY = 1 << 30;
    /** Most entries a table holds: as many as a full-size index may reference. */
    static final int MAX_ENTRIES = maxLoad(MAX_CAPACITY);

    private static final int SIZE = 2;
    private static final int MODIFIED = 3;


    /**
     * The page directories a lookup reads, replaced whole whenever one of them changes. Pages may
     * be shared by successive instances.
     */
    private static final class Tables {
        final int[][] index;
        final int mask;
        final long[][] entries;
        /** Entries the entries pages have room for. */
        final int positions;

        Tables(int[][] index, int capacity, long[][] entries) {
            this.index = index;
            this.mask = capacity - 1;
            this.entries = entries;
            int last = entries.length - 1;
            this.positions = (last << ENTRY_PAGE_SHIFT) + (entries[last].length >> 2);
        }
    }

    private final StampedLock lock = new StampedLock();
    private volatile Tables tables;
    /** Live entries. Written under the write lock only. */
    private volatile int live;
    /** Entry positions in use, live or holes. Guarded by the write lock. */
    private int used;

    /**
     * @param expectedEntries how many keys the table is expected to hold; it sizes the index
     *     (load factor at most 0.7) and the entries pages exactly. A wrong guess only costs time:
     *     the table grows as needed.
     * @throws IllegalArgumentException if {@code expectedEntries} is negative
     */
    public CompactKeyTable(int expectedEntries) {
        if (expectedEntries < 0) {
            throw new IllegalArgumentException("expectedEntries < 0: " + expectedEntries);
        }
        int expected = Math.min(expectedEntries, MAX_ENTRIES);
        int capacity = capacityFor(expected);
        tables = new Tables(newIndex(capacity), capacity, newEntries(Math.max(expected, 8)));
    }

    /**
     * Maps {@code key} to the given facts, replacing the facts of a key already present.
     *
     * @throws IllegalStateException when the table already holds {@link #MAX_ENTRIES} keys
     */
    public void put(String key, long size, long lastModifiedMillis) {
        put(hash(key), size, lastModifiedMillis, true);
    }

    /**
     * Adds the key of {@code h} with the given facts unless it is present; returns whether it
     * was added. Atomic: of concurrent calls for one key, exactly one returns true.
     *
     * @throws IllegalStateException when the table already holds {@link #MAX_ENTRIES} keys
     */
    boolean addIfAbsent(KeyHash h, long size, long lastModifiedMillis) {
        return put(h, size, lastModifiedMillis, false);
    }

    /** Adds the key, or replaces its facts when {@code replace}; returns whether it was added. */
    private boolean put(KeyHash h, long size, long lastModifiedMillis, boolean replace) {
        long stamp = lock.writeLock();
        try {
            Tables t = tables;
            int slot = probe(t, h.hi(), h.lo());
            boolean added = slot < 0;
            if (!added && !replace) {
                return false;
            }
            if (added) {
                t = roomForOne(t);
                slot = used++;
            }
            long[] page = t.entries[slot >>> ENTRY_PAGE_SHIFT];
            int at = (slot & ENTRY_PAGE_MASK) << 2;
            page[at + SIZE] = size;
            page[at + MODIFIED] = lastModifiedMillis;
            if (added) {
                page[at] = h.hi();
                page[at + 1] = h.lo();
                link(t.index, t.mask, h.hi(), h.lo(), slot);
                live = live + 1;
            }
            return added;
        } finally {
            lock.unlockWrite(stamp);
        }
    }

    /** Removes {@code key}; returns whether it was present. */
    public boolean remove(String key) {
        KeyHash h = hash(key);
        long stamp = lock.writeLock();
        try {
            Tables t = tables;
            int[][] index = t.index;
            int mask = t.mask;
            int tag = tag(h.lo(), mask);
            int cell = (int) h.hi() & mask;
            int slot;
            while (true) {
                int v = index[cell >>> INDEX_PAGE_SHIFT][cell & INDEX_PAGE_MASK];
                if (v == 0) {
                    return false;
                }
                if ((v & ~mask) == tag) {
                    slot = (v & mask) - 1;
                    if (hiOf(t, slot) == h.hi() && loOf(t, slot) == h.lo()) {
                        break;
                    }
                }
                cell = (cell + 1) & mask;
            }
            // Backward-shift deletion: walk the run after the freed cell and pull back every entry
            // whose home is not cyclically within (hole, j], so that no probe chain is broken.
            int hole = cell;
            int j = cell;
            while (true) {
                j = (j + 1) & mask;
                int v = index[j >>> INDEX_PAGE_SHIFT][j & INDEX_PAGE_MASK];
                if (v == 0) {
                    break;
                }
                int home = (int) hiOf(t, (v & mask) - 1) & mask;
                if (((j - home) & mask) >= ((j - hole) & mask)) {
                    index[hole >>> INDEX_PAGE_SHIFT][hole & INDEX_PAGE_MASK] = v;
                    hole = j;
                }
            }
            index[hole >>> INDEX_PAGE_SHIFT][hole & INDEX_PAGE_MASK] = 0;
            if (slot == used - 1) {
                used--;
            }
            live = live - 1;
            return true;
        } finally {
            lock.unlockWrite(stamp);
        }
    }

    /**
     * The slot of {@code key}, or -1 when absent. Hashes the key once; read its facts with
     * {@link #size(int)} and {@link #lastModified(int)}.
     */
    public int find(String key) {
        KeyHash h = hash(key);
        StampedLock l = lock;
        long stamp = l.tryOptimisticRead();
        if (stamp != 0L) {
            int slot = probe(tables, h.hi(), h.lo());
            if (l.validate(stamp)) {
                return slot;
            }
        }
        stamp = l.readLock();
        try {
            return probe(tables, h.hi(), h.lo());
        } finally {
            l.unlockRead(stamp);
        }
    }

    /**
     * Looks up {@code keys[i]} into {@code slots[i]} (-1 when absent) for every i, as
     * {@link #find} would. It hashes all keys first and then probes, so that the memory accesses of
     * different keys overlap: on a table much larger than the CPU caches it is, per key, about 2.5
     * times as fast as {@link #find} (measured at 1M entries with batches of 64). All answers are
     * from one state of the table.
     *
     * @throws IllegalArgumentException if {@code slots} is shorter than {@code keys}
     */
    public void findAll(String[] keys, int[] slots) {
        int n = keys.length;
        if (slots.length < n) {
            throw new IllegalArgumentException("slots.length " + slots.length + " < keys.length " + n);
        }
        long[] hashes = new long[2 * n];
        for (int i = 0; i < n; i++) {
            KeyHash h = hash(keys[i]);
            hashes[2 * i] = h.hi();
            hashes[2 * i + 1] = h.lo();
        }
        StampedLock l = lock;
        long stamp = l.tryOptimisticRead();
        if (stamp != 0L) {
            probeAll(tables, hashes, slots, n);
            if (l.validate(stamp)) {
                return;
            }
        }
        stamp = l.readLock();
        try {
            probeAll(tables, hashes, slots, n);
        } finally {
            l.unlockRead(stamp);
        }
    }

    /** The size stored for the key that {@link #find} returned {@code slot} for. */
    public long size(int slot) {
        return tables.entries[slot >>> ENTRY_PAGE_SHIFT][((slot & ENTRY_PAGE_MASK) << 2) + SIZE];
    }

    /** The last-modified time (epoch millis) stored for the key that {@link #find} returned {@code slot} for. */
    public long lastModified(int slot) {
        return tables.entries[slot >>> ENTRY_PAGE_SHIFT][((slot & ENTRY_PAGE_MASK) << 2) + MODIFIED];
    }

    /** How many keys the table holds. */
    public int entries() {
        return live;
    }

    /**
     * Drops holes left by removals, growth slack in the last entries page, and index capacity
     * beyond what the live entries need. Useful after many removals; after a plain build the
     * slack is at most one page (256 KiB). Invalidates slots returned before.
     */
    public void trimToSize() {
        long stamp = lock.writeLock();
        try {
            int n = live;
            rebuild(capacityFor(n));
            Tables t = tables;
            int full = n >>> ENTRY_PAGE_SHIFT;
            int rest = n & ENTRY_PAGE_MASK;
            int count = rest > 0 || full == 0 ? full + 1 : full;
            long[][] trimmed = Arrays.copyOf(t.entries, count);
            if (rest > 0 || full == 0) {
                long[] last = trimmed[count - 1];
                trimmed[count - 1] = last.length == rest * 4 ? last : Arrays.copyOf(last, rest * 4);
            }
            tables = new Tables(t.index, t.mask + 1, trimmed);
        } finally {
            lock.unlockWrite(stamp);
        }
    }

    /** Index capacity (number of cells), for tests. */
    int capacity() {
        return tables.mask + 1;
    }

    /** The 128-bit key hash {hi, lo} this table uses, for tests. */
    static long[] hash128(String key) {
        KeyHash h = hash(key);
        return new long[] {h.hi(), h.lo()};
    }

    // --- internals ---------------------------------------------------------------------------

    /** Most entries an index of {@code capacity} cells may reference: load factor 0.7. */
    private static int maxLoad(int capacity) {
        return (int) ((long) capacity * 7 / 10);
    }

    private static int capacityFor(int entries) {
        int capacity = MIN_CAPACITY;
        while (maxLoad(capacity) < entries) {
            capacity <<= 1;
        }
        return capacity;
    }

    private static int[][] newIndex(int capacity) {
        int cells = Math.min(capacity, 1 << INDEX_PAGE_SHIFT);
        int[][] pages = new int[capacity / cells][];
        for (int i = 0; i < pages.length; i++) {
            pages[i] = new int[cells];
        }
        return pages;
    }

    /** Entries pages for exactly {@code positions} entries (at least one page, all full but the last). */
    private static long[][] newEntries(int positions) {
        int full = positions >>> ENTRY_PAGE_SHIFT;
        int rest = positions & ENTRY_PAGE_MASK;
        long[][] pages = new long[full + (rest > 0 || full == 0 ? 1 : 0)][];
        for (int i = 0; i < full; i++) {
            pages[i] = new long[ENTRY_PAGE_LONGS];
        }
        if (rest > 0 || full == 0) {
            pages[full] = new long[rest * 4];
        }
        return pages;
    }

    private static long hiOf(Tables t, int slot) {
        return t.entries[slot >>> ENTRY_PAGE_SHIFT][(slot & ENTRY_PAGE_MASK) << 2];
    }

    private static long loOf(Tables t, int slot) {
        return t.entries[slot >>> ENTRY_PAGE_SHIFT][((slot & ENTRY_PAGE_MASK) << 2) + 1];
    }

    private static int tag(long lo, int mask) {
        return (int) (lo >>> 32) & ~mask;
    }

    /**
     * The slot holding (hi, lo), or -1. Safe on a state torn by a concurrent mutator (bounded, in
     * range); its answer is then discarded by the caller's validation.
     */
    private static int probe(Tables t, long hi, long lo) {
        int[][] index = t.index;
        long[][] entries = t.entries;
        int mask = t.mask;
        int positions = t.positions;
        int tag = tag(lo, mask);
        int cell = (int) hi & mask;
        for (int n = 0; n <= mask; n++) {
            int v = index[cell >>> INDEX_PAGE_SHIFT][cell & INDEX_PAGE_MASK];
            if (v == 0) {
                return -1;
            }
            if ((v & ~mask) == tag) {
                int slot = (v & mask) - 1;
                if (slot < positions) {
                    long[] page = entries[slot >>> ENTRY_PAGE_SHIFT];
                    int at = (slot & ENTRY_PAGE_MASK) << 2;
                    if (page[at] == hi && page[at + 1] == lo) {
                        return slot;
                    }
                }
            }
            cell = (cell + 1) & mask;
        }
        return -1;
    }

    private static void probeAll(Tables t, long[] hashes, int[] slots, int n) {
        for (int i = 0; i < n; i++) {
            slots[i] = probe(t, hashes[2 * i], hashes[2 * i + 1]);
        }
    }

    /** Puts slot into the first empty cell of its probe chain; the key must not be linked yet. */
    private static void link(int[][] index, int mask, long hi, long lo, int slot) {
        int cell = (int) hi & mask;
        while (index[cell >>> INDEX_PAGE_SHIFT][cell & INDEX_PAGE_MASK] != 0) {
            cell = (cell + 1) & mask;
        }
        index[cell >>> INDEX_PAGE_SHIFT][cell & INDEX_PAGE_MASK] = tag(lo, mask) | (slot + 1);
    }

    /**
     * Makes room for one more entry at position {@code used}: the index must be able to reference
     * it (used below the load limit) and the pages must have room for it. Compacts when holes are
     * at least an eighth of the used positions, else doubles the index or adds entries room.
     */
    private Tables roomForOne(Tables t) {
        int capacity = t.mask + 1;
        int holes = used - live;
        if (used >= maxLoad(capacity)) {
            boolean compact = holes > 0 && (holes >= used >>> 3 || capacity == MAX_CAPACITY);
            if (!compact && capacity == MAX_CAPACITY) {
                throw new IllegalStateException("CompactKeyTable is full: " + live + " entries");
            }
            rebuild(compact ? capacity : capacity << 1);
        } else if (used == t.positions && holes > 0 && holes >= used >>> 3) {
            rebuild(capacity);
        }
        t = tables;
        if (used == t.positions) {
            long[][] pages = t.entries;
            int last = pages.length - 1;
            long[][] grown;
            if (pages[last].length < ENTRY_PAGE_LONGS) {
                int length = pages[last].length;
                int longer = Math.min(ENTRY_PAGE_LONGS, Math.max(length + (length >>> 2), length + 64));
                grown = pages.clone();
                grown[last] = Arrays.copyOf(pages[last], longer);
            } else {
                grown = Arrays.copyOf(pages, pages.length + 1);
                grown[last + 1] = new long[ENTRY_PAGE_LONGS];
            }
            t = new Tables(t.index, t.mask + 1, grown);
            tables = t;
        }
        return t;
    }

    /**
     * A fresh index of {@code capacity} cells, and the live entries packed from position 0 in
     * their current order, in place (an entry only moves down, never over one not yet moved).
     */
    private void rebuild(int capacity) {
        Tables old = tables;
        long[][] pages = old.entries;
        int[][] index = newIndex(capacity);
        int mask = capacity - 1;
        boolean holes = used != live;
        int k = 0;
        for (int p = 0; p < used; p++) {
            long[] from = pages[p >>> ENTRY_PAGE_SHIFT];
            int f = (p & ENTRY_PAGE_MASK) << 2;
            long hi = from[f];
            long lo = from[f + 1];
            // A hole is a position no index cell points to; with holes about, ask the old index.
            if (holes && probe(old, hi, lo) != p) {
                continue;
            }
            if (k != p) {
                long[] to = pages[k >>> ENTRY_PAGE_SHIFT];
                int d = (k & ENTRY_PAGE_MASK) << 2;
                to[d] = hi;
                to[d + 1] = lo;
                to[d + SIZE] = from[f + SIZE];
                to[d + MODIFIED] = from[f + MODIFIED];
            }
            link(index, mask, hi, lo, k);
            k++;
        }
        used = k;
        tables = new Tables(index, capacity, pages);
    }

    private static KeyHash hash(String key) {
        return KeyHash.of(key);
    }
}
