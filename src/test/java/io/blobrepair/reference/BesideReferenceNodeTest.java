package io.blobrepair.reference;

import io.blobrepair.ops.InvalidSettingException;
import io.blobrepair.peer.NodeFollower;
import io.blobrepair.peer.PeerAuth;
import io.blobrepair.placement.NetworkView;
import io.blobrepair.repair.CycleReport;
import io.blobrepair.testing.Blob;
import io.blobrepair.testing.ReferenceNode;
import io.blobrepair.testing.TestDb;
import io.blobrepair.testing.TestNode;
import io.blobrepair.testing.TestPeer;
import io.blobrepair.testing.TestS3;
import org.junit.jupiter.api.Test;
import org.web3j.crypto.Hash;
import org.web3j.crypto.Keys;
import org.web3j.crypto.Sign;

import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * A node that follows a co-located reference node ({@code repair.node-url}): the node's health JSON
 * and ranking set R, self, the host set and store-all; at cycle time a changed or broken answer is
 * adopted or survived; signed peer requests pass a verifier written from the reference's rules.
 */
class BesideReferenceNodeTest {

    private static final String KEY = "8f2a55949038a9610f50fb23b5883af3b4ecb3c3bb792cbcefbd1542c692be63";

    /** A node whose network comes from {@code reference} alone: no self, peers, R or store-all set. */
    private static Map<String, String> following(TestS3 s3, String bucket, TestDb db, int port, ReferenceNode reference) {
        Map<String, String> settings = TestNode.settings(s3, bucket, db, port, List.of());
        settings.remove("repair.self-host");
        settings.remove("repair.peers");
        settings.remove("repair.replication-factor");
        settings.put("repair.node-url", reference.url());
        return settings;
    }

