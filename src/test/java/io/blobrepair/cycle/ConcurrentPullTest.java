package io.blobrepair.cycle;

import io.blobrepair.repair.CycleReport;
import io.blobrepair.testing.Blob;
import io.blobrepair.testing.TestDb;
import io.blobrepair.testing.TestNode;
import io.blobrepair.testing.TestPeer;
import io.blobrepair.testing.TestS3;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Pulls run concurrently ({@code repair.pull.concurrency}) with at most
 * {@code repair.pull.per-host} requests in flight per peer: every needed blob is pulled exactly
 * once, the counters are those of a sequential run, a peer that hangs holds up only its own
 * pulls, and the cursor never passes a CID whose repair has not finished. Real s3proxy,
 * PostgreSQL and HTTP peers.
 */
@Timeout(value = 5, unit = TimeUnit.MINUTES)
class ConcurrentPullTest {

    private static TestS3 s3;
    private static int buckets;

    @BeforeAll
    static void start() throws Exception {
        s3 = TestS3.start();
    }

    @AfterAll
    static void stop() throws Exception {
        s3.close();
    }

    /** A node holding nothing of {@code missing}, every blob its own (R covers every host), served by {@code peers}. */
    private static Map<String, String> node(List<Blob> missing, List<TestPeer> peers, int concurrency) throws Exception {
        String bucket = "concurrent-" + (++buckets);
        s3.createBucket(bucket);
        TestDb db = TestDb.create();
        db.createSchema();
        db.addRows("audio_previews", "cid", missing.stream().map(Blob::cid).toList());
        Map<String, String> settings = TestNode.settings(s3, bucket, db, TestNode.freePort(),
                peers.stream().map(TestPeer::url).toList());
        settings.put("repair.replication-factor", String.valueOf(peers.size() + 1));
        settings.put("repair.pull.concurrency", String.valueOf(concurrency));
        return settings;
    }

