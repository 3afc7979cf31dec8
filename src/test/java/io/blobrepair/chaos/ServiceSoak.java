package io.blobrepair.chaos;

import io.blobrepair.bench.CycleHeap;

import io.blobrepair.repair.CycleReport;
import io.blobrepair.repair.CycleTracker;
import io.blobrepair.testing.Blob;
import io.blobrepair.testing.TestDb;
import io.blobrepair.testing.TestNode;
import io.blobrepair.testing.TestPeer;
import io.blobrepair.testing.TestS3;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Deque;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * A soak of one service: a real blob-repair node (its own s3proxy bucket, database and a real HTTP
 * peer) on its real Quartz schedule at the shortest interval it takes ({@code repair.interval=1s};
 * every 4th cycle a cleanup) for N cycles, while its bucket and work lists change between cycles:
 * uploads and previews are added (the peer serves them, the node pulls them through its staging
 * directory; one of them it serves wrong bytes for a cycle, so that pull fails), the oldest leave
 * the work lists and the bucket, a held copy disappears, and before each cleanup a held copy is
 * corrupted (cleanup deletes it and pulls it again). After a warm-up cycle and after the last it
 * samples what a leak would grow: heap used after full collections, the threads that stay
 * ({@link #stayingThreads}), open file descriptors and files in the staging directory. Everything
 * runs in this JVM, so the figures include the test's s3proxy, peer and JDBC sockets; they do the
 * same work every cycle, so they stay flat too unless the service grows.
 */
public final class ServiceSoak implements AutoCloseable {

    /** Live upload rows (and previews) kept: the oldest leave as new ones come, so the work stays the same size. */
    static final int LIVE_UPLOADS = 40;
    static final int LIVE_PREVIEWS = 20;
    static final int CLEANUP_EVERY = 4;
    /** Heap may grow by this fraction of the warm-up figure or {@link #HEAP_SLACK_BYTES}, whichever is more. */
    static final double HEAP_SLACK_FRACTION = 0.20;
    static final long HEAP_SLACK_BYTES = 8L << 20;
    /** Descriptors may differ by this many: keep-alive connections the HTTP and S3 clients hold or have just closed. */
    static final int FD_SLACK = 4;

    /** What a leak would grow, at one point of the soak. */
    record Sample(int afterCycle, long heapBytes, int threads, Map<String, Integer> threadsByPool, Map<String, String> threadFrames,
                  int fds, Map<String, Integer> fdsByKind, int tempFiles) {
    }

    record Result(int cycles, Sample first, Sample last, Map<String, Long> counters) {

        long heapAllowed() {
            return first.heapBytes() + Math.max((long) (first.heapBytes() * HEAP_SLACK_FRACTION), HEAP_SLACK_BYTES);
        }

        boolean heapFlat() {
            return last.heapBytes() <= heapAllowed();
        }

        boolean threadsFlat() {
            return last.threads() <= first.threads();
        }

        boolean fdsFlat() {
            return last.fds() <= first.fds() + FD_SLACK;
        }

        boolean tempFilesFlat() {
            return last.tempFiles() <= first.tempFiles();
        }

        boolean flat() {
            return heapFlat() && threadsFlat() && fdsFlat() && tempFilesFlat();
        }
    }

    private final int cycles;
    private final Random random = new Random(14);
    private final TestS3 s3;
    private final TestPeer peer;
    private final TestDb db;
    private final Path staging;
    private final String bucket = "soak";
    private final Deque<Blob> uploads = new ArrayDeque<>();
    private final Deque<Blob> previews = new ArrayDeque<>();
    private int blobsMade;
    private Blob servedWrong;
    private TestNode node;

    public ServiceSoak(int cycles) throws Exception {
        if (cycles < 3 * CLEANUP_EVERY) {
            throw new IllegalArgumentException("a soak needs at least " + 3 * CLEANUP_EVERY + " cycles");
        }
        this.cycles = cycles;
        s3 = TestS3.start();
        s3.createBucket(bucket);
        peer = TestPeer.start();
        db = TestDb.create();
        db.createSchema();
        staging = Files.createTempDirectory("blob-repair-soak-staging");
    }

    /**
     * The warm-up sample's cycle: at least two cleanup periods in, at the same place in the cleanup
     * rhythm as the last cycle, so both samples follow the same kind of cycle.
     */
    int warmUpCycle() {
        return 2 * CLEANUP_EVERY + cycles % CLEANUP_EVERY;
    }

    public Result run() throws Exception {
        for (int i = 0; i < LIVE_UPLOADS; i++) {
            addUpload(true);
        }
        for (int i = 0; i < LIVE_PREVIEWS; i++) {
            addPreview();
        }
        Map<String, String> settings = TestNode.settings(s3, bucket, db, TestNode.freePort(), List.of(peer.url()));
        settings.put("repair.enabled", "true");
        settings.put("repair.interval", "1s"); // the shortest the schedule takes
        settings.put("repair.startup-delay", "0s");
        settings.put("repair.cleanup-every", String.valueOf(CLEANUP_EVERY));
        settings.put("repair.pull.staging-dir", staging.toString());
        settings.put("repair.max-delete-fraction", "1");
        node = TestNode.start(settings);
        CycleTracker tracker = node.bean("cycleTracker", CycleTracker.class);
        Map<String, Long> counters = new TreeMap<>();
        Sample first = null;
        Sample last = null;
        long counted = 0;
        for (int cycle = 1; cycle <= cycles; cycle++) {
            CycleReport report = awaitCycle(tracker, cycle);
            if (report.cycle() != counted) { // the schedule may have run ahead of this loop
                report.counters().forEach((name, n) -> counters.merge(name, n, Long::sum));
                counted = report.cycle();
            }
            if (cycle == warmUpCycle()) {
                first = sample(cycle);
            } else if (cycle == cycles) {
                last = sample(cycle);
            }
            change(cycle + 1);
        }
        return new Result(cycles, first, last, counters);
    }

    /** Waits until the schedule has completed {@code cycle} cycles, with the node idle again; the cycle's report. */
    private static CycleReport awaitCycle(CycleTracker tracker, int cycle) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(2);
        while (tracker.cyclesCompleted() < cycle || tracker.isRunning()) {
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("cycle " + cycle + " did not complete within 2 minutes; last report: "
                        + tracker.lastReport().orElse(null));
            }
            Thread.sleep(5);
        }
        return tracker.lastReport().orElseThrow();
    }

    /** The bucket and work lists change before {@code nextCycle}: new work, rows gone, a copy lost, one corrupted before a cleanup. */
    private void change(int nextCycle) throws Exception {
        if (servedWrong != null) {
            peer.serve(servedWrong.cid(), servedWrong.content());
        }
        addUpload(false);
        servedWrong = addUpload(false);
        // for one cycle the peer serves it wrong bytes: that pull fails and its staging file must go
        peer.serve(servedWrong.cid(), ("not " + servedWrong.cid()).getBytes(StandardCharsets.UTF_8));
        addPreview();
        while (uploads.size() > LIVE_UPLOADS) {
            Blob gone = uploads.removeFirst();
            db.execute("DELETE FROM uploads WHERE orig_file_cid = '" + gone.cid() + "'"); // a CID is [a-z2-7]
            forget(gone);
        }
        while (previews.size() > LIVE_PREVIEWS) {
            Blob gone = previews.removeFirst();
            db.execute("DELETE FROM audio_previews WHERE cid = '" + gone.cid() + "'");
            forget(gone);
        }
        s3.delete(bucket, pick(uploads).key()); // lost: pulled again
        if (nextCycle % CLEANUP_EVERY == 0) {
            Blob corrupt = pick(uploads);
            s3.put(bucket, corrupt.key(), ("corrupted " + corrupt.cid()).getBytes(StandardCharsets.UTF_8));
        }
    }

    private Blob pick(Deque<Blob> blobs) {
        return new ArrayList<>(blobs).get(random.nextInt(blobs.size()));
    }

    private void forget(Blob gone) {
        s3.delete(bucket, gone.key());
        peer.forget(gone.cid());
    }

    /** An upload the peer serves; {@code held}: already in the bucket, else the node pulls it. */
    private Blob addUpload(boolean held) throws Exception {
        Blob blob = newBlob();
        db.addUpload("soak-" + blobsMade, "img_square", blob.cid(), null, null);
        uploads.addLast(blob);
        if (held) {
            s3.put(bucket, blob.key(), blob.content());
        }
        return blob;
    }

    private void addPreview() throws Exception {
        Blob blob = newBlob();
        db.addRows("audio_previews", "cid", List.of(blob.cid()));
        previews.addLast(blob);
    }

    private Blob newBlob() {
        Blob blob = Blob.random(1024 + random.nextInt(8 * 1024), 1_000_000L + blobsMade++);
        peer.serve(blob.cid(), blob.content());
        return blob;
    }

    private Sample sample(int afterCycle) throws Exception {
        // the counts first, while the node is idle between cycles (the collections take longer,
        // and the next cycle may start meanwhile); the least of a few looks, so a worker still
        // finishing the cycle's last task is not counted
        Map<String, String> threads = null;
        Map<String, Integer> fdsByKind = null;
        int tempFiles = Integer.MAX_VALUE;
        for (int look = 0; look < 3; look++) {
            Map<String, String> staying = stayingThreads();
            Map<String, Integer> fds = openFileDescriptors();
            if (threads == null || staying.size() < threads.size()) {
                threads = staying;
            }
            if (fdsByKind == null || total(fds) < total(fdsByKind)) {
                fdsByKind = fds;
            }
            tempFiles = Math.min(tempFiles, filesIn(staging));
            Thread.sleep(20);
        }
        Map<String, Integer> byPool = new TreeMap<>();
        threads.keySet().forEach(name -> byPool.merge(pool(name), 1, Integer::sum));
        return new Sample(afterCycle, CycleHeap.usedHeapAfterGc(), threads.size(), byPool, threads, total(fdsByKind), fdsByKind, tempFiles);
    }

    private static int total(Map<String, Integer> counts) {
        return counts.values().stream().mapToInt(Integer::intValue).sum();
    }

    /**
     * The live threads that stay, by name, with where each is (its top frames, to tell what a new
     * one does): all but idle pool workers waiting for a task with a time limit, which end on their
     * own when it passes (the JDK HttpClient's and the test peer's cached pools, s3proxy's Jetty
     * pool above its minimum and its reserved threads). How many of those there are follows the
     * last minute's concurrency, not the number of cycles; a leaked thread, a pool's core
     * threads, a scheduler or a client's selector thread all stay and are counted.
     */
    static Map<String, String> stayingThreads() {
        Map<String, String> threads = new TreeMap<>();
        Thread.getAllStackTraces().forEach((thread, stack) -> {
            if (thread.isAlive() && !idleWithKeepAlive(stack)) {
                threads.put(thread.getName(), Stream.of(stack).limit(3).map(StackTraceElement::toString)
                        .collect(Collectors.joining(" < ")));
            }
        });
        return threads;
    }

    /**
     * Waiting with a time limit for a pool's next task: a ThreadPoolExecutor worker above its core
     * size (every worker of a cached pool), an idle or reserved thread of Jetty's QueuedThreadPool.
     */
    static boolean idleWithKeepAlive(StackTraceElement[] stack) {
        for (int i = 1; i < stack.length; i++) {
            String frame = stack[i].getClassName() + "." + stack[i].getMethodName();
            // Jetty by its name's end: s3proxy ships it shaded (org.gaul.shaded.org.eclipse.jetty)
            if (frame.equals("java.util.concurrent.ThreadPoolExecutor.getTask")
                    || frame.endsWith("org.eclipse.jetty.util.thread.QueuedThreadPool$Runner.idleJobPoll")) {
                return stack[i - 1].getMethodName().equals("poll");
            }
            if (frame.endsWith("org.eclipse.jetty.util.thread.ReservedThreadExecutor$ReservedThread.reservedWait")) {
                return true;
            }
        }
        return false;
    }

    /** A thread's pool: its name without the numbers that tell pools and their threads apart. */
    static String pool(String threadName) {
        return threadName.replaceAll("(?<=[-#])\\d+", "N");
    }

    /** This process's open file descriptors by kind (socket, pipe, anon_inode:…, or the file's directory). */
    static Map<String, Integer> openFileDescriptors() throws IOException {
        Map<String, Integer> byKind = new TreeMap<>();
        try (Stream<Path> fds = Files.list(Path.of("/proc/self/fd"))) {
            for (Path fd : (Iterable<Path>) fds::iterator) {
                String target;
                try {
                    target = Files.readSymbolicLink(fd).toString();
                } catch (IOException closed) {
                    continue; // closed since it was listed (the listing's own descriptor among them)
                }
                String kind = target.startsWith("/") ? Path.of(target).getParent() + "/" : target.replaceAll("\\[\\d+]", "");
                byKind.merge(kind, 1, Integer::sum);
            }
        }
        return byKind;
    }

    private static int filesIn(Path dir) throws IOException {
        try (Stream<Path> files = Files.walk(dir)) {
            return (int) files.filter(Files::isRegularFile).count();
        }
    }

    static String table(Result r) {
        StringBuilder s = new StringBuilder();
        s.append(String.format(Locale.ROOT, "soak: %d cycles of one node on its schedule (repair.interval=1s, cleanup every %d)%n",
                r.cycles(), CLEANUP_EVERY));
        for (String counter : List.of("pull_mine_success", "pull_mine_fail", "delete_invalid_success")) {
            s.append(String.format(Locale.ROOT, "  %-24s %d%n", counter, r.counters().getOrDefault(counter, 0L)));
        }
        s.append(String.format(Locale.ROOT, "  %-24s %16s %16s  %s%n", "", "after cycle " + r.first().afterCycle(),
                "after cycle " + r.last().afterCycle(), "flat when"));
        s.append(String.format(Locale.ROOT, "  %-24s %,16d %,16d  %s%n", "heap after GC (bytes)", r.first().heapBytes(),
                r.last().heapBytes(), "<= " + String.format(Locale.ROOT, "%,d", r.heapAllowed()) + " (+20% or 8 MiB) " + mark(r.heapFlat())
                        + String.format(Locale.ROOT, ", %+,d bytes a cycle", (r.last().heapBytes() - r.first().heapBytes())
                        / (r.last().afterCycle() - r.first().afterCycle()))));
        s.append(String.format(Locale.ROOT, "  %-24s %16d %16d  %s%n", "threads that stay", r.first().threads(), r.last().threads(),
                "no growth " + mark(r.threadsFlat())));
        s.append(String.format(Locale.ROOT, "  %-24s %16d %16d  %s%n", "open file descriptors", r.first().fds(), r.last().fds(),
                "<= +" + FD_SLACK + " " + mark(r.fdsFlat())));
        s.append(String.format(Locale.ROOT, "  %-24s %16d %16d  %s%n", "staging files", r.first().tempFiles(), r.last().tempFiles(),
                "no growth " + mark(r.tempFilesFlat())));
        changes(s, "thread pool", r.first().threadsByPool(), r.last().threadsByPool());
        changes(s, "descriptors", r.first().fdsByKind(), r.last().fdsByKind());
        r.last().threadFrames().forEach((name, frames) -> {
            if (!r.first().threadFrames().containsKey(name)) {
                s.append("  thread that appeared: ").append(name).append(" at ").append(frames).append('\n');
            }
        });
        return s.toString();
    }

    private static String mark(boolean ok) {
        return ok ? "ok" : "GREW";
    }

    /** The entries whose count changed between the samples, for the diagnosis. */
    private static void changes(StringBuilder s, String what, Map<String, Integer> first, Map<String, Integer> last) {
        Set<String> keys = new TreeSet<>(first.keySet());
        keys.addAll(last.keySet());
        for (String key : keys) {
            int a = first.getOrDefault(key, 0);
            int b = last.getOrDefault(key, 0);
            if (a != b) {
                s.append(String.format(Locale.ROOT, "  %s %s: %d -> %d%n", what, key, a, b));
            }
        }
    }

    static String json(Result r) {
        return String.format(Locale.ROOT, "{\"cycles\":%d,\"heap_first_bytes\":%d,\"heap_last_bytes\":%d,\"threads_first\":%d,"
                        + "\"threads_last\":%d,\"fds_first\":%d,\"fds_last\":%d,\"temp_files_first\":%d,\"temp_files_last\":%d,\"flat\":%b}",
                r.cycles(), r.first().heapBytes(), r.last().heapBytes(), r.first().threads(), r.last().threads(), r.first().fds(),
                r.last().fds(), r.first().tempFiles(), r.last().tempFiles(), r.flat());
    }

    @Override
    public void close() throws Exception {
        if (node != null) {
            node.close();
        }
        peer.close();
        s3.close();
        try (Stream<Path> files = Files.walk(staging)) {
            for (Path p : files.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        }
    }

    public static void main(String[] args) throws Exception {
        int cycles = 300;
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--cycles" -> cycles = Integer.parseInt(args[++i]);
                default -> throw new IllegalArgumentException("unknown argument " + args[i]);
            }
        }
        Result r;
        try (ServiceSoak soak = new ServiceSoak(cycles)) {
            r = soak.run();
        }
        System.out.print(table(r));
        System.out.println(json(r));
        System.exit(r.flat() ? 0 : 1);
    }
}
