package io.blobrepair.index;

import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.RunnerException;
import org.openjdk.jmh.runner.options.OptionsBuilder;
import org.openjdk.jmh.runner.options.TimeValue;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.TimeUnit;

/**
 * The {@link PresenceIndex} ({@link ListedKeyTable}) with 1M storage-key-shaped keys (68 ASCII
 * chars): building it from listed pages (with its presence filter), single-thread lookups of
 * present and absent keys, the cycle's "seen" check, and a HashMap of the keys for comparison.
 *
 * <p>As in a repair cycle, each lookup gets a String of its own, just made (here copied from a
 * byte array with the keys one after the other, so that making it is cheap and cache friendly)
 * and without a cached hash code; {@link #makeKeyOnly} measures that part alone. Lookups go
 * through the keys in a random order, not in insertion order (which would walk the entries
 * sequentially). Set-up ends with full GCs so that the tables sit in the old generation.
 *
 * <p>Run after {@code mvn test-compile} and {@code mvn dependency:build-classpath
 * -Dmdep.outputFile=cp.txt -Dmdep.includeScope=test}: {@code java -cp
 * target/test-classes:target/classes:$(cat cp.txt) io.blobrepair.index.PresenceIndexBenchmark
 * [regex]}, or {@code org.openjdk.jmh.Main PresenceIndexBenchmark} with JMH's own options.
 */
@Fork(value = 1, jvmArgsAppend = {"-Xms3g", "-Xmx3g", "-XX:+AlwaysPreTouch"})
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
public class PresenceIndexBenchmark {

    static final int N = 1_000_000;
    static final int KEY_LENGTH = 68;
    static final long MODIFIED = 1_700_000_000_000L;

    /** The keys in listing order, for building tables. */
    @State(Scope.Benchmark)
    public static class Listing {
        String[] keys;

        @Setup(Level.Trial)
        public void setUp() {
            keys = SampleKeys.generate(N, 1);
            settle();
        }
    }

    /** The listing as the presence index. */
    @State(Scope.Benchmark)
    public static class Index {
        PresenceIndex index;

        @Setup(Level.Trial)
        public void setUp(Listing listing) {
            index = SyntheticListing.index(listing.keys, MODIFIED);
            settle();
        }
    }

    /** The listing in a HashMap, for comparison. */
    @State(Scope.Benchmark)
    public static class Hashed {
        Map<String, ObjectFacts> map;

        @Setup(Level.Trial)
        public void setUp(Listing listing) {
            map = new HashMap<>(N * 4 / 3 + 16);
            for (int i = 0; i < N; i++) {
                map.put(listing.keys[i], new ObjectFacts(i, MODIFIED + i));
            }
            settle();
        }
    }

    /** Keys to look up, packed: the listed ones in a random order, and as many absent ones. */
    @State(Scope.Thread)
    public static class Probes {
        byte[] hits;
        byte[] misses;
        int next;

        @Setup(Level.Trial)
        public void setUp(Listing listing) {
            List<String> shuffled = new ArrayList<>(List.of(listing.keys));
            Collections.shuffle(shuffled, new Random(2));
            hits = pack(shuffled.toArray(String[]::new));
            misses = pack(SampleKeys.generate(N, 3));
            settle();
        }

        /** A new String, as a repair cycle makes for each lookup. */
        String nextKey(byte[] packed) {
            int i = next;
            next = i + 1 == N ? 0 : i + 1;
            return new String(packed, i * KEY_LENGTH, KEY_LENGTH, StandardCharsets.ISO_8859_1);
        }
    }

    private static byte[] pack(String[] keys) {
        byte[] packed = new byte[keys.length * KEY_LENGTH];
        for (int i = 0; i < keys.length; i++) {
            byte[] key = keys[i].getBytes(StandardCharsets.ISO_8859_1);
            if (key.length != KEY_LENGTH) {
                throw new IllegalStateException("not a " + KEY_LENGTH + "-char key: " + keys[i]);
            }
            System.arraycopy(key, 0, packed, i * KEY_LENGTH, KEY_LENGTH);
        }
        return packed;
    }

    /** Full GCs, so that the state built in set-up sits in the old generation before measuring. */
    private static void settle() {
        for (int i = 0; i < 2; i++) {
            System.gc();
        }
    }

    /** Pages of 1000 keys into the table, sealing and the presence filter. */
    @Benchmark
    @BenchmarkMode(Mode.AverageTime)
    @OutputTimeUnit(TimeUnit.MILLISECONDS)
    public PresenceIndex build1M(Listing listing) {
        return SyntheticListing.index(listing.keys, MODIFIED);
    }

    @Benchmark
    @BenchmarkMode(Mode.Throughput)
    @OutputTimeUnit(TimeUnit.SECONDS)
    public long lookupHit(Index i, Probes p) {
        ObjectFacts facts = i.index.lookup(p.nextKey(p.hits));
        return facts == null ? -1 : facts.size() + facts.lastModifiedMillis();
    }

    @Benchmark
    @BenchmarkMode(Mode.Throughput)
    @OutputTimeUnit(TimeUnit.SECONDS)
    public long lookupMiss(Index i, Probes p) {
        ObjectFacts facts = i.index.lookup(p.nextKey(p.misses));
        return facts == null ? -1 : facts.size() + facts.lastModifiedMillis();
    }

    /** The cycle's "seen earlier in this cycle?" of listed keys (each key is new once per million calls). */
    @Benchmark
    @BenchmarkMode(Mode.Throughput)
    @OutputTimeUnit(TimeUnit.SECONDS)
    public boolean seenFirstTime(Seen s, Probes p) {
        return s.seen.firstTime(p.nextKey(p.hits));
    }

    /** A SeenKeys over the index. */
    @State(Scope.Benchmark)
    public static class Seen {
        SeenKeys seen;

        @Setup(Level.Trial)
        public void setUp(Index i) {
            seen = i.index.newSeenKeys();
        }
    }

    @Benchmark
    @BenchmarkMode(Mode.Throughput)
    @OutputTimeUnit(TimeUnit.SECONDS)
    public long hashMapLookupHit(Hashed h, Probes p) {
        ObjectFacts facts = h.map.get(p.nextKey(p.hits));
        return facts == null ? -1 : facts.size() + facts.lastModifiedMillis();
    }

    @Benchmark
    @BenchmarkMode(Mode.Throughput)
    @OutputTimeUnit(TimeUnit.SECONDS)
    public String makeKeyOnly(Probes p) {
        return p.nextKey(p.hits);
    }

    /** Runs the benchmarks whose name matches {@code args[0]} (a regex; all of them without it). */
    public static void main(String[] args) throws RunnerException {
        new Runner(new OptionsBuilder()
                .include(PresenceIndexBenchmark.class.getName() + "\\." + (args.length > 0 ? args[0] : ""))
                .forks(1)
                .warmupIterations(3)
                .warmupTime(TimeValue.seconds(1))
                .measurementIterations(5)
                .measurementTime(TimeValue.seconds(1))
                .build()).run();
    }
}
