package io.blobrepair.faults;

import io.blobrepair.repair.CycleReport;
import io.blobrepair.index.KnownPresentCache;
import io.blobrepair.testing.Blob;
import io.blobrepair.testing.TestDb;
import io.blobrepair.testing.TestNode;
import io.blobrepair.testing.TestPeer;
import io.blobrepair.testing.TestS3;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.IntConsumer;

import static org.assertj.core.api.Assertions.assertThat;

/** Faults injected into a real S3 server and real peers: the cycle keeps its outcome and loses nothing. */
class FaultInjectionTest {

    private static TestS3 s3;
    private static final List<TestPeer> peers = new ArrayList<>();
    private static int buckets;

    @BeforeAll
    static void start() throws Exception {
        s3 = TestS3.start();
        for (int i = 0; i < 5; i++) {
            peers.add(TestPeer.start());
        }
    }

    @AfterAll
    static void stop() throws Exception {
        peers.forEach(TestPeer::close);
        s3.close();
    }

    /** A node (sequential listing) holding {@code held} blobs, missing {@code missing} more that peer 0 serves. */
    private record Setup(String bucket, Map<String, String> settings, List<Blob> held, List<Blob> missing) {

        static Setup of(int held, int missing) throws Exception {
            String bucket = "faults-" + (++buckets);
            s3.createBucket(bucket);
            TestDb db = TestDb.create();
            db.createSchema();
            List<Blob> h = new ArrayList<>();
            List<Blob> m = new ArrayList<>();
            for (int i = 0; i < held; i++) {
                Blob b = Blob.of(bucket + " held " + i);
                s3.put(bucket, b.key(), b.content());
                h.add(b);
            }
            for (int i = 0; i < missing; i++) {
                Blob b = Blob.of(bucket + " missing " + i);
                peers.get(0).serve(b.cid(), b.content());
                m.add(b);
            }
            List<String> cids = new ArrayList<>();
            h.forEach(b -> cids.add(b.cid()));
            m.forEach(b -> cids.add(b.cid()));
            db.addRows("audio_previews", "cid", cids);
            Map<String, String> settings = TestNode.settings(s3, bucket, db, TestNode.freePort(), List.of(peers.get(0).url()));
            settings.put("repair.list-parallelism", "1");
            return new Setup(bucket, settings, h, m);
        }

        List<String> allKeys() {
            List<String> keys = new ArrayList<>();
            held.forEach(b -> keys.add(b.key()));
            missing.forEach(b -> keys.add(b.key()));
            return keys;
        }
    }

    /** One cycle with {@code fault} switched on at {@code n}, and off (0) after it, whatever happens. */
    private static CycleReport cycleWith(TestNode node, IntConsumer fault, int n) {
        fault.accept(n);
        try {
            return node.runCycle();
        } finally {
            fault.accept(0);
        }
    }

    @ParameterizedTest(name = "listing page {0} of 3 fails")
    @ValueSource(ints = {1, 2, 3})
    void listingFailureKeepsThePagesBeforeItAndHeadsOnlyTheRest(int failingPage) throws Exception {
        Setup setup = Setup.of(2500, 20);
        List<String> sortedHeld = setup.held().stream().map(Blob::key).sorted().toList();
        // keys covered: everything up to the last key of the page before the failing one
        String coveredUpTo = failingPage == 1 ? null : sortedHeld.get((failingPage - 1) * 1000 - 1);
        long uncovered = setup.allKeys().stream().filter(k -> coveredUpTo == null || k.compareTo(coveredUpTo) > 0).count();
        // a missing key the listing covered is confirmed absent with one HeadObject before its pull
        long coveredMissing = setup.missing().stream().map(Blob::key).filter(k -> coveredUpTo != null && k.compareTo(coveredUpTo) <= 0).count();

        try (TestNode node = TestNode.start(setup.settings())) {
            CycleReport report = cycleWith(node, s3.store()::failListCall, failingPage);

            assertThat(report.abortedReason()).isNull();
            assertThat(report.counters()).containsEntry("presence_index_build_fail", 1L)
                    .containsEntry("presence_index_partial", failingPage == 1 ? 0L : 1L)
                    .containsEntry("head_fallback_keys", uncovered)
                    .containsEntry("pull_mine_needed", 20L)
                    .containsEntry("pull_mine_success", 20L)
                    .containsEntry("already_have", 2500L);
            assertThat(report.counters()).containsEntry("head_confirm_absent", coveredMissing);
            assertThat(report.s3Requests()).containsEntry("HeadObject", uncovered + coveredMissing);
            for (Blob b : setup.missing()) {
                assertThat(s3.read(setup.bucket(), b.key())).isEqualTo(b.content());
            }
        }
    }

