package io.blobrepair.index;

import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import java.lang.ref.Reference;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.function.IntFunction;

/**
 * Measures the heap a {@link CompactKeyTable} of N storage keys keeps alive (not a test): used
 * heap after full GCs with the table alive, minus used heap after full GCs before building it,
 * divided by N; several rounds, median printed. The keys are generated one at a time and dropped,
 * so only what the table itself keeps is counted; the HashMap baseline keeps its key strings,
 * which is part of its real cost.
 *
 * <p>Run: {@code java -Xmx3g -cp target/test-classes:target/classes:$(cat cp.txt)
 * io.blobrepair.index.IndexFootprint [entries] [rounds]}
 */
public final class IndexFootprint {

    private static final MemoryMXBean MEMORY = ManagementFactory.getMemoryMXBean();

    private IndexFootprint() {
    }

    public static void main(String[] args) throws InterruptedException {
        int n = args.length > 0 ? Integer.parseInt(args[0]) : 1_000_000;
        int rounds = args.length > 1 ? Integer.parseInt(args[1]) : 5;
        System.out.printf("entries=%d rounds=%d jvm=%s gc=%s%n", n, rounds, System.getProperty("java.vm.version"),
                ManagementFactory.getGarbageCollectorMXBeans().stream().map(b -> b.getName()).toList());

        measure("CompactKeyTable(expectedEntries = n)", n, rounds, count -> fill(new CompactKeyTable(count), count));
        measure("CompactKeyTable(1024), grown to n", n, rounds, count -> fill(new CompactKeyTable(1024), count));
        measure("CompactKeyTable(1024), grown to n, trimToSize()", n, rounds, count -> {
            CompactKeyTable table = fill(new CompactKeyTable(1024), count);
            table.trimToSize();
            return table;
        });
        measure("HashMap<String, ObjectFacts> (as PresenceIndex today)", n, rounds, count -> {
            Map<String, ObjectFacts> map = new HashMap<>(count * 4 / 3 + 16);
            SplittableRandom random = new SplittableRandom(1);
            for (int i = 0; i < count; i++) {
                map.put(SampleKeys.next(random), new ObjectFacts(i, 1_700_000_000_000L + i));
            }
            return map;
        });
    }

    private static CompactKeyTable fill(CompactKeyTable table, int count) {
        SplittableRandom random = new SplittableRandom(1);
        for (int i = 0; i < count; i++) {
            table.put(SampleKeys.next(random), i, 1_700_000_000_000L + i);
        }
        if (table.entries() != count) {
            throw new IllegalStateException("expected " + count + " entries, got " + table.entries());
        }
        return table;
    }

    private static void measure(String what, int n, int rounds, IntFunction<Object> build) throws InterruptedException {
        double[] perEntry = new double[rounds];
        for (int r = 0; r < rounds; r++) {
            long before = usedAfterGc();
            Object built = build.apply(n);
            long after = usedAfterGc();
            Reference.reachabilityFence(built);
            perEntry[r] = (after - before) / (double) n;
        }
        double[] sorted = perEntry.clone();
        Arrays.sort(sorted);
        System.out.printf("%-55s median %6.2f B/entry  rounds %s%n", what, sorted[rounds / 2],
                Arrays.toString(Arrays.stream(perEntry).map(v -> Math.round(v * 100) / 100.0).toArray()));
    }

    private static long usedAfterGc() throws InterruptedException {
        long used = Long.MAX_VALUE;
        for (int i = 0; i < 3; i++) {
            System.gc();
            Thread.sleep(50);
            used = Math.min(used, MEMORY.getHeapMemoryUsage().getUsed());
        }
        return used;
    }
}