    private static List<Blob> blobs(int n) {
        List<Blob> blobs = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            blobs.add(Blob.of("beside the reference node " + i));
        }
        return blobs;
    }

    @Test
    void theNodeSetsReplicationSelfHostsAndStoreAll() throws Exception {
        try (TestS3 s3 = TestS3.start(); TestPeer peer = TestPeer.start()) {
            int port = TestNode.freePort();
            // the node knows itself in upper case with a trailing slash; its ranking uses the normal form
            String self = "http://127.0.0.1:" + port;
            List<String> hosts = List.of(self, peer.url());
            List<Blob> blobs = blobs(12);
            TestDb db = TestDb.create();
            db.createSchema();
            db.addRows("audio_previews", "cid", blobs.stream().map(Blob::cid).toList());
            blobs.forEach(b -> peer.serve(b.cid(), b.content()));
            List<Blob> mine = blobs.stream().filter(b -> ReferenceNode.rank(b.cid(), hosts).get(0).equals(self)).toList();
            assertThat(mine).isNotEmpty().hasSizeLessThan(blobs.size());

            s3.createBucket("beside");
            try (ReferenceNode reference = ReferenceNode.start("HTTP://127.0.0.1:" + port + "/", hosts).replicationFactor(1);
                 TestNode node = TestNode.start(following(s3, "beside", db, port, reference))) {
                NetworkView view = node.bean("nodeFollower", NodeFollower.class).current();
                assertThat(view.self()).isEqualTo(self);
                assertThat(view.replicationFactor()).isEqualTo(1);
                assertThat(view.storeAll()).isFalse();

                CycleReport report = node.runCycle();

                // R=1 from the node: only the blobs ranked first here are this node's
                assertThat(report.counters()).containsEntry("pull_mine_needed", (long) mine.size())
                        .containsEntry("pull_mine_success", (long) mine.size()).containsEntry("node_view_stale", 0L);
                for (Blob b : blobs) {
                    assertThat(s3.exists("beside", b.key())).as(b.cid()).isEqualTo(mine.contains(b));
                }
                assertThat(reference.healthRequests()).isEqualTo(2); // startup and the cycle's start

                // the node changes its host set: the next cycle's view follows it
                List<String> grown = List.of(self, peer.url(), "http://127.0.0.1:" + TestNode.freePort());
                reference.hosts(grown);
                node.runCycle();
                assertThat(node.bean("nodeFollower", NodeFollower.class).current().hosts()).containsExactlyInAnyOrderElementsOf(grown);

                // a broken answer at cycle time: counted, the last good view kept, the cycle completes
                reference.healthBody("{\"data\": \"broken\"}");
                CycleReport stale = node.runCycle();
                assertThat(stale.aborted()).isFalse();
                assertThat(stale.counters()).containsEntry("node_view_stale", 1L);
                assertThat(node.bean("nodeFollower", NodeFollower.class).current().hosts()).containsExactlyInAnyOrderElementsOf(grown);
            }

            // store-all from the node: every blob is this node's
            s3.createBucket("beside-all");
            TestDb all = TestDb.create();
            all.createSchema();
            all.addRows("audio_previews", "cid", blobs.stream().map(Blob::cid).toList());
            try (ReferenceNode reference = ReferenceNode.start(self, hosts).replicationFactor(1).storeAll(true);
                 TestNode node = TestNode.start(following(s3, "beside-all", all, port, reference))) {
                CycleReport report = node.runCycle();
                assertThat(report.counters()).containsEntry("pull_mine_success", (long) blobs.size());
            }
        }
    }

    @Test
    void aNodeThatCannotBeFollowedStopsStartupNamingRepairNodeUrl() throws Exception {
        try (TestS3 s3 = TestS3.start()) {
            int port = TestNode.freePort();
            TestDb db = TestDb.create();
            s3.createBucket("beside-broken");
            try (ReferenceNode reference = ReferenceNode.start("http://127.0.0.1:" + port, List.of("http://127.0.0.1:" + port))) {
                reference.healthBody("{\"data\": {\"self\": {\"host\": \"node one\"}, \"replicationFactor\": 4}}");
                assertThatThrownBy(() -> TestNode.start(following(s3, "beside-broken", db, port, reference)).close())
                        .isInstanceOf(InvalidSettingException.class).hasMessageContaining("repair.node-url").hasMessageContaining("data.self.host")
                        .hasMessageContaining("REPAIR_NODE_URL");
            }
        }
    }

    @Test
    void signedPeerRequestsPassTheReferenceVerification() throws Exception {
        try (TestS3 s3 = TestS3.start(); TestPeer peer = TestPeer.start()) {
            int port = TestNode.freePort();
            String self = "http://127.0.0.1:" + port;
            List<String> hosts = List.of(self, peer.url());
            List<Blob> blobs = blobs(6);
            TestDb db = TestDb.create();
            db.createSchema();
            db.addRows("audio_previews", "cid", blobs.stream().map(Blob::cid).toList());
            blobs.forEach(b -> peer.serve(b.cid(), b.content()));
            s3.createBucket("beside-signed");
            try (ReferenceNode reference = ReferenceNode.start(self, hosts).storeAll(true)) {
                Map<String, String> settings = following(s3, "beside-signed", db, port, reference);
                settings.put("repair.peer-auth", "signed");
                settings.put("repair.node-key", KEY);
                try (TestNode node = TestNode.start(settings)) {
                    // the reference lists no signers and none are set: nobody may call this node's blob API
                    assertThat(node.bean("peerAuth", PeerAuth.class).allowedWallets()).isEmpty();
                    CycleReport report = node.runCycle();
                    assertThat(report.counters()).containsEntry("pull_mine_success", (long) blobs.size());
                }
            }
            String wallet = "0x" + Keys.getAddress(org.web3j.crypto.ECKeyPair.create(new BigInteger(KEY, 16)).getPublicKey());
            // per blob: its size (GET /internal/blobs/info, before staging) and the blob, both signed
            assertThat(peer.authorizations()).hasSize(2 * blobs.size());
            for (String header : peer.authorizations()) {
                assertThat(referenceVerification(header, Instant.now())).as(header).isEqualToIgnoringCase(wallet);
            }
        }
    }

    /**
     * The reference's checkBasicAuth, written from its rules: Basic base64(user:pass), user parsed as an
     * integer (decimal here), at most an hour old, pass[2:] the 65 hex bytes of r ‖ s ‖ v (v 0/1 or 27/28)
     * over keccak256("\x19Ethereum Signed Message:\n32" ‖ keccak256(user)); returns the recovered wallet.
     */
    private static String referenceVerification(String header, Instant now) throws Exception {
        assertThat(header).startsWith("Basic ");
        String credentials = new String(Base64.getDecoder().decode(header.substring(6)), StandardCharsets.UTF_8);
        int colon = credentials.indexOf(':');
        String user = credentials.substring(0, colon);
        String pass = credentials.substring(colon + 1);
        long ts = Long.parseLong(user);
        assertThat(Duration.between(Instant.ofEpochMilli(ts), now)).isLessThanOrEqualTo(Duration.ofHours(1));
        byte[] sig = HexFormat.of().parseHex(pass.substring(2));
        assertThat(sig).hasSize(65);
        byte v = sig[64] >= 27 ? sig[64] : (byte) (sig[64] + 27);
        Sign.SignatureData data = new Sign.SignatureData(v, Arrays.copyOfRange(sig, 0, 32), Arrays.copyOfRange(sig, 32, 64));
        BigInteger key = Sign.signedPrefixedMessageToKey(Hash.sha3(user.getBytes(StandardCharsets.UTF_8)), data);
        return "0x" + Keys.getAddress(key);
    }
}