    private static List<Blob> blobs(String prefix, int n) {
        List<Blob> blobs = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            blobs.add(Blob.of(prefix + " " + i));
        }
        return blobs;
    }

    private static void await(String what, BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(90);
        while (!condition.getAsBoolean()) {
            assertThat(System.nanoTime()).as("%s within 90 s", what).isLessThan(deadline);
            Thread.sleep(50);
        }
    }

    @Test
    void everyNeededBlobIsPulledOnceWithTheCountersOfASequentialRun() throws Exception {
        List<Blob> missing = blobs("pulled once", 120);
        Map<Integer, CycleReport> reports = new HashMap<>();
        Map<Integer, List<TestPeer>> peersOf = new HashMap<>();
        for (int concurrency : List.of(1, 8)) {
            List<TestPeer> peers = List.of(TestPeer.start(), TestPeer.start(), TestPeer.start());
            peersOf.put(concurrency, peers);
            for (Blob b : missing) {
                peers.forEach(p -> p.serve(b.cid(), b.content()));
            }
            Map<String, String> settings = node(missing, peers, concurrency);
            try (TestNode node = TestNode.start(settings)) {
                reports.put(concurrency, node.runCycle());
                for (Blob b : missing) {
                    assertThat(s3.read(settings.get("repair.s3.bucket"), b.key())).isEqualTo(b.content());
                }
            } finally {
                peers.forEach(TestPeer::close);
            }
        }

        CycleReport parallel = reports.get(8);
        assertThat(parallel.counters()).isEqualTo(reports.get(1).counters());
        assertThat(parallel.counters()).containsEntry("pull_mine_needed", 120L).containsEntry("pull_mine_success", 120L)
                .containsEntry("pull_mine_fail", 0L).containsEntry("repair_cid_error", 0L);
        assertThat(parallel.s3Requests()).containsEntry("PutObject", 120L).containsEntry("HeadObject", 120L);
        // each blob asked of one peer, once
        List<String> asked = new ArrayList<>();
        peersOf.get(8).forEach(p -> asked.addAll(p.blobRequests()));
        assertThat(asked).hasSize(120).doesNotHaveDuplicates();
    }

    /**
     * A whole batch (1000 CIDs) at concurrency 1: each CID waits in the pool's queue. With Camel's
     * hand-over queue (a queue size <= 0) each one ran nested on the thread that submitted it,
     * until about the 450th overflowed that thread's stack and the batch never finished.
     */
    @Test
    void aFullBatchAtConcurrencyOneIsPulledToTheEnd() throws Exception {
        List<Blob> missing = blobs("one at a time", 1000);
        try (TestPeer peer = TestPeer.start()) {
            missing.forEach(b -> peer.serve(b.cid(), b.content()));
            Map<String, String> settings = node(missing, List.of(peer), 1);
            try (TestNode node = TestNode.start(settings)) {
                CycleReport report = CompletableFuture.supplyAsync(node::runCycle).get(150, TimeUnit.SECONDS);

                assertThat(report.aborted()).isFalse();
                assertThat(report.counters()).containsEntry("pull_mine_success", 1000L).containsEntry("repair_cid_error", 0L);
            }
            assertThat(peer.mostBlobRequestsInFlight()).isEqualTo(1);
        }
    }

    @Test
    void aPeerThatHangsHoldsUpOnlyItsOwnPull() throws Exception {
        List<Blob> missing = blobs("around a hanging peer", 40);
        try (TestPeer hanging = TestPeer.start(); TestPeer serving = TestPeer.start()) {
            Blob stuck = missing.get(7);
            hanging.serve(stuck.cid(), stuck.content());
            TestPeer.Hold hold = hanging.hold(stuck.cid());
            for (Blob b : missing) {
                if (b != stuck) {
                    serving.serve(b.cid(), b.content());
                }
            }
            Map<String, String> settings = node(missing, List.of(hanging, serving), 8);
            // the held pull must outlast the test's steps: with the 60 s default its read timeout
            // could end it (and the cycle) first on a slow machine, and the test would race that
            settings.put("repair.pull.read-timeout", "10m");
            String bucket = settings.get("repair.s3.bucket");
            try (TestNode node = TestNode.start(settings)) {
                CompletableFuture<CycleReport> cycle = CompletableFuture.supplyAsync(node::runCycle);
                assertThat(hold.reached().await(60, TimeUnit.SECONDS)).isTrue();
                // while one pull hangs, every other blob is pulled and stored
                await("the other 39 blobs stored", () -> missing.stream().filter(b -> b != stuck)
                        .allMatch(b -> s3.exists(bucket, b.key())));
                assertThat(cycle).isNotDone();
                hold.release().countDown();
                CycleReport report = cycle.get(60, TimeUnit.SECONDS);

                assertThat(report.aborted()).isFalse();
                assertThat(report.counters()).containsEntry("pull_mine_success", 39L);
            }
        }
    }

    @Test
    void noMoreThanPerHostRequestsAreInFlightToOnePeer() throws Exception {
        List<Blob> missing = blobs("one peer, many pulls", 12);
        try (TestPeer only = TestPeer.start()) {
            List<TestPeer.Hold> holds = new ArrayList<>();
            for (Blob b : missing) {
                only.serve(b.cid(), b.content());
                holds.add(only.hold(b.cid()));
            }
            Map<String, String> settings = node(missing, List.of(only), 8);
            settings.put("repair.pull.per-host", "2");
            try (TestNode node = TestNode.start(settings)) {
                CompletableFuture<CycleReport> cycle = CompletableFuture.supplyAsync(node::runCycle);
                await("two pulls held at the peer at once", () -> holds.stream().filter(h -> h.reached().getCount() == 0).count() >= 2);
                holds.forEach(h -> h.release().countDown()); // held requests then fail: the blobs stay missing
                CycleReport report = cycle.get(60, TimeUnit.SECONDS);

                assertThat(report.aborted()).isFalse();
                assertThat(only.blobRequests()).hasSize(12);
                assertThat(only.mostBlobRequestsInFlight()).isEqualTo(2);
            }
        }
    }

    @Test
    void theCursorNeverPassesACidWhoseRepairHasNotFinished() throws Exception {
        List<Blob> missing = blobs("cursor behind an unfinished pull", 1200);
        try (TestPeer peer = TestPeer.start()) {
            missing.forEach(b -> peer.serve(b.cid(), b.content()));
            List<Blob> sorted = new ArrayList<>(missing);
            sorted.sort((a, b) -> a.cid().compareTo(b.cid()));
            Blob stuck = sorted.get(500); // in the first batch of 1000
            TestPeer.Hold hold = peer.hold(stuck.cid());
            Map<String, String> settings = node(missing, List.of(peer), 8);
            String url = settings.get("repair.db.url");
            TestNode node = TestNode.start(settings);
            CompletableFuture<CycleReport> cycle;
            try {
                cycle = CompletableFuture.supplyAsync(node::runCycle);
                assertThat(hold.reached().await(60, TimeUnit.SECONDS)).isTrue();
                await("the rest of the first batch stored", () -> sorted.subList(0, 1000).stream()
                        .filter(b -> b != stuck).allMatch(b -> s3.exists(settings.get("repair.s3.bucket"), b.key())));
                // its batch is not done: no cursor saved, whatever else of it was repaired
                assertThat(TestDb.at(url).queryLong("SELECT count(*) FROM repair_runs WHERE cursors->>'previews' IS NOT NULL"))
                        .isZero();
            } finally {
                node.close(); // the process stops mid-batch
                hold.release().countDown();
            }
            assertThat(s3.exists(settings.get("repair.s3.bucket"), stuck.key())).isFalse();

            try (TestNode again = TestNode.start(settings)) {
                CycleReport resumed = again.runCycle();
                assertThat(resumed.cycle()).isEqualTo(1);
                assertThat(resumed.aborted()).isFalse();
            }
            for (Blob b : missing) {
                assertThat(s3.exists(settings.get("repair.s3.bucket"), b.key())).as(b.cid()).isTrue();
            }
        }
    }
}
