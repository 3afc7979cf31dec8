package io.blobrepair.index;

import com.google.common.hash.BloomFilter;
import com.google.common.hash.Funnels;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The filter built from the index's hashes is Guava's filter of the keys, bit for bit. */
class PresenceFilterTest {

    @ParameterizedTest(name = "{0} keys")
    @ValueSource(ints = {0, 1, 999, 1000, 1001, 20_000})
    void filterFromHashesEqualsGuavasFilterOfTheKeys(int n) throws IOException {
        String[] keys = SampleKeys.generate(n, n);
        List<ListedKeyTableTest.Cell> cells = new ArrayList<>();
        BloomFilter<CharSequence> guava = BloomFilter.create(Funnels.stringFunnel(StandardCharsets.UTF_8),
                Math.max(PresenceFilter.MIN_EXPECTED_KEYS, n), PresenceFilter.FALSE_POSITIVE_RATE);
        for (int i = 0; i < n; i++) {
            KeyHash h = KeyHash.of(keys[i]);
            // every 5th key is the archive bucket's: the filter covers both buckets
            cells.add(new ListedKeyTableTest.Cell(h.hi(), h.lo(), i % 5 == 0, i, i));
            guava.put(keys[i]);
        }
        PresenceFilter ours = PresenceFilter.of(ListedKeyTableTest.seal(cells, 1000), Instant.EPOCH);

        BloomFilter<CharSequence> read = BloomFilter.readFrom(new ByteArrayInputStream(ours.toBytes()),
                Funnels.stringFunnel(StandardCharsets.UTF_8));
        assertThat(read).isEqualTo(guava);
        for (String key : keys) {
            assertThat(ours.mayHold(key)).isTrue();
        }
    }

    /**
     * What a peer reads back: the same filter and date; every listed key may be held, and about
     * 0.1% of other keys (1 expected of 2000; at most 10 allowed) are false positives.
     */
    @Test
    void aFilterReadBackHoldsTheListedKeysAndFewOthers() throws IOException {
        String[] listed = SampleKeys.generate(1000, 11);
        String[] others = SampleKeys.generate(2000, 12);
        List<ListedKeyTableTest.Cell> cells = new ArrayList<>();
        for (String key : listed) {
            KeyHash h = KeyHash.of(key);
            cells.add(new ListedKeyTableTest.Cell(h.hi(), h.lo(), false, 1, 1));
        }
        Instant built = Instant.parse("2026-01-02T03:04:05Z");

        PresenceFilter read = PresenceFilter.fromBytes(PresenceFilter.of(ListedKeyTableTest.seal(cells, 1000), built).toBytes(), built);

        assertThat(read.builtAt()).isEqualTo(built);
        for (String key : listed) {
            assertThat(read.mayHold(key)).as(key).isTrue();
        }
        long falsePositives = java.util.Arrays.stream(others).filter(read::mayHold).count();
        assertThat(falsePositives).isLessThanOrEqualTo(10);
    }

    @Test
    void bytesThatAreNoFilterAreAnIoError() {
        assertThatThrownBy(() -> PresenceFilter.fromBytes(new byte[] {1, 2, 3}, Instant.EPOCH)).isInstanceOf(IOException.class);
        assertThatThrownBy(() -> PresenceFilter.fromBytes(new byte[] {99, 1, 0, 0, 0, 1}, Instant.EPOCH)).isInstanceOf(IOException.class);
    }
}
