package io.blobrepair.index;

import io.blobrepair.bench.CycleHeap;

import java.lang.management.ManagementFactory;
import java.lang.ref.Reference;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.function.IntFunction;

/**
 * Measures the heap a {@link PresenceIndex} of N storage keys keeps alive (not a test): used heap
 * after full GCs with the index alive, minus used heap after full GCs before building it, divided
 * by N; several rounds, median printed. The index includes its presence filter; with it, a
 * {@link SeenKeys} that has seen every key. The keys of a round are dropped before measuring, so
 * only what the index itself keeps is counted; the HashMap baseline keeps its key strings, which
 * is part of its real cost. (The cycle's whole peak is measured by bench/run.sh.)
 *
 * <p>Run: {@code java -Xmx3g -cp target/test-classes:target/classes:$(cat cp.txt)
 * io.blobrepair.index.IndexFootprint [entries] [rounds]}
 */
public final class IndexFootprint {

    private IndexFootprint() {
    }

    public static void main(String[] args) throws InterruptedException {
        int n = args.length > 0 ? Integer.parseInt(args[0]) : 1_000_000;
        int rounds = args.length > 1 ? Integer.parseInt(args[1]) : 5;
        System.out.printf("entries=%d rounds=%d jvm=%s gc=%s%n", n, rounds, System.getProperty("java.vm.version"),
                ManagementFactory.getGarbageCollectorMXBeans().stream().map(b -> b.getName()).toList());

        measure("PresenceIndex (table and presence filter)", n, rounds, count -> SyntheticListing.index(keys(count), 1_700_000_000_000L));
        measure("PresenceIndex and SeenKeys of every key", n, rounds, count -> {
            String[] keys = keys(count);
            PresenceIndex index = SyntheticListing.index(keys, 1_700_000_000_000L);
            SeenKeys seen = index.newSeenKeys();
            for (String key : keys) {
                seen.firstTime(key);
            }
            return new Object[] {index, seen};
        });
        measure("HashMap<String, ObjectFacts>", n, rounds, count -> {
            Map<String, ObjectFacts> map = new HashMap<>(count * 4 / 3 + 16);
            SplittableRandom random = new SplittableRandom(1);
            for (int i = 0; i < count; i++) {
                map.put(SampleKeys.next(random), new ObjectFacts(i, 1_700_000_000_000L + i));
            }
            return map;
        });
    }

    private static String[] keys(int count) {
        return SampleKeys.generate(count, 1);
    }

    private static void measure(String what, int n, int rounds, IntFunction<Object> build) throws InterruptedException {
        double[] perEntry = new double[rounds];
        for (int r = 0; r < rounds; r++) {
            long before = CycleHeap.usedHeapAfterGc();
            Object built = build.apply(n);
            long after = CycleHeap.usedHeapAfterGc();
            Reference.reachabilityFence(built);
            perEntry[r] = (after - before) / (double) n;
        }
        double[] sorted = perEntry.clone();
        Arrays.sort(sorted);
        System.out.printf("%-55s median %6.2f B/entry  rounds %s%n", what, sorted[rounds / 2],
                Arrays.toString(Arrays.stream(perEntry).map(v -> Math.round(v * 100) / 100.0).toArray()));
    }
}