    /**
     * The default listing (repair.list-parallelism partitions, once the bucket is known to be
     * large) failing part-way: what the finished partitions and the failed one's earlier pages
     * listed is still answered by the index, only the rest is asked by HeadObject, and the
     * repair's outcome is that of a complete listing.
     */
    @Test
    void aParallelListingFailingPartWayHeadsOnlyWhatItDidNotCover() throws Exception {
        Setup setup = Setup.of(12_000, 0);
        setup.settings().remove("repair.list-parallelism");
        List<Blob> removed = setup.held().subList(0, 20);
        try (TestNode node = TestNode.start(setup.settings())) {
            node.runCycle(); // the bucket is now known to be large: the next listing is partitioned
            for (Blob b : removed) {
                s3.client().deleteObject(r -> r.bucket(setup.bucket()).key(b.key()));
                peers.get(0).serve(b.cid(), b.content());
            }
            CycleReport report = cycleWith(node, s3.store()::failListCall, 5);

            assertThat(report.abortedReason()).isNull();
            assertThat(report.counters()).containsEntry("presence_index_build_fail", 1L)
                    .containsEntry("presence_index_partial", 1L)
                    .containsEntry("already_have", 11_980L)
                    .containsEntry("pull_mine_needed", 20L)
                    .containsEntry("pull_mine_success", 20L);
            long fallback = report.counters().get("head_fallback_keys");
            // more than one partition listed in parallel, and what they listed is kept
            assertThat(report.s3Requests().get("ListObjects")).isGreaterThan(5L);
            assertThat(fallback).isPositive().isLessThan(12_000L);
            assertThat(report.s3Requests()).containsEntry("HeadObject", fallback + report.counters().get("head_confirm_absent"));
            for (Blob b : removed) {
                assertThat(s3.read(setup.bucket(), b.key())).isEqualTo(b.content());
            }
        }
    }

    @Test
    void slowDownOnAFractionOfRequestsIsRetriedToTheSameOutcome() throws Exception {
        Setup setup = Setup.of(1500, 20);
        try (TestNode node = TestNode.start(setup.settings())) {
            CycleReport report = cycleWith(node, s3.store()::slowDownEvery, 4);
            assertThat(report.abortedReason()).isNull();
            assertThat(report.counters()).containsEntry("presence_index_build_fail", 0L)
                    .containsEntry("already_have", 1500L)
                    .containsEntry("pull_mine_success", 20L)
                    .containsEntry("pull_store_fail", 0L);
            // the retries are real requests, and counted
            assertThat(report.s3Requests().get("ListObjects") + report.s3Requests().get("PutObject")).isGreaterThan(2 + 20);
            for (Blob b : setup.missing()) {
                assertThat(s3.read(setup.bucket(), b.key())).isEqualTo(b.content());
            }
        }
    }

