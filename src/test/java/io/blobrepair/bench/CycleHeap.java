package io.blobrepair.bench;

import io.blobrepair.testing.TestDb;
import io.blobrepair.testing.TestNode;
import org.apache.camel.CamelContext;
import org.apache.camel.Processor;
import org.apache.camel.builder.AdviceWith;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * The heap a repair cycle needs, measured two ways.
 *
 * <p>{@link #probe}: used heap after full collections at the cycle's largest points, minus the
 * same with the node started and no index (its first cycle, nothing listed yet), divided by the
 * keys listed. The points are steps of the routes, woven in with {@link AdviceWith}: every page
 * listed (before the index is sealed), the index built, after each work list, and before the
 * cycle ends (every key seen). The pages in flight and the sealing itself (the filter's bits are
 * built once more while Guava reads them) are between steps and not seen by this; the
 * bisection sees them.
 *
 * <p>{@link #bisect}: the smallest {@code -Xmx} (to 8 MiB) with which {@code --once} in a child JVM
 * completes one cycle within a time limit, for the bucket and for a small one of the same kind;
 * their difference per key. It includes what the garbage collector needs to run without
 * thrashing, so it is the larger, more pessimistic figure.
 */
public final class CycleHeap {

    /** Where the largest used heap was seen, and how much. */
    record Peak(String where, long bytes) {
    }

    private CycleHeap() {
    }

    /** Runs one cycle of {@code node} with heap probes; returns the largest used heap minus the baseline before the cycle. */
    static Peak probe(TestNode node) throws Exception {
        CamelContext context = node.context();
        Map<String, Long> seen = new LinkedHashMap<>();
        AdviceWith.adviceWith(context, "presence-index",
                a -> a.weaveById("finish-presence-index").before().process(at("every page listed", seen)));
        AdviceWith.adviceWith(context, "repair-cycle", a -> {
            // before each work list: the first probe sees the index built, each later one the lists walked before it
            a.weaveById("walk-work-list").before().process(exchange -> at("before " + exchange.getMessage().getBody(String.class), seen)
                    .process(exchange));
            a.weaveById("finish-cycle").before().process(at("every key seen", seen));
        });
        long baseline = usedHeapAfterGc();
        node.runCycle();
        Map.Entry<String, Long> max = seen.entrySet().stream().max(Map.Entry.comparingByValue()).orElseThrow();
        RepairBenchmark.log("  heap above the baseline (%,d MB): %s", baseline >> 20, describe(seen, baseline));
        return new Peak(max.getKey(), max.getValue() - baseline);
    }

    private static String describe(Map<String, Long> seen, long baseline) {
        List<String> parts = new ArrayList<>();
        seen.forEach((where, used) -> parts.add(String.format(Locale.ROOT, "%s %,d MB", where, (used - baseline) >> 20)));
        return String.join(", ", parts);
    }

    private static Processor at(String where, Map<String, Long> seen) {
        return exchange -> seen.merge(where, usedHeapAfterGc(), Math::max);
    }

    /** Heap in use after full collections, once it stops shrinking. */
    public static long usedHeapAfterGc() throws InterruptedException {
        Runtime rt = Runtime.getRuntime();
        long best = Long.MAX_VALUE;
        for (int i = 0; i < 6; i++) {
            System.gc();
            Thread.sleep(150);
            best = Math.min(best, rt.totalMemory() - rt.freeMemory());
        }
        return best;
    }

    /**
     * The smallest -Xmx in MiB, to 8 MiB, with which one {@code --once} cycle of a node with
     * {@code settings} completes (exit 0) within {@code limitSeconds}: from {@code startMb},
     * doubled until a cycle completes (at most 8 GiB; -1 if none does), then halved towards
     * {@code lowMb}.
     */
    static int bisect(Map<String, String> settings, TestDb db, int lowMb, int startMb, long limitSeconds) throws Exception {
        int high = startMb;
        while (!completes(settings, db, high, limitSeconds)) {
            if (high >= 8192) {
                return -1;
            }
            lowMb = high;
            high *= 2;
        }
        int low = lowMb;
        while (high - low > 8) {
            int mid = (low + high) / 2;
            if (completes(settings, db, mid, limitSeconds)) {
                high = mid;
            } else {
                low = mid;
            }
        }
        return high;
    }

    private static boolean completes(Map<String, String> settings, TestDb db, int xmxMb, long limitSeconds) throws Exception {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        ProcessBuilder pb = new ProcessBuilder(java, "-Xmx" + xmxMb + "m", "-XX:+ExitOnOutOfMemoryError",
                "-Dlogback.configurationFile=bench/logback-bench.xml", "-cp", System.getProperty("java.class.path"),
                "io.blobrepair.BlobRepairApplication", "--once");
        Map<String, String> child = new LinkedHashMap<>(settings);
        child.put("repair.cleanup-every", "1000000"); // every attempt the same kind of cycle: never a cleanup
        child.forEach((key, value) -> pb.environment().put(key.toUpperCase(Locale.ROOT).replace('.', '_').replace('-', '_'), value));
        pb.redirectErrorStream(true);
        Path log = Path.of("target", "bench-xmx-" + settings.get("repair.s3.bucket") + "-" + xmxMb + "m.log");
        pb.redirectOutput(log.toFile());
        long started = System.nanoTime();
        Process process = pb.start();
        boolean finished = process.waitFor(limitSeconds, TimeUnit.SECONDS);
        if (!finished) {
            process.destroyForcibly().waitFor();
        }
        boolean ok = finished && process.exitValue() == 0;
        RepairBenchmark.log("    -Xmx%dm: %s in %,d ms (output: %s)", xmxMb, ok ? "completed" : finished ? "failed" : "over the time limit",
                (System.nanoTime() - started) / 1_000_000, log);
        // a cycle that died must not be resumed by the next attempt: it would walk only the rest
        db.execute("UPDATE repair_runs SET finished_at = now(), aborted_reason = 'bench: -Xmx attempt' WHERE finished_at IS NULL");
        return ok;
    }
}
