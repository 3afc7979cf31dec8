package io.blobrepair.peer;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import io.blobrepair.placement.NetworkView;
import io.blobrepair.testing.ReferenceNode;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

import java.net.http.HttpClient;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Following a node that answers like the reference's: its health JSON and its ranking, over real HTTP. */
class NodeFollowerTest {

    private static final String SELF = "https://cn2.example.org";
    private static final List<String> HOSTS = List.of("https://cn1.example.org", SELF, "https://cn3.example.org",
            "https://cn4.example.org", "https://cn5.example.org");
    private static final String WALLET = "0xAbCdEf0123456789abcdef0123456789ABCDEF01";

    private ReferenceNode node;
    private final List<NetworkView> announced = new ArrayList<>();
    private final ListAppender<ILoggingEvent> logs = new ListAppender<>();

    @BeforeEach
    void start() throws Exception {
        node = ReferenceNode.start("HTTPS://CN2.Example.org/", HOSTS);
        logs.start();
        ((Logger) LoggerFactory.getLogger(NodeFollower.class)).addAppender(logs);
    }

    @AfterEach
    void stop() {
        ((Logger) LoggerFactory.getLogger(NodeFollower.class)).detachAppender(logs);
        node.close();
    }

    /** Nothing set but defaults: the node's word is taken. */
    private static NodeFollower.Configured nothingSet() {
        return new NodeFollower.Configured("http://localhost:8080", false, List.of(), false, 4, false, false, false,
                Set.of(), false, OptionalLong.empty());
    }

    private NodeFollower follower(NodeFollower.Configured configured) {
        return new NodeFollower(Optional.of(node.url()), configured, HttpClient.newHttpClient(), Duration.ofSeconds(5),
                announced::add);
    }

    @Test
    void theNodeSetsSelfHostsReplicationStoreAllAndDiskFigures() throws Exception {
        node.replicationFactor(2).storeAll(true);
        NetworkView view = follower(nothingSet()).start();

        assertThat(view.self()).isEqualTo(SELF);
        assertThat(view.hosts()).containsExactlyInAnyOrderElementsOf(HOSTS);
        assertThat(view.replicationFactor()).isEqualTo(2);
        assertThat(view.storeAll()).isTrue();
        assertThat(view.wallets()).isEmpty(); // the reference lists no signers
        assertThat(view.capacityBytes()).hasValue(2000L << 30);
        assertThat(view.usedBytes()).hasValue(500L << 30);
        assertThat(node.healthRequests()).isEqualTo(1);
        assertThat(node.locationRequests()).isEqualTo(1);
    }

    @Test
    void signersTheNodeListsBecomeTheAllowedWallets() throws Exception {
        node.signers(List.of(WALLET));
        assertThat(follower(nothingSet()).start().wallets()).containsExactly(WALLET.toLowerCase());
    }

    @Test
    void unhealthyAndUnregisteredAnswersCarryTheSameBody() throws Exception {
        node.healthStatus(503);
        assertThat(follower(nothingSet()).start().self()).isEqualTo(SELF);
        node.healthStatus(506);
        assertThat(follower(nothingSet()).start().self()).isEqualTo(SELF);
    }

    @Test
    void setValuesWinAndADisagreementIsLoggedOnce() throws Exception {
        node.replicationFactor(4).storeAll(false).signers(List.of(WALLET));
        NodeFollower.Configured configured = new NodeFollower.Configured(SELF, true, List.of("https://cn1.example.org"), true,
                3, true, true, true, Set.of("0x2c7536e3605d9c16a7a3d7b1898e529396a65c23"), true, OptionalLong.of(1000));
        NodeFollower follower = follower(configured);
        NetworkView view = follower.start();
        follower.refresh();
        follower.refresh();

        assertThat(view.replicationFactor()).isEqualTo(3);
        assertThat(view.storeAll()).isTrue();
        assertThat(view.hosts()).containsExactlyInAnyOrder("https://cn1.example.org", SELF);
        assertThat(view.wallets()).containsExactly("0x2c7536e3605d9c16a7a3d7b1898e529396a65c23");
        assertThat(view.capacityBytes()).hasValue(1000);
        for (String key : List.of("repair.replication-factor", "repair.store-all", "repair.peers", "repair.peer-wallets")) {
            assertThat(logs.list.stream().filter(e -> e.getFormattedMessage().startsWith(key + " is set"))).as(key).hasSize(1);
        }
        assertThat(logs.list.stream().filter(e -> e.getFormattedMessage().startsWith("repair.self-host"))).isEmpty();
    }

    @Test
    void aChangedHostSetIsReportedOnceAndAnnounced() throws Exception {
        NodeFollower follower = follower(nothingSet());
        follower.start();
        assertThat(follower.refresh().hostsChanged()).isFalse();
        assertThat(announced).isEmpty();

        List<String> grown = new ArrayList<>(HOSTS);
        grown.add("https://cn6.example.org");
        node.hosts(grown);
        NodeFollower.Refresh changed = follower.refresh();
        assertThat(changed.fresh()).isTrue();
        assertThat(changed.hostsChanged()).isTrue();
        assertThat(changed.view().hosts()).contains("https://cn6.example.org");
        assertThat(announced).hasSize(1);

        assertThat(follower.refresh().hostsChanged()).isFalse();
        assertThat(announced).hasSize(1);
    }

