package io.blobrepair.index;

import io.blobrepair.cid.Cid;
import org.apache.commons.codec.digest.MurmurHash3;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.SplittableRandom;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class CompactKeyTableTest {

    private static final String KEY = "ru7u2/baeaaaiqsecffzabbj7utfkkmywbhlls46twtaq3fbvpbozvugl4bqszfru7u2";

    @Test
    void putThenFind() {
        var table = new CompactKeyTable(10);
        table.put(KEY, 1234, 1_700_000_000_123L);

        int slot = table.find(KEY);
        assertThat(slot).isNotNegative();
        assertThat(table.size(slot)).isEqualTo(1234);
        assertThat(table.lastModified(slot)).isEqualTo(1_700_000_000_123L);
        assertThat(table.entries()).isEqualTo(1);
    }

    @Test
    void emptyTableFindsNothing() {
        var table = new CompactKeyTable(0);
        assertThat(table.find(KEY)).isEqualTo(-1);
        assertThat(table.find("")).isEqualTo(-1);
        assertThat(table.remove(KEY)).isFalse();
        assertThat(table.entries()).isZero();
    }

    @Test
    void putOverwritesAnExistingKey() {
        var table = new CompactKeyTable(10);
        table.put(KEY, 1, 2);
        table.put(KEY, 3, 4);

        assertThat(table.entries()).isEqualTo(1);
        int slot = table.find(KEY);
        assertThat(table.size(slot)).isEqualTo(3);
        assertThat(table.lastModified(slot)).isEqualTo(4);
    }

    @Test
    void storesExtremeFactsExactly() {
        var table = new CompactKeyTable(10);
        long[][] facts = {{0, 0}, {-1, -1}, {Long.MAX_VALUE, Long.MIN_VALUE}, {Long.MIN_VALUE, Long.MAX_VALUE},
            {5L << 40, 253_402_300_799_999L}};
        for (int i = 0; i < facts.length; i++) {
            table.put("k" + i, facts[i][0], facts[i][1]);
        }
        for (int i = 0; i < facts.length; i++) {
            int slot = table.find("k" + i);
            assertThat(table.size(slot)).isEqualTo(facts[i][0]);
            assertThat(table.lastModified(slot)).isEqualTo(facts[i][1]);
        }
    }

    @Test
    void removeDropsOnlyThatKey() {
        var table = new CompactKeyTable(10);
        table.put("a", 1, 10);
        table.put("b", 2, 20);

        assertThat(table.remove("a")).isTrue();
        assertThat(table.remove("a")).isFalse();
        assertThat(table.find("a")).isEqualTo(-1);
        assertThat(table.size(table.find("b"))).isEqualTo(2);
        assertThat(table.entries()).isEqualTo(1);

        table.put("a", 5, 50);
        assertThat(table.size(table.find("a"))).isEqualTo(5);
        assertThat(table.entries()).isEqualTo(2);
    }

    @Test
    void keysNeverPutAreAbsent() {
        var table = new CompactKeyTable(1000);
        String[] keys = SampleKeys.generate(1000, 1);
        for (String key : keys) {
            table.put(key, 1, 1);
        }
        for (String other : SampleKeys.generate(10_000, 2)) {
            assertThat(table.find(other)).isEqualTo(-1);
            assertThat(table.remove(other)).isFalse();
        }
        // keys that differ from a present one in a single character, or by a prefix
        assertThat(table.find(keys[0].substring(1))).isEqualTo(-1);
        assertThat(table.find(keys[0] + "x")).isEqualTo(-1);
        assertThat(table.find(keys[0].toUpperCase())).isEqualTo(-1);
        assertThat(table.find(keys[0].substring(0, 67) + (keys[0].charAt(67) == 'a' ? 'b' : 'a'))).isEqualTo(-1);
        assertThat(table.entries()).isEqualTo(1000);
    }

    @Test
    void emptyStringAndUnicodeKeys() {
        var table = new CompactKeyTable(4);
        String[] keys = {"", " ", "é", "e\u0301", "ключ/значение", "日本語のキー", "emoji/\uD83D\uDE00", "\u0000",
            "\u0000\u0000", "ä".repeat(100)};
        for (int i = 0; i < keys.length; i++) {
            table.put(keys[i], i, -i);
        }
        assertThat(table.entries()).isEqualTo(keys.length);
        for (int i = 0; i < keys.length; i++) {
            int slot = table.find(keys[i]);
            assertThat(slot).as(keys[i]).isNotNegative();
            assertThat(table.size(slot)).isEqualTo(i);
            assertThat(table.lastModified(slot)).isEqualTo(-i);
        }
        assertThat(table.remove("")).isTrue();
        assertThat(table.find("")).isEqualTo(-1);
        assertThat(table.find("é")).isNotNegative();
    }

    @Test
    void keysOfEveryLengthAreDistinct() {
        // exercises every tail length of the 16-byte blocks of the hash
        var table = new CompactKeyTable(0);
        for (int length = 0; length <= 100; length++) {
            table.put("x".repeat(length), length, length);
            table.put("x".repeat(length) + "y", -length - 1, 0);
        }
        for (int length = 0; length <= 100; length++) {
            assertThat(table.size(table.find("x".repeat(length)))).isEqualTo(length);
            assertThat(table.size(table.find("x".repeat(length) + "y"))).isEqualTo(-length - 1);
        }
        assertThat(table.entries()).isEqualTo(202);
    }

    @Test
    void unpairedSurrogatesAreTheSameKeyAsQuestionMark() {
        // documented limitation: String.getBytes(UTF_8) encodes an unpaired surrogate as '?'
        var table = new CompactKeyTable(4);
        table.put("a\uD800b", 7, 7);
        assertThat(table.find("a?b")).isNotNegative();
    }

    @Test
    void hashIsMurmur3x64x128OfTheUtf8Bytes() {
        Random random = new Random(42);
        List<String> samples = new ArrayList<>(List.of("", KEY, "ключ", "\uD83D\uDE00"));
        for (int i = 0; i < 2000; i++) {
            StringBuilder s = new StringBuilder();
            int length = random.nextInt(200);
            for (int c = 0; c < length; c++) {
                int codePoint = random.nextInt(4) == 0 ? random.nextInt(0x10000, 0x10FFFF) : random.nextInt(0x20, 0x800);
                if (codePoint < 0xD800 || codePoint > 0xDFFF) {
                    s.appendCodePoint(codePoint);
                }
            }
            samples.add(s.toString());
        }
        for (String sample : samples) {
            assertThat(CompactKeyTable.hash128(sample))
                    .as(sample)
                    .containsExactly(MurmurHash3.hash128x64(sample.getBytes(StandardCharsets.UTF_8)));
        }
    }

    @Test
    void findAllAnswersAsFindDoes() {
        var table = new CompactKeyTable(0);
        String[] present = SampleKeys.generate(5000, 13);
        for (int i = 0; i < present.length; i++) {
            table.put(present[i], i, -i);
        }
        table.remove(present[7]);
        String[] absent = SampleKeys.generate(100, 14);
        String[] queries = {present[0], absent[0], "", present[7], present[4999], absent[1], present[0], "ключ"};
        int[] slots = new int[queries.length + 1];
        slots[queries.length] = 42;

        table.findAll(queries, slots);

        for (int i = 0; i < queries.length; i++) {
            assertThat(slots[i]).as(queries[i]).isEqualTo(table.find(queries[i]));
        }
        assertThat(slots[queries.length]).isEqualTo(42); // beyond keys.length: untouched
        assertThat(table.size(slots[4])).isEqualTo(4999);
        assertThat(slots[1]).isEqualTo(-1);
        assertThat(slots[3]).isEqualTo(-1);

        table.findAll(new String[0], new int[0]);
        assertThatThrownBy(() -> table.findAll(queries, new int[2])).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> table.findAll(new String[] {"a", null}, new int[2]))
                .isInstanceOf(NullPointerException.class);
    }

    @Test
    void removeInTheMiddleOfAProbeChainKeepsEveryOtherKey() {
        int capacity = new CompactKeyTable(11).capacity();
        assertThat(capacity).isEqualTo(16);
        // a run of 8 cells, 13..4 wrapping past the end: homes 13,13,13,14,15,15,0,2
        List<String> chain = new ArrayList<>();
        chain.addAll(keysWithHome(13, capacity, 3));
        chain.addAll(keysWithHome(14, capacity, 1));
        chain.addAll(keysWithHome(15, capacity, 2));
        chain.addAll(keysWithHome(0, capacity, 1));
        chain.addAll(keysWithHome(2, capacity, 1));
        List<String> elsewhere = keysWithHome(7, capacity, 2);
        List<String> all = new ArrayList<>(chain);
        all.addAll(elsewhere);

        for (long seed = 0; seed < 20; seed++) {
            List<String> order = new ArrayList<>(all);
            Collections.shuffle(order, new Random(seed));
            for (String removed : all) {
                var table = new CompactKeyTable(11);
                for (String key : order) {
                    table.put(key, key.hashCode(), all.indexOf(key));
                }
                assertThat(table.remove(removed)).isTrue();
                assertThat(table.capacity()).isEqualTo(capacity); // the chain was not rehashed away
                assertThat(table.find(removed)).isEqualTo(-1);
                for (String key : all) {
                    if (!key.equals(removed)) {
                        int slot = table.find(key);
                        assertThat(slot).as("%s after removing %s", key, removed).isNotNegative();
                        assertThat(table.size(slot)).isEqualTo(key.hashCode());
                        assertThat(table.lastModified(slot)).isEqualTo(all.indexOf(key));
                    }
                }
            }
            // and removing them all, one by one, in a random order
            var table = new CompactKeyTable(11);
            order.forEach(key -> table.put(key, key.hashCode(), 0));
            List<String> left = new ArrayList<>(all);
            Collections.shuffle(left, new Random(seed + 100));
            while (!left.isEmpty()) {
                assertThat(table.remove(left.remove(0))).isTrue();
                for (String key : left) {
                    assertThat(table.size(table.find(key))).isEqualTo(key.hashCode());
                }
                assertThat(table.entries()).isEqualTo(left.size());
            }
        }
    }

    @Test
    void growsBeyondExpectedEntries() {
        var table = new CompactKeyTable(4);
        int initialCapacity = table.capacity();
        String[] keys = SampleKeys.generate(50_000, 3);
        for (int i = 0; i < keys.length; i++) {
            table.put(keys[i], i, i * 1000L);
        }
        assertThat(table.capacity()).isGreaterThan(initialCapacity);
        assertThat(table.entries()).isEqualTo(keys.length);
        for (int i = 0; i < keys.length; i++) {
            int slot = table.find(keys[i]);
            assertThat(slot).isNotNegative();
            assertThat(table.size(slot)).isEqualTo(i);
            assertThat(table.lastModified(slot)).isEqualTo(i * 1000L);
        }
    }

    @Test
    void sampleKeysHaveTheStorageKeyShape() {
        for (String key : SampleKeys.generate(100, 4)) {
            assertThat(key).hasSize(68);
            assertThat(Cid.parse(key.substring(6))).isPresent();
            assertThat(Cid.parse(key.substring(6)).get().storageKey()).isEqualTo(key);
        }
    }

    /** 200,000 operations (about 3 s): left out of mutation testing, where it would run for every surviving mutant. */
    @Test
    @Tag("slow")
    void randomOperationsAgreeWithAHashMap() {
        SplittableRandom random = new SplittableRandom(7);
        var table = new CompactKeyTable(1000);
        Map<String, long[]> oracle = new HashMap<>();
        List<String> everPut = new ArrayList<>();
        while (everPut.size() < 200_000) {
            int op = random.nextInt(10);
            if (op < 7 || everPut.isEmpty()) {
                String key = random.nextInt(20) == 0 ? randomText(random) : SampleKeys.next(random);
                long size = random.nextLong();
                long modified = random.nextLong();
                if (!oracle.containsKey(key)) {
                    everPut.add(key);
                }
                table.put(key, size, modified);
                oracle.put(key, new long[] {size, modified});
            } else if (op < 8) {
                String key = everPut.get(random.nextInt(everPut.size()));
                long size = random.nextLong();
                table.put(key, size, -size);
                oracle.put(key, new long[] {size, -size});
            } else {
                String key = everPut.get(random.nextInt(everPut.size()));
                assertThat(table.remove(key)).isEqualTo(oracle.remove(key) != null);
            }
        }
        assertAgrees(table, oracle, everPut);

        for (String other : SampleKeys.generate(200_000, 8)) {
            assertThat(table.find(other)).isEqualTo(-1);
        }

        table.trimToSize();
        assertAgrees(table, oracle, everPut);
        for (int i = 0; i < 1000; i++) { // and it still grows after a trim
            String key = "after-trim-" + i;
            table.put(key, i, i);
            oracle.put(key, new long[] {i, i});
            everPut.add(key);
        }
        assertAgrees(table, oracle, everPut);
    }

    @Test
    void removeAndPutCyclesReuseSpace() {
        SplittableRandom random = new SplittableRandom(9);
        var table = new CompactKeyTable(64);
        Map<String, long[]> oracle = new HashMap<>();
        List<String> keys = new ArrayList<>();
        for (int i = 0; i < 60; i++) {
            keys.add("key-" + i);
        }
        for (int step = 0; step < 100_000; step++) {
            String key = keys.get(random.nextInt(keys.size()));
            if (random.nextBoolean()) {
                table.put(key, step, -step);
                oracle.put(key, new long[] {step, -step});
            } else {
                assertThat(table.remove(key)).isEqualTo(oracle.remove(key) != null);
            }
            if (step % 997 == 0) {
                assertAgrees(table, oracle, keys);
            }
        }
        assertAgrees(table, oracle, keys);
        assertThat(table.capacity()).isLessThanOrEqualTo(128); // holes were reclaimed, not piled up
        table.trimToSize();
        assertAgrees(table, oracle, keys);
    }

    @Test
    void trimToSizeOfAnEmptiedTable() {
        var table = new CompactKeyTable(1000);
        for (int i = 0; i < 1000; i++) {
            table.put("k" + i, i, i);
        }
        for (int i = 0; i < 1000; i++) {
            table.remove("k" + i);
        }
        table.trimToSize();
        assertThat(table.entries()).isZero();
        assertThat(table.capacity()).isEqualTo(16);
        assertThat(table.find("k1")).isEqualTo(-1);
        table.put("k1", 1, 1);
        assertThat(table.size(table.find("k1"))).isEqualTo(1);
    }

    @Test
    void lookupsDuringConcurrentRemovesSeeEveryOtherKey() throws Exception {
        int n = 40_000;
        String[] kept = SampleKeys.generate(n, 10);
        String[] doomed = SampleKeys.generate(n, 11);
        String[] never = SampleKeys.generate(n, 12);
        var table = new CompactKeyTable(2 * n);
        for (int i = 0; i < n; i++) {
            table.put(kept[i], i, i + 1);
            table.put(doomed[i], -i, -i - 1);
        }
        AtomicBoolean removing = new AtomicBoolean(true);
        AtomicReference<String> failure = new AtomicReference<>();
        CountDownLatch start = new CountDownLatch(1);
        List<Thread> threads = new ArrayList<>();
        for (int r = 0; r < 2; r++) {
            int half = r;
            threads.add(new Thread(() -> {
                await(start);
                for (int i = half; i < n; i += 2) {
                    if (!table.remove(doomed[i])) {
                        failure.compareAndSet(null, "remove of a present key returned false: " + doomed[i]);
                    }
                }
            }));
        }
        for (int r = 0; r < 2; r++) {
            boolean batched = r == 1; // one reader uses find, the other findAll
            threads.add(new Thread(() -> {
                await(start);
                int passes = 0;
                int[] keptSlots = new int[n];
                while ((removing.get() || passes < 2) && passes < 1000 && failure.get() == null) {
                    if (batched) {
                        table.findAll(kept, keptSlots);
                    }
                    for (int i = 0; i < n; i++) {
                        int slot = batched ? keptSlots[i] : table.find(kept[i]);
                        if (slot < 0 || table.size(slot) != i || table.lastModified(slot) != i + 1) {
                            failure.compareAndSet(null, "kept key lost or wrong: " + kept[i]);
                        }
                        if (table.find(never[i]) >= 0) {
                            failure.compareAndSet(null, "never-put key present: " + never[i]);
                        }
                        slot = table.find(doomed[i]);
                        if (slot >= 0 && (table.size(slot) != -i || table.lastModified(slot) != -i - 1)) {
                            failure.compareAndSet(null, "doomed key with wrong facts: " + doomed[i]);
                        }
                    }
                    passes++;
                }
            }));
        }
        threads.forEach(Thread::start);
        start.countDown();
        threads.get(0).join(TimeUnit.MINUTES.toMillis(2));
        threads.get(1).join(TimeUnit.MINUTES.toMillis(2));
        removing.set(false);
        for (Thread thread : threads) {
            thread.join(TimeUnit.MINUTES.toMillis(2));
            assertThat(thread.isAlive()).isFalse();
        }
        assertThat(failure.get()).isNull();
        assertThat(table.entries()).isEqualTo(n);
        for (int i = 0; i < n; i++) {
            assertThat(table.find(doomed[i])).isEqualTo(-1);
            assertThat(table.size(table.find(kept[i]))).isEqualTo(i);
        }
    }

    @Test
    void rejectsBadArguments() {
        assertThatThrownBy(() -> new CompactKeyTable(-1)).isInstanceOf(IllegalArgumentException.class);
        var table = new CompactKeyTable(1);
        assertThatThrownBy(() -> table.put(null, 1, 1)).isInstanceOf(NullPointerException.class);
        assertThatThrownBy(() -> table.find(null)).isInstanceOf(NullPointerException.class);
        assertThatThrownBy(() -> table.remove(null)).isInstanceOf(NullPointerException.class);
    }

    private static void assertAgrees(CompactKeyTable table, Map<String, long[]> oracle, List<String> keys) {
        assertThat(table.entries()).isEqualTo(oracle.size());
        for (String key : keys) {
            int slot = table.find(key);
            long[] facts = oracle.get(key);
            if (facts == null) {
                assertThat(slot).as(key).isEqualTo(-1);
            } else {
                assertThat(slot).as(key).isNotNegative();
                assertThat(table.size(slot)).as(key).isEqualTo(facts[0]);
                assertThat(table.lastModified(slot)).as(key).isEqualTo(facts[1]);
            }
        }
    }

    /** {@code count} keys whose home cell in an index of {@code capacity} cells is {@code home}. */
    private static List<String> keysWithHome(int home, int capacity, int count) {
        List<String> keys = new ArrayList<>();
        for (int i = 0; keys.size() < count; i++) {
            String key = "chain-" + home + "-" + i;
            if (((int) CompactKeyTable.hash128(key)[0] & (capacity - 1)) == home) {
                keys.add(key);
            }
        }
        return keys;
    }

    private static String randomText(SplittableRandom random) {
        StringBuilder s = new StringBuilder();
        int length = random.nextInt(0, 12);
        for (int i = 0; i < length; i++) {
            s.append((char) random.nextInt(0x20, 0x3000));
        }
        return s.toString();
    }

    private static void await(CountDownLatch latch) {
        try {
            latch.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
