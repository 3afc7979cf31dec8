package io.blobrepair.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.blobrepair.repair.CycleReport;
import io.blobrepair.testing.Blob;
import io.blobrepair.testing.TestDb;
import io.blobrepair.testing.TestNode;
import io.blobrepair.testing.TestS3;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Failed pull attempts per needed pull, with and without presence filters, on a network of one
 * node and five peers where each missing blob is held by one peer only. Run with
 * {@code bench/filters.sh [N]}; the last line is one JSON object.
 */
public final class FilterBenchmark {

    private static final int PEERS = 5;

    private FilterBenchmark() {
    }

    public static void main(String[] args) throws Exception {
        int n = args.length > 0 ? Integer.parseInt(args[0]) : 300;
        System.out.println(new ObjectMapper().writeValueAsString(run(n)));
        System.exit(0);
    }

    public static Map<String, Object> run(int n) throws Exception {
        try (TestS3 s3 = TestS3.start()) {
            List<String> urls = new ArrayList<>();
            for (int i = 0; i < PEERS + 2; i++) {
                urls.add("http://127.0.0.1:" + TestNode.freePort());
            }
            List<Blob> blobs = new ArrayList<>();
            for (int i = 0; i < n; i++) {
                blobs.add(Blob.of("filter bench blob " + i));
            }
            List<TestNode> peers = new ArrayList<>();
            try {
                for (int p = 0; p < PEERS; p++) {
                    s3.createBucket("fbench-peer-" + p);
                    TestDb db = TestDb.create();
                    db.createSchema();
                    String url = urls.get(p + 2);
                    peers.add(TestNode.start(TestNode.settings(s3, "fbench-peer-" + p, db,
                            Integer.parseInt(url.substring(url.lastIndexOf(':') + 1)), urls.subList(2, urls.size()))));
                }
                for (int i = 0; i < n; i++) {
                    s3.put("fbench-peer-" + (i % PEERS), blobs.get(i).key(), blobs.get(i).content());
                }
                for (TestNode peer : peers) {
                    peer.runCycle(); // lists its bucket and builds its filter
                }
                Map<String, Object> out = new LinkedHashMap<>();
                out.put("needed_pulls", n);
                for (boolean filters : List.of(false, true)) {
                    int index = filters ? 1 : 0;
                    String bucket = "fbench-node-" + filters;
                    s3.createBucket(bucket);
                    TestDb db = TestDb.create();
                    db.createSchema();
                    for (int from = 0; from < n; from += 1000) {
                        db.addRows("audio_previews", "cid", blobs.subList(from, Math.min(n, from + 1000)).stream().map(Blob::cid).toList());
                    }
                    List<String> network = new ArrayList<>(List.of(urls.get(index)));
                    network.addAll(urls.subList(2, urls.size()));
                    Map<String, String> settings = TestNode.settings(s3, bucket, db,
                            Integer.parseInt(urls.get(index).substring(urls.get(index).lastIndexOf(':') + 1)), network);
                    settings.put("repair.replication-factor", String.valueOf(PEERS + 1));
                    settings.put("repair.presence-filter.enabled", String.valueOf(filters));
                    CycleReport report;
                    try (TestNode node = TestNode.start(settings)) {
                        report = node.runCycle();
                    }
                    long failed = report.counters().get("pull_mine_fail");
                    long needed = report.counters().get("pull_mine_needed");
                    String mode = filters ? "with_filters" : "without_filters";
                    out.put("failed_attempts_" + mode, failed);
                    out.put("failed_per_needed_" + mode, Math.round(1000.0 * failed / needed) / 1000.0);
                    out.put("pulled_" + mode, report.counters().get("pull_mine_success"));
                    System.out.printf("%-16s needed %,d pulls, %,d succeeded, %,d failed attempts (%.3f per needed pull), %d ms%n",
                            mode.replace('_', ' '), needed, report.counters().get("pull_mine_success"), failed,
                            failed / (double) needed, report.durationMs());
                }
                return out;
            } finally {
                peers.forEach(TestNode::close);
            }
        }
    }
}
