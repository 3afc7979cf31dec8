package io.blobrepair.network;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.google.common.hash.BloomFilter;
import com.google.common.hash.Funnels;
import io.blobrepair.index.PresenceFilter;
import io.blobrepair.peer.PeerFilters;
import io.blobrepair.repair.CycleReport;
import io.blobrepair.testing.Blob;
import io.blobrepair.testing.MutableClock;
import io.blobrepair.testing.TestDb;
import io.blobrepair.testing.TestNode;
import io.blobrepair.testing.TestPeer;
import io.blobrepair.testing.TestS3;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

import java.io.ByteArrayOutputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A six-node network where only one peer holds each missing blob: presence filters send each
 * pull to its holder first; a blob newer than its holder's filter is found once the CID's pull
 * escalates to the whole network; a blob nobody holds accumulates evidence. Beside it, a single
 * peer ({@link TestPeer}) serving a filter the test makes: a stale or oversized one is not used.
 */
class PresenceFilterTest {

    private static final int PEERS = 5;
    private static TestS3 s3;
    private static final List<TestNode> peers = new ArrayList<>();
    private static final List<String> urls = new ArrayList<>();
    private static final List<Blob> blobs = new ArrayList<>();

    @BeforeAll
    static void network() throws Exception {
        s3 = TestS3.start();
        for (int i = 0; i <= PEERS + 1; i++) {
            urls.add("http://127.0.0.1:" + TestNode.freePort()); // urls 0 and 1: the nodes under test
        }
        for (int i = 0; i < 30; i++) {
            blobs.add(Blob.of("filtered blob " + i));
        }
        for (int p = 0; p < PEERS; p++) {
            String bucket = "filter-peer-" + p;
            s3.createBucket(bucket);
            TestDb db = TestDb.create();
            db.createSchema(); // empty work lists: a peer's cycle only lists and builds its filter
            String url = urls.get(p + 2);
            Map<String, String> settings = TestNode.settings(s3, bucket, db, port(url), urls.subList(2, urls.size()));
            peers.add(TestNode.start(settings));
        }
        for (int i = 0; i < blobs.size(); i++) {
            s3.put("filter-peer-" + (i % PEERS), blobs.get(i).key(), blobs.get(i).content());
        }
        for (TestNode peer : peers) {
            assertThat(peer.runCycle().abortedReason()).isNull();
        }
    }

    @AfterAll
    static void stop() throws Exception {
        peers.forEach(TestNode::close);
        s3.close();
    }

    private static int port(String url) {
        return Integer.parseInt(url.substring(url.lastIndexOf(':') + 1));
    }

    /** A node that should hold every blob (R = all six hosts) and holds none. */
    private static TestNode nodeUnderTest(int index, boolean filters, List<Blob> wanted) throws Exception {
        String bucket = "filter-node-" + index + "-" + filters;
        s3.createBucket(bucket);
        TestDb db = TestDb.create();
        db.createSchema();
        db.addRows("audio_previews", "cid", wanted.stream().map(Blob::cid).toList());
        List<String> network = new ArrayList<>(List.of(urls.get(index)));
        network.addAll(urls.subList(2, urls.size()));
        Map<String, String> settings = TestNode.settings(s3, bucket, db, port(urls.get(index)), network);
        settings.put("repair.replication-factor", "6");
        settings.put("repair.presence-filter.enabled", String.valueOf(filters));
        return TestNode.start(settings);
    }