    @Test
    void atCycleTimeAMalformedAnswerKeepsTheLastGoodView() throws Exception {
        node.signers(List.of(WALLET));
        NodeFollower follower = follower(nothingSet());
        NetworkView good = follower.start();

        for (String body : List.of("not json", "{\"data\": {\"self\": {\"host\": \"nope\"}, \"replicationFactor\": 4}}",
                "[1, 2]", "{}")) {
            node.healthBody(body);
            NodeFollower.Refresh refresh = follower.refresh();
            assertThat(refresh.fresh()).as(body).isFalse();
            assertThat(refresh.hostsChanged()).isFalse();
            assertThat(refresh.view()).isEqualTo(good);
            assertThat(refresh.failure()).isNotBlank().doesNotContain("\n");
        }
        // a malformed signer list changes nothing about who may call this node
        node.healthBody(null).signers(List.of("0xnot-a-wallet"));
        assertThat(follower.refresh().view().wallets()).containsExactly(WALLET.toLowerCase());
        assertThat(follower.current()).isEqualTo(good);
        assertThat(announced).isEmpty();
    }

    @Test
    void atStartupAMalformedOrUnfollowableNodeIsOneClearLine() {
        List<Runnable> breakages = List.of(
                () -> node.healthBody("<html>oops</html>"),
                () -> node.healthBody("{\"data\": {\"self\": {\"host\": \"https://cn2.example.org\"}}}"),
                () -> node.healthBody("{\"data\": {\"self\": {\"host\": \"https://cn2.example.org\"}, \"replicationFactor\": 0}}"),
                () -> node.healthBody("{\"data\": {\"self\": {\"host\": \"cn2.example.org\"}, \"replicationFactor\": 4}}"),
                () -> node.healthBody("{\"data\": {\"self\": {\"host\": \"https://cn2.example.org\"}, \"replicationFactor\": 4,"
                        + " \"storeAll\": \"yes\"}}"),
                () -> node.healthStatus(500),
                () -> node.locationBody("{\"preferred\": \"https://cn1.example.org\"}"),
                () -> node.locationBody("{\"preferred\": []}"),
                () -> node.locationBody("{\"preferred\": [\"https://cn2.example.org\", \"ftp://cn1.example.org\"]}"),
                // the node ranks in another order than sha256(host ‖ cid)
                () -> node.locationBody("{\"preferred\": " + reversedRanking() + "}"),
                // the node does not rank itself: it is not registered
                () -> node.hosts(List.of("https://cn1.example.org", "https://cn3.example.org")));
        for (Runnable breakage : breakages) {
            node.healthBody(null).locationBody(null).healthStatus(200).hosts(HOSTS);
            breakage.run();
            assertThatThrownBy(() -> follower(nothingSet()).start()).isInstanceOf(NodeFollower.NodeAnswerException.class)
                    .satisfies(e -> assertThat(e.getMessage()).isNotBlank().doesNotContain("\n").contains(node.url()));
        }
    }

    @Test
    void anUnreachableNodeIsAClearFailure() {
        NodeFollower follower = new NodeFollower(Optional.of("http://127.0.0.1:1"), nothingSet(), HttpClient.newHttpClient(),
                Duration.ofSeconds(2), announced::add);
        assertThatThrownBy(follower::start).isInstanceOf(NodeFollower.NodeAnswerException.class)
                .hasMessageContaining("http://127.0.0.1:1/health_check");
    }

    @Test
    void withoutANodeTheConfigurationIsTheView() throws Exception {
        NodeFollower.Configured configured = new NodeFollower.Configured(SELF, true, List.of("https://cn1.example.org"), true,
                3, true, false, false, Set.of(WALLET), true, OptionalLong.empty());
        NodeFollower follower = new NodeFollower(Optional.empty(), configured, HttpClient.newHttpClient(), Duration.ofSeconds(1),
                announced::add);
        NetworkView view = follower.start();
        assertThat(view.hosts()).containsExactly("https://cn1.example.org", SELF);
        assertThat(view.replicationFactor()).isEqualTo(3);
        NodeFollower.Refresh refresh = follower.refresh();
        assertThat(refresh.view()).isEqualTo(view);
        assertThat(refresh.fresh()).isTrue();
        assertThat(refresh.hostsChanged()).isFalse();
        assertThat(node.healthRequests()).isZero();
    }

    private static String reversedRanking() {
        List<String> ranked = new ArrayList<>(ReferenceNode.rank(NodeFollower.PROBE_CID, HOSTS));
        java.util.Collections.reverse(ranked);
        return "[\"" + String.join("\", \"", ranked) + "\"]";
    }
}