    @Test
    void headObjectErrorsInTheFallbackAreCountedAndNeverActedOn() throws Exception {
        Setup setup = Setup.of(30, 2);
        Blob heldButUnheadable = setup.held().get(0);
        Blob missingAndUnheadable = setup.missing().get(0);
        s3.store().failHeadsOf(heldButUnheadable.key());
        s3.store().failHeadsOf(missingAndUnheadable.key());
        try (TestNode node = TestNode.start(setup.settings())) {
            s3.store().failListCall(1);
            CycleReport report;
            try {
                report = node.runCleanupCycle();
            } finally {
                s3.store().failListCall(0);
            }
            assertThat(report.counters()).containsEntry("read_attrs_fail", 2L)
                    .containsEntry("pull_mine_needed", 1L) // only the other missing blob
                    .containsEntry("already_have", 29L);
            assertThat(report.s3Requests()).containsEntry("DeleteObject", 0L);
            assertThat(peers.get(0).blobRequests()).doesNotContain(missingAndUnheadable.cid());
            assertThat(s3.exists(setup.bucket(), heldButUnheadable.key())).isTrue();
        }
    }

    @Test
    void badPeersAreSkippedAndNothingTheySendIsStored() throws Exception {
        String bucket = "faults-peers";
        s3.createBucket(bucket);
        TestDb db = TestDb.create();
        db.createSchema();
        Blob blob = Blob.of("blob behind four bad peers");
        peers.get(0).fail(blob.cid(), TestPeer.Fault.ERROR_500);
        peers.get(1).serve(blob.cid(), blob.content());
        peers.get(1).fail(blob.cid(), TestPeer.Fault.HANG);
        peers.get(2).serve(blob.cid(), blob.content());
        peers.get(2).fail(blob.cid(), TestPeer.Fault.TRUNCATE);
        peers.get(3).serve(blob.cid(), "other bytes".getBytes(StandardCharsets.UTF_8));
        peers.get(4).serve(blob.cid(), blob.content());
        int port = TestNode.freePort();
        String self = "http://127.0.0.1:" + port;
        List<String> order = new ArrayList<>(List.of(self));
        peers.forEach(p -> order.add(p.url()));
        db.addUpload("upload-faults", "img_square", blob.cid(), "[\"" + String.join("\",\"", order) + "\"]", null);
        Map<String, String> settings = TestNode.settings(s3, bucket, db, port, peers.stream().map(TestPeer::url).toList());
        // the hanging peer costs this long; a healthy peer on a loaded machine answers well within it
        settings.put("repair.pull.read-timeout", "5s");
        try (TestNode node = TestNode.start(settings)) {
            CycleReport report = node.runCycle();

            assertThat(report.counters()).containsEntry("pull_mine_needed", 1L)
                    .containsEntry("pull_mine_fail", 4L)
                    .containsEntry("pull_mine_success", 1L);
            assertThat(report.s3Requests()).containsEntry("PutObject", 1L);
            assertThat(s3.read(bucket, blob.key())).isEqualTo(blob.content());
            for (TestPeer p : peers) {
                assertThat(p.blobRequests()).contains(blob.cid());
            }
        }
    }

    @Test
    void failedPutObjectLeavesTheKeyUnknownAndTheNextCycleRetries() throws Exception {
        Setup setup = Setup.of(10, 1);
        Blob missing = setup.missing().get(0);
        s3.store().failPutsOf(missing.key());
        try (TestNode node = TestNode.start(setup.settings())) {
            CycleReport failed = node.runCycle();
            assertThat(failed.counters()).containsEntry("pull_mine_needed", 1L)
                    .containsEntry("pull_store_fail", 1L)
                    .containsEntry("pull_mine_success", 0L);
            assertThat(node.bean("knownPresentCache", KnownPresentCache.class).contains(missing.key())).isFalse();
            assertThat(s3.exists(setup.bucket(), missing.key())).isFalse();

            s3.store().healPutsOf(missing.key());
            CycleReport next = node.runCycle();
            assertThat(next.counters()).containsEntry("pull_mine_needed", 1L).containsEntry("pull_mine_success", 1L);
            assertThat(s3.read(setup.bucket(), missing.key())).isEqualTo(missing.content());
        }
    }
}
