package io.blobrepair.index;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;

/**
 * The storage keys a repair cycle has handled, so a CID met again later in the cycle is skipped,
 * without keeping key strings: a key the listing saw is one bit, at its cell in the presence
 * index's table (1 bit per cell, about 0.15 bytes per listed key); any other key (a missing
 * blob, or every key when there is no listing) is its 128-bit {@link KeyHash} in a
 * {@link CompactKeyTable} (about 40 bytes per such key). A key marked absent during the cycle
 * keeps its cell, so it stays seen.
 *
 * <p>Thread-safe: of concurrent calls with one key, exactly one is its first time. Two different
 * keys are one key here only if their 128-bit hashes collide (the index's bound applies).
 */
public final class SeenKeys {

    private static final VarHandle BITS = MethodHandles.arrayElementVarHandle(long[].class);

    private final ListedKeyTable listed;
    private final boolean archive;
    private final long[] seenListed;
    private final CompactKeyTable unlisted = new CompactKeyTable(1024);

    SeenKeys(ListedKeyTable listed, boolean archive) {
        this.listed = listed;
        this.archive = archive;
        this.seenListed = new long[(listed.cells() + 63) >>> 6];
    }

    /** Before a presence index exists: every key by its hash. */
    public static SeenKeys withoutIndex() {
        return new SeenKeys(ListedKeyTable.empty(), false);
    }

    /** Marks {@code storageKey} seen; true only for the first call with it. */
    public boolean firstTime(String storageKey) {
        KeyHash h = KeyHash.of(storageKey);
        int cell = listed.slotOf(h.hi(), h.lo(), 0);
        if (cell < 0 && archive) {
            cell = listed.slotOf(h.hi(), h.lo(), ListedKeyTable.ARCHIVE);
        }
        if (cell >= 0) {
            long bit = 1L << cell;
            return ((long) BITS.getAndBitwiseOr(seenListed, cell >>> 6, bit) & bit) == 0;
        }
        return unlisted.addIfAbsent(h, 0, 0);
    }
}