    /** A filter of no key at all, sized as a node sizes its smallest: it says absent to every key. */
    private static byte[] filterOfNoKey() throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        BloomFilter.create(Funnels.stringFunnel(StandardCharsets.UTF_8), 1000, PresenceFilter.FALSE_POSITIVE_RATE).writeTo(out);
        return out.toByteArray();
    }

    private static int singlePeerNodes;

    /** A node that should hold {@code wanted} (R = both hosts) and holds nothing, whose only peer is {@code peer}. */
    private static TestNode nodeWithOnePeer(TestPeer peer, Blob wanted, Map<String, String> extra, Clock clock) throws Exception {
        String bucket = "filter-single-" + (++singlePeerNodes);
        s3.createBucket(bucket);
        TestDb db = TestDb.create();
        db.createSchema();
        db.addRows("audio_previews", "cid", List.of(wanted.cid()));
        Map<String, String> settings = TestNode.settings(s3, bucket, db, TestNode.freePort(), List.of(peer.url()));
        settings.put("repair.replication-factor", "2");
        settings.put("repair.interval", "1h");
        settings.putAll(extra);
        return TestNode.start(settings, clock);
    }

    /**
     * A peer whose filter was built more than two repair intervals ago has not listed for a
     * cycle: its "absent" is ignored and the peer is asked as if it served no filter. The same
     * filter, fetched again, is used while fresh and ignored once the node's clock is 2 h 1 min on.
     */
    @Test
    void aFilterOlderThanTwiceTheRepairIntervalIsIgnored() throws Exception {
        Blob blob = Blob.of("held by a peer whose filter goes stale");
        MutableClock clock = new MutableClock();
        try (TestPeer peer = TestPeer.start()) {
            peer.serve(blob.cid(), blob.content());
            peer.servePresenceFilter(filterOfNoKey(), Instant.now());
            try (TestNode node = nodeWithOnePeer(peer, blob, Map.of(), clock)) {
                CycleReport fresh = node.runCycle();

                assertThat(peer.presenceFilterRequests()).isEqualTo(1);
                assertThat(fresh.counters()).containsEntry("pull_mine_needed", 1L).containsEntry("pull_mine_gave_up", 1L)
                        .containsEntry("pull_mine_success", 0L);
                assertThat(peer.blobRequests()).isEmpty();

                clock.advance(Duration.ofHours(2).plusMinutes(1));
                CycleReport stale = node.runCycle();

                assertThat(peer.presenceFilterRequests()).isEqualTo(2); // fetched again: the same filter, now stale
                assertThat(stale.counters()).containsEntry("pull_mine_success", 1L).containsEntry("pull_mine_fail", 0L);
                assertThat(peer.blobRequests()).containsExactly(blob.cid());
                assertThat(s3.read(node.bucket(), blob.key())).isEqualTo(blob.content());
            }
        }
    }

    /**
     * A peer filter one byte over {@code repair.presence-filter.max-bytes} is logged and never
     * used: the peer is asked as if it served none. At exactly the cap the same filter is used.
     */
    @Test
    void aFilterLargerThanTheCapIsLoggedAndNeverUsed() throws Exception {
        Blob blob = Blob.of("held by a peer whose filter is too large");
        byte[] filter = filterOfNoKey();
        ListAppender<ILoggingEvent> logs = new ListAppender<>();
        logs.start();
        Logger log = (Logger) LoggerFactory.getLogger(PeerFilters.class);
        log.addAppender(logs);
        try (TestPeer peer = TestPeer.start()) {
            peer.serve(blob.cid(), blob.content());
            peer.servePresenceFilter(filter, Instant.now());
            try (TestNode atTheCap = nodeWithOnePeer(peer, blob,
                    Map.of("repair.presence-filter.max-bytes", String.valueOf(filter.length)), null)) {
                CycleReport used = atTheCap.runCycle();

                assertThat(used.counters()).containsEntry("pull_mine_gave_up", 1L).containsEntry("pull_mine_success", 0L);
                assertThat(peer.blobRequests()).isEmpty();
            }
            assertThat(logs.list).noneMatch(e -> e.getLevel() == Level.WARN);

            try (TestNode belowIt = nodeWithOnePeer(peer, blob,
                    Map.of("repair.presence-filter.max-bytes", String.valueOf(filter.length - 1)), null)) {
                CycleReport ignored = belowIt.runCycle();

                assertThat(peer.presenceFilterRequests()).isEqualTo(2);
                assertThat(ignored.counters()).containsEntry("pull_mine_success", 1L).containsEntry("pull_mine_gave_up", 0L);
                assertThat(peer.blobRequests()).containsExactly(blob.cid());
                assertThat(s3.read(belowIt.bucket(), blob.key())).isEqualTo(blob.content());
            }
            assertThat(logs.list).filteredOn(e -> e.getLevel() == Level.WARN).singleElement()
                    .satisfies(e -> assertThat(e.getFormattedMessage()).contains(peer.url(), "max-bytes=" + (filter.length - 1)));
        } finally {
            log.detachAppender(logs);
        }
    }

    @Test
    void filtersSendPullsToTheHolderFirst() throws Exception {
        CycleReport without;
        try (TestNode node = nodeUnderTest(0, false, blobs)) {
            without = node.runCycle();
        }
        CycleReport with;
        try (TestNode node = nodeUnderTest(1, true, blobs)) {
            with = node.runCycle();
        }
        long needed = blobs.size();
        assertThat(without.counters()).containsEntry("pull_mine_needed", needed).containsEntry("pull_mine_success", needed);
        assertThat(with.counters()).containsEntry("pull_mine_needed", needed).containsEntry("pull_mine_success", needed);
        long failsWith = with.counters().get("pull_mine_fail");
        long failsWithout = without.counters().get("pull_mine_fail");
        assertThat(failsWith).as("failed attempts with filters").isLessThanOrEqualTo(needed);
        assertThat(failsWithout).as("failed attempts without filters").isGreaterThan(failsWith);
    }

    /**
     * A peer whose filter says absent is not asked by the bounded pulls: a blob written after its
     * holder's filter is found once the CID has failed three cycles and its pull asks the whole
     * network, filters only ordering it. A blob nobody holds is evidence, not yet a loss.
     */
    @Test
    void aBlobNewerThanItsHoldersFilterIsPulledOnceTheCidEscalates() throws Exception {
        Blob late = Blob.of("written after the filters were built");
        s3.put("filter-peer-3", late.key(), late.content());
        Blob nowhere = Blob.of("held by no node at all");
        try (TestNode node = nodeUnderTest(1, true, List.of(late, nowhere))) {
            for (int cycle = 1; cycle <= 3; cycle++) {
                CycleReport bounded = node.runCycle();
                // every peer's filter says absent: nobody is asked, and each no-show is one failed cycle of evidence
                assertThat(bounded.counters()).as("cycle %d", cycle).containsEntry("pull_mine_needed", 2L)
                        .containsEntry("pull_mine_fail", 0L).containsEntry("pull_mine_gave_up", 2L)
                        .containsEntry("data_loss_evidence_recorded", 2L).containsEntry("pull_escalated_full_network", 0L);
            }
            assertThat(s3.exists("filter-node-1-true", late.key())).isFalse();

            CycleReport escalated = node.runCycle();

            assertThat(escalated.counters()).containsEntry("pull_escalated_full_network", 2L)
                    .containsEntry("pull_mine_success", 1L).containsEntry("pull_mine_gave_up", 1L)
                    .containsEntry("data_loss_declared", 0L);
            assertThat(s3.read("filter-node-1-true", late.key())).isEqualTo(late.content());
            HttpResponse<String> lost = HttpClient.newHttpClient().send(
                    HttpRequest.newBuilder(URI.create(node.url() + "/internal/logs/lost")).build(),
                    HttpResponse.BodyHandlers.ofString());
            Map<String, JsonNode> byCid = new java.util.HashMap<>();
            new ObjectMapper().readTree(lost.body()).forEach(row -> byCid.put(row.get("cid").asText(), row));
            assertThat(byCid).containsOnlyKeys(late.cid(), nowhere.cid());
            assertThat(byCid.get(late.cid()).get("state").asText()).isEqualTo("recovered");
            assertThat(byCid.get(nowhere.cid()).get("state").asText()).isEqualTo("accumulating");
            assertThat(byCid.get(nowhere.cid()).get("failed_cycles").asInt()).isEqualTo(4);
            assertThat(byCid.get(nowhere.cid()).get("last_attempt_exhaustive").asBoolean()).isTrue();
        }
    }
}
