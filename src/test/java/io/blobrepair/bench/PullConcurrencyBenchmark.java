package io.blobrepair.bench;

import io.blobrepair.cid.ContentHash;
import io.blobrepair.repair.CycleReport;
import io.blobrepair.testing.TestDb;
import io.blobrepair.testing.TestNode;
import io.blobrepair.testing.TestPeer;
import io.blobrepair.testing.TestS3;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;

/**
 * Parallel pulls (issue 11): a node missing every one of {@code blobs} blobs of 64 KiB, which
 * three real HTTP peers hold, pulls them in one cycle at {@code repair.pull.concurrency} 1 and
 * then at the default. Each run has its own empty bucket and database, so both pull everything.
 */
final class PullConcurrencyBenchmark {

    static final int BLOB_BYTES = 64 * 1024;
    private static final int PEERS = 3;

    /** Both runs' cycle durations; each pulled every blob. */
    record Result(int blobs, int concurrency, long sequentialMs, long concurrentMs) {
        double speedup() {
            return sequentialMs / (double) Math.max(1, concurrentMs);
        }
    }

    private PullConcurrencyBenchmark() {
    }

    static Result run(TestS3 s3, int blobs, int concurrency) throws Exception {
        List<TestPeer> peers = new ArrayList<>();
        try {
            for (int i = 0; i < PEERS; i++) {
                peers.add(TestPeer.start());
            }
            List<String> cids = new ArrayList<>(blobs);
            Random random = new Random(11);
            for (int i = 0; i < blobs; i++) {
                byte[] content = new byte[BLOB_BYTES];
                random.nextBytes(content);
                String cid = ContentHash.v1CidOf(content);
                cids.add(cid);
                for (TestPeer peer : peers) {
                    peer.serve(cid, content);
                }
            }
            long sequentialMs = pullEverything(s3, peers, cids, 1);
            long concurrentMs = pullEverything(s3, peers, cids, concurrency);
            return new Result(blobs, concurrency, sequentialMs, concurrentMs);
        } finally {
            for (TestPeer peer : peers) {
                peer.close();
            }
        }
    }

    /** One cycle of a fresh node with an empty bucket: its duration, once every blob is pulled. */
    private static long pullEverything(TestS3 s3, List<TestPeer> peers, List<String> cids, int concurrency) throws Exception {
        String bucket = "bench-pull-" + concurrency;
        s3.createBucket(bucket);
        TestDb db = TestDb.create();
        db.createSchema();
        db.addRows("audio_previews", "cid", cids);
        int port = TestNode.freePort();
        List<String> hosts = new ArrayList<>(List.of("http://127.0.0.1:" + port));
        peers.forEach(peer -> hosts.add(peer.url()));
        Map<String, String> settings = TestNode.settings(s3, bucket, db, port, hosts);
        // every host holds every CID, so this node should too
        settings.put("repair.replication-factor", String.valueOf(hosts.size()));
        settings.put("repair.presence-filter.enabled", "false");
        settings.put("repair.pull.concurrency", String.valueOf(concurrency));
        try (TestNode node = TestNode.start(settings)) {
            CycleReport report = node.runCycle();
            long pulled = report.counters().getOrDefault("pull_mine_success", 0L);
            if (report.aborted() || pulled != cids.size()) {
                throw new IllegalStateException("concurrency " + concurrency + ": pulled " + pulled + " of " + cids.size()
                        + (report.aborted() ? ", aborted: " + report.abortedReason() : ""));
            }
            return report.durationMs();
        }
    }
}
