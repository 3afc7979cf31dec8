package io.blobrepair.cycle;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.blobrepair.placement.RendezvousRanking;
import io.blobrepair.repair.CycleReport;
import io.blobrepair.testing.Blob;
import io.blobrepair.testing.TestDb;
import io.blobrepair.testing.TestNode;
import io.blobrepair.testing.TestPeer;
import io.blobrepair.testing.TestS3;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Bounded pulls that escalate, on a network of ten hosts (this node and nine real HTTP peers, five
 * of which behave like reference nodes: no presence filter, 500 for a blob they lack), R = 3: a
 * pull asks at most R+4 = 7 ranked peers, then up to two store-all peers, and the whole ranking
 * only once the CID failed three cycles.
 */
@Timeout(value = 5, unit = TimeUnit.MINUTES)
class BoundedPullTest {

    private static final int PEERS = 9;
    private static TestS3 s3;
    private static int nodes;
    private final List<TestPeer> peers = new ArrayList<>();

    @BeforeAll
    static void startS3() throws Exception {
        s3 = TestS3.start();
    }

    @AfterAll
    static void stopS3() throws Exception {
        s3.close();
    }

    @BeforeEach
    void startPeers() throws Exception {
        for (int i = 0; i < PEERS; i++) {
            TestPeer peer = TestPeer.start();
            peers.add(i < 5 ? peer.likeReference() : peer);
        }
    }

    @AfterEach
    void stopPeers() {
        peers.forEach(TestPeer::close);
    }

    /** A node of the network, missing one blob of its own that only the peer ranked {@code holderRank} holds. */
    private record Network(Map<String, String> settings, String bucket, Blob blob, TestPeer holder) {
    }

    private Network network(int holderRank) throws Exception {
        String bucket = "bounded-" + (++nodes);
        s3.createBucket(bucket);
        TestDb db = TestDb.create();
        db.createSchema();
        int port = TestNode.freePort();
        String self = "http://127.0.0.1:" + port;
        List<String> hosts = new ArrayList<>(peers.stream().map(TestPeer::url).toList());
        hosts.add(self);
        Blob blob = null;
        for (int i = 0; blob == null; i++) {
            Blob candidate = Blob.of(bucket + " blob " + i);
            List<String> ranked = RendezvousRanking.rank(candidate.cid(), hosts);
            if (ranked.indexOf(self) < 3 && !ranked.get(holderRank).equals(self)) {
                blob = candidate;
            }
        }
        String holderUrl = RendezvousRanking.rank(blob.cid(), hosts).get(holderRank);
        TestPeer holder = peers.stream().filter(p -> p.url().equals(holderUrl)).findFirst().orElseThrow();
        holder.serve(blob.cid(), blob.content());
        db.addRows("audio_previews", "cid", List.of(blob.cid()));
        Map<String, String> settings = TestNode.settings(s3, bucket, db, port, peers.stream().map(TestPeer::url).toList());
        settings.put("repair.cleanup-every", "1000");
        return new Network(settings, bucket, blob, holder);
    }

    @Test
    void aBlobHeldOnlyByTheLowestRankedOfTenHostsIsNotRequestedInCyclesOneToThreeAndPulledInCycleFour() throws Exception {
        Network n = network(9);
        try (TestNode node = TestNode.start(n.settings())) {
            for (int cycle = 1; cycle <= 3; cycle++) {
                CycleReport bounded = node.runCycle();

                assertThat(bounded.counters()).as("cycle %d", cycle).containsEntry("pull_mine_needed", 1L)
                        .containsEntry("pull_mine_fail", 7L).containsEntry("pull_mine_gave_up", 1L)
                        .containsEntry("pull_escalated_full_network", 0L).containsEntry("data_loss_evidence_recorded", 1L);
                assertThat(n.holder().blobRequests()).as("cycle %d", cycle).isEmpty();
            }
            // seven of the eight peers ranked ahead of the holder asked three times, the eighth never
            assertThat(peers.stream().mapToInt(p -> p.blobRequests().size()).sum()).isEqualTo(21);

            CycleReport escalated = node.runCycle();

            assertThat(escalated.counters()).containsEntry("pull_escalated_full_network", 1L)
                    .containsEntry("pull_mine_fail", 8L).containsEntry("pull_mine_success", 1L)
                    .containsEntry("pull_mine_gave_up", 0L);
            assertThat(n.holder().blobRequests()).containsExactly(n.blob().cid());
            assertThat(s3.read(n.bucket(), n.blob().key())).isEqualTo(n.blob().content());
            // the evidence is closed, and it never was a loss
            JsonNode summary = dataLoss(node);
            assertThat(summary.get("recovered").asLong()).isEqualTo(1);
            assertThat(summary.get("accumulating").asLong()).isZero();
            assertThat(summary.get("total").asLong()).isZero();
            assertThat(summary.has("oldestDeclared")).isFalse();
        }
    }

    @Test
    void aStoreAllPeerBeyondTheBoundIsOfferedInTheFirstCycle() throws Exception {
        Network n = network(9);
        n.holder().storeAll(true);
        try (TestNode node = TestNode.start(n.settings())) {
            CycleReport first = node.runCycle();

            assertThat(first.counters()).containsEntry("pull_store_all_fallback_offered", 1L)
                    .containsEntry("pull_mine_fail", 7L).containsEntry("pull_mine_success", 1L)
                    .containsEntry("pull_escalated_full_network", 0L);
            assertThat(s3.read(n.bucket(), n.blob().key())).isEqualTo(n.blob().content());
        }
    }

    @Test
    void repairStoreAllPeersNamesStoreAllPeersTheirHealthDoesNotMention() throws Exception {
        Network n = network(8);
        n.settings().put("repair.store-all-peers", n.holder().url());
        try (TestNode node = TestNode.start(n.settings())) {
            CycleReport first = node.runCycle();

            assertThat(first.counters()).containsEntry("pull_store_all_fallback_offered", 1L)
                    .containsEntry("pull_mine_success", 1L);
            assertThat(n.holder().blobRequests()).containsExactly(n.blob().cid());
        }
    }

    @Test
    void repairPullMaxHostsIsTheBound() throws Exception {
        Network n = network(9);
        n.settings().put("repair.pull.max-hosts", "2");
        try (TestNode node = TestNode.start(n.settings())) {
            CycleReport bounded = node.runCycle();

            assertThat(bounded.counters()).containsEntry("pull_mine_fail", 2L).containsEntry("pull_mine_gave_up", 1L);
        }
    }

    private static JsonNode dataLoss(TestNode node) throws Exception {
        HttpResponse<String> response = HttpClient.newHttpClient().send(
                HttpRequest.newBuilder(URI.create(node.url() + "/internal/data-loss")).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(response.statusCode()).isEqualTo(200);
        return new ObjectMapper().readTree(response.body());
    }
}
