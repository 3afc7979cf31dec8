package io.blobrepair.index;

import org.apache.commons.codec.digest.MurmurHash3;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;

import static org.assertj.core.api.Assertions.assertThat;

class KeyHashTest {

    /**
     * Commons-codec's MurmurHash3 x64 128 for every key length from 0 to 3 blocks and a half:
     * empty, each tail length (1-15 bytes, so both tail words), whole blocks only.
     */
    @Test
    void isMurmur3x64x128OfTheUtf8BytesForEveryTailLength() {
        StringBuilder key = new StringBuilder();
        for (int length = 0; length <= 56; length++) {
            String k = key.toString();
            long[] expected = MurmurHash3.hash128x64(k.getBytes(StandardCharsets.UTF_8));

            KeyHash h = KeyHash.of(k);

            assertThat(new long[] {h.hi(), h.lo()}).as("length %d", length).containsExactly(expected);
            key.append((char) ('a' + length % 26));
        }
    }

    @Test
    void multiByteCharactersAreHashedAsUtf8() {
        String key = "ключ/\uD83D\uDE00.jpg";
        long[] expected = MurmurHash3.hash128x64(key.getBytes(StandardCharsets.UTF_8));

        KeyHash h = KeyHash.of(key);

        assertThat(new long[] {h.hi(), h.lo()}).containsExactly(expected);
    }
}
