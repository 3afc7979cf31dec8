package io.blobrepair.cycle;

import io.blobrepair.placement.RendezvousRanking;
import io.blobrepair.repair.CycleReport;
import io.blobrepair.testing.Blob;
import io.blobrepair.testing.TestDb;
import io.blobrepair.testing.TestNode;
import io.blobrepair.testing.TestS3;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Four nodes on one machine, each with its own bucket, database and peer API on a real port:
 * a blob held by one node only reaches the nodes that should hold it, and no other.
 */
class NetworkRepairTest {

    @Test
    void blobOnOneNodeReachesTheNodesThatShouldHoldIt() throws Exception {
        try (TestS3 s3 = TestS3.start()) {
            List<String> urls = new ArrayList<>();
            List<Map<String, String>> settings = new ArrayList<>();
            for (int i = 0; i < 4; i++) {
                urls.add("http://127.0.0.1:" + TestNode.freePort());
            }
            // a blob whose rendezvous ranking puts node 0 last: with R=2 node 0 holds it but should not,
            // two of nodes 1-3 should hold it and one should not
            Blob blob = null;
            for (int i = 0; blob == null; i++) {
                Blob candidate = Blob.of("network blob " + i);
                if (RendezvousRanking.rank(candidate.cid(), urls).get(3).equals(urls.get(0))) {
                    blob = candidate;
                }
            }
            List<String> shouldHold = RendezvousRanking.rank(blob.cid(), urls).subList(0, 2);
            for (int i = 0; i < 4; i++) {
                String bucket = "network-node-" + i;
                s3.createBucket(bucket);
                TestDb db = TestDb.create();
                db.createSchema();
                db.addRows("audio_previews", "cid", List.of(blob.cid()));
                int port = Integer.parseInt(urls.get(i).substring(urls.get(i).lastIndexOf(':') + 1));
                Map<String, String> node = TestNode.settings(s3, bucket, db, port, urls);
                node.put("repair.replication-factor", "2");
                settings.add(node);
            }
            s3.put("network-node-0", blob.key(), blob.content());

            List<TestNode> nodes = new ArrayList<>();
            try {
                for (Map<String, String> node : settings) {
                    nodes.add(TestNode.start(node));
                }
                List<CycleReport> reports = new ArrayList<>();
                for (TestNode node : nodes) {
                    reports.add(node.runCycle());
                }

                assertThat(reports).allSatisfy(r -> assertThat(r.abortedReason()).isNull());
                assertThat(reports.get(0).counters()).containsEntry("pull_mine_needed", 0L);
                for (int i = 1; i < 4; i++) {
                    if (shouldHold.contains(urls.get(i))) {
                        assertThat(reports.get(i).counters()).as("node " + i).containsEntry("pull_mine_needed", 1L)
                                .containsEntry("pull_mine_success", 1L);
                        assertThat(s3.read("network-node-" + i, blob.key())).isEqualTo(blob.content());
                    } else {
                        assertThat(reports.get(i).counters()).as("node " + i).containsEntry("pull_mine_needed", 0L);
                        assertThat(s3.exists("network-node-" + i, blob.key())).as("node " + i).isFalse();
                    }
                }
                // node 0 keeps its copy: only cleanup cycles delete
                assertThat(s3.exists("network-node-0", blob.key())).isTrue();
            } finally {
                nodes.forEach(TestNode::close);
            }
        }
    }
}
