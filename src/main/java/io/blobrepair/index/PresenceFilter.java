package io.blobrepair.index;

import com.google.common.hash.BloomFilter;
import com.google.common.hash.Funnel;
import com.google.common.hash.Funnels;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.time.Instant;

/**
 * A Bloom filter of a node's storage keys (0.1% false positives), built from a complete listing
 * and served to peers, so they ask this node first for blobs it may hold. "Absent" is only
 * trustworthy for blobs older than {@link #builtAt()}: a blob written later is not in it.
 *
 * <p>It is Guava's {@link BloomFilter} of the keys as UTF-8 strings, and its wire format is
 * Guava's serialization. The index keeps only key hashes, and Guava's filter only takes objects,
 * so {@link #of(ListedKeyTable, Instant)} sets the bits Guava would set (its MURMUR128_MITZ_64
 * strategy derives them from the same MurmurHash3 x64 128 as {@link KeyHash}) and hands the
 * result to {@link BloomFilter#readFrom}; a test checks it equals Guava's own filter of the keys.
 */
public final class PresenceFilter {

    /** False-positive rate of the filters this node builds. */
    public static final double FALSE_POSITIVE_RATE = 0.001;
    /** The filter is sized for at least this many keys. */
    static final int MIN_EXPECTED_KEYS = 1000;
    private static final Funnel<CharSequence> FUNNEL = Funnels.stringFunnel(StandardCharsets.UTF_8);
    /** Guava's ordinal of BloomFilterStrategies.MURMUR128_MITZ_64, the strategy of BloomFilter.create. */
    private static final int MURMUR128_MITZ_64 = 1;
    private static final double LOG_TWO = Math.log(2);

    private final BloomFilter<CharSequence> keys;
    private final Instant builtAt;

    private PresenceFilter(BloomFilter<CharSequence> keys, Instant builtAt) {
        this.keys = keys;
        this.builtAt = builtAt;
    }

    /** The filter of every live key of {@code table}, sized as {@code BloomFilter.create} sizes it for their count. */
    static PresenceFilter of(ListedKeyTable table, Instant builtAt) {
        long expected = Math.max(MIN_EXPECTED_KEYS, table.entries());
        // BloomFilter.optimalNumOfBits / optimalNumOfHashFunctions, and LockFreeBitArray's rounding up to whole longs
        long bits = (long) (-expected * Math.log(FALSE_POSITIVE_RATE) / (LOG_TWO * LOG_TWO));
        int hashFunctions = Math.max(1, (int) Math.round(-Math.log(FALSE_POSITIVE_RATE) / LOG_TWO));
        long[] data = new long[Math.toIntExact((bits + 63) / 64)];
        long bitSize = data.length * 64L;
        table.forEachLive((hi, lo) -> {
            long combined = hi;
            for (int i = 0; i < hashFunctions; i++) {
                long bit = (combined & Long.MAX_VALUE) % bitSize;
                data[(int) (bit >>> 6)] |= 1L << bit;
                combined += lo;
            }
        });
        try (InputStream in = new SerializedFilter(hashFunctions, data)) {
            return new PresenceFilter(BloomFilter.readFrom(in, FUNNEL), builtAt);
        } catch (IOException e) {
            throw new IllegalStateException("reading from memory cannot fail", e);
        }
    }

    public boolean mayHold(String storageKey) {
        return keys.mightContain(storageKey);
    }

    public Instant builtAt() {
        return builtAt;
    }

    /** The wire format: Guava's Bloom filter serialization. */
    public byte[] toBytes() {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try {
            keys.writeTo(out);
        } catch (IOException e) {
            throw new IllegalStateException("writing to memory cannot fail", e);
        }
        return out.toByteArray();
    }

    public static PresenceFilter fromBytes(byte[] bytes, Instant builtAt) throws IOException {
        try (InputStream in = new ByteArrayInputStream(bytes)) {
            return new PresenceFilter(BloomFilter.readFrom(in, FUNNEL), builtAt);
        } catch (RuntimeException e) {
            throw new IOException("not a presence filter: " + e.getMessage(), e);
        }
    }

    /** BloomFilter.writeTo's format, read straight from the bit array: strategy, hash functions, length, longs (big-endian). */
    private static final class SerializedFilter extends InputStream {
        private final byte[] header;
        private final long[] data;
        private long position;

        SerializedFilter(int hashFunctions, long[] data) {
            int length = data.length;
            this.header = new byte[] {(byte) MURMUR128_MITZ_64, (byte) hashFunctions,
                    (byte) (length >>> 24), (byte) (length >>> 16), (byte) (length >>> 8), (byte) length};
            this.data = data;
        }

        @Override
        public int read() {
            long total = header.length + 8L * data.length;
            if (position >= total) {
                return -1;
            }
            long p = position++;
            if (p < header.length) {
                return header[(int) p] & 0xff;
            }
            long offset = p - header.length;
            return (int) (data[(int) (offset >>> 3)] >>> (56 - 8 * (offset & 7))) & 0xff;
        }
    }
}
