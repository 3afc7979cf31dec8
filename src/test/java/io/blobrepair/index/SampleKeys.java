package io.blobrepair.index;

import io.blobrepair.cid.StorageKey;

import java.util.SplittableRandom;

/**
 * Storage keys shaped like the bucket's: {@code StorageKey.of(cid)} of a v1 CID, "b" + base32 of
 * the 6-byte SHA-256 CID header and a random 32-byte digest (68 ASCII characters in all).
 */
final class SampleKeys {

    private static final byte[] V1_SHA256_PREFIX = {0x01, 0x00, 0x00, 0x22, 0x12, 0x20};
    private static final char[] BASE32 = "abcdefghijklmnopqrstuvwxyz234567".toCharArray();

    private SampleKeys() {
    }

    /** {@code count} distinct-in-practice keys, the same for the same seed. */
    static String[] generate(int count, long seed) {
        SplittableRandom random = new SplittableRandom(seed);
        String[] keys = new String[count];
        for (int i = 0; i < count; i++) {
            keys[i] = next(random);
        }
        return keys;
    }

    static String next(SplittableRandom random) {
        byte[] raw = new byte[V1_SHA256_PREFIX.length + 32];
        System.arraycopy(V1_SHA256_PREFIX, 0, raw, 0, V1_SHA256_PREFIX.length);
        for (int i = V1_SHA256_PREFIX.length; i < raw.length; i += 8) {
            long r = random.nextLong();
            for (int b = 0; b < 8 && i + b < raw.length; b++) {
                raw[i + b] = (byte) (r >>> (8 * b));
            }
        }
        return StorageKey.of("b" + base32(raw));
    }

    /** RFC 4648 base32, lower case, no padding. */
    private static String base32(byte[] data) {
        StringBuilder out = new StringBuilder((data.length * 8 + 4) / 5);
        int buffer = 0;
        int bits = 0;
        for (byte b : data) {
            buffer = (buffer << 8) | (b & 0xff);
            bits += 8;
            while (bits >= 5) {
                out.append(BASE32[(buffer >>> (bits - 5)) & 31]);
                bits -= 5;
            }
        }
        if (bits > 0) {
            out.append(BASE32[(buffer << (5 - bits)) & 31]);
        }
        return out.toString();
    }
}
