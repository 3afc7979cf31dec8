package io.blobrepair.placement;

import io.blobrepair.work.UploadRowCids;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.util.List;
import java.util.Locale;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Hosts as the reference compares them (lower case, no trailing '/'), and the reference's own
 * ranking vector ({@code server/placement_test.go}, 69 hosts).
 */
class HostsTest {

    /** The reference's 69 hosts, in the order its test lists them. */
    static final List<String> REFERENCE_HOSTS = List.of(
            "https://creatornode.audius.prod-eks-ap-northeast-1.staked.cloud",
            "https://creatornode.audius1.prod-eks-ap-northeast-1.staked.cloud",
            "https://creatornode.audius2.prod-eks-ap-northeast-1.staked.cloud",
            "https://creatornode.audius3.prod-eks-ap-northeast-1.staked.cloud",
            "https://creatornode.audius8.prod-eks-ap-northeast-1.staked.cloud",
            "https://creatornode.audius.co",
            "https://creatornode2.audius.co",
            "https://creatornode3.audius.co",
            "https://usermetadata.audius.co",
            "https://audius-content-1.cultur3stake.com",
            "https://audius-content-10.cultur3stake.com",
            "https://audius-content-11.cultur3stake.com",
            "https://audius-content-12.cultur3stake.com",
            "https://audius-content-13.cultur3stake.com",
            "https://audius-content-14.cultur3stake.com",
            "https://audius-content-15.cultur3stake.com",
            "https://audius-content-16.cultur3stake.com",
            "https://audius-content-17.cultur3stake.com",
            "https://audius-content-18.cultur3stake.com",
            "https://audius-content-2.cultur3stake.com",
            "https://audius-content-3.cultur3stake.com",
            "https://audius-content-4.cultur3stake.com",
            "https://audius-content-5.cultur3stake.com",
            "https://audius-content-6.cultur3stake.com",
            "https://audius-content-7.cultur3stake.com",
            "https://audius-content-8.cultur3stake.com",
            "https://audius-content-9.cultur3stake.com",
            "https://cn1.stuffisup.com",
            "https://audius-cn1.tikilabs.com",
            "https://audius.prod.capturealpha.io",
            "https://audius-content-1.figment.io",
            "https://audius-content-10.figment.io",
            "https://audius-content-11.figment.io",
            "https://audius-content-12.figment.io",
            "https://audius-content-13.figment.io",
            "https://audius-content-14.figment.io",
            "https://audius-content-2.figment.io",
            "https://audius-content-3.figment.io",
            "https://audius-content-4.figment.io",
            "https://audius-content-5.figment.io",
            "https://audius-content-6.figment.io",
            "https://audius-content-7.figment.io",
            "https://audius-content-8.figment.io",
            "https://audius-content-9.figment.io",
            "https://blockchange-audius-content-01.bdnodes.net",
            "https://blockchange-audius-content-02.bdnodes.net",
            "https://blockchange-audius-content-03.bdnodes.net",
            "https://blockdaemon-audius-content-01.bdnodes.net",
            "https://blockdaemon-audius-content-02.bdnodes.net",
            "https://blockdaemon-audius-content-03.bdnodes.net",
            "https://blockdaemon-audius-content-04.bdnodes.net",
            "https://blockdaemon-audius-content-05.bdnodes.net",
            "https://blockdaemon-audius-content-06.bdnodes.net",
            "https://blockdaemon-audius-content-07.bdnodes.net",
            "https://blockdaemon-audius-content-08.bdnodes.net",
            "https://blockdaemon-audius-content-09.bdnodes.net",
            "https://content.grassfed.network",
            "https://cn0.mainnet.audiusindex.org",
            "https://cn1.mainnet.audiusindex.org",
            "https://cn2.mainnet.audiusindex.org",
            "https://cn3.mainnet.audiusindex.org",
            "https://cn4.mainnet.audiusindex.org",
            "https://audius-content-1.jollyworld.xyz",
            "https://audius-creator-1.theblueprint.xyz",
            "https://audius-creator-2.theblueprint.xyz",
            "https://audius-creator-3.theblueprint.xyz",
            "https://audius-creator-4.theblueprint.xyz",
            "https://audius-creator-5.theblueprint.xyz",
            "https://audius-creator-6.theblueprint.xyz");
    static final String REFERENCE_CID = "baeaaaiqsedziwknj44jsl5fak6vcbszzjlnl7pqtw2ipnyg7rsh5a2xnql2p2";
    static final List<String> REFERENCE_FIRST_SIX = List.of(
            "https://blockdaemon-audius-content-09.bdnodes.net",
            "https://cn4.mainnet.audiusindex.org",
            "https://audius-content-4.figment.io",
            "https://cn0.mainnet.audiusindex.org",
            "https://creatornode.audius3.prod-eks-ap-northeast-1.staked.cloud",
            "https://blockdaemon-audius-content-07.bdnodes.net");

    @Test
    void referenceRankingVector() {
        assertThat(REFERENCE_HOSTS).hasSize(69);
        assertThat(RendezvousRanking.rank(REFERENCE_CID, REFERENCE_HOSTS).subList(0, 6)).isEqualTo(REFERENCE_FIRST_SIX);
    }

    @Test
    void hostsWrittenInUpperCaseWithTrailingSlashesRankLikeTheirNormalForms() {
        List<String> shouted = REFERENCE_HOSTS.stream().map(h -> h.toUpperCase(Locale.ROOT) + "/").toList();
        String self = "HTTPS://CN4.Mainnet.AudiusIndex.org/";
        PlacementPolicy policy = new PlacementPolicy(self, shouted, 4, false);
        Placement placement = policy.place(REFERENCE_CID, List.of());
        assertThat(placement.ranked().subList(0, 6)).isEqualTo(REFERENCE_FIRST_SIX);
        assertThat(placement.rank()).isEqualTo(1);
        assertThat(placement.mine()).isTrue();
        // the same network written the reference's way decides the same
        PlacementPolicy normal = new PlacementPolicy("https://cn4.mainnet.audiusindex.org", REFERENCE_HOSTS, 4, false);
        assertThat(normal.place(REFERENCE_CID, List.of())).isEqualTo(placement);
    }

    @Test
    void aPlacementHostInAnotherCaseStillCountsAsThisNode() {
        PlacementPolicy policy = new PlacementPolicy("https://cn1.example.org", List.of("https://cn1.example.org",
                "https://cn2.example.org", "https://cn3.example.org"), 1, false);
        UploadRowCids.Result row = UploadRowCids.of("audio", REFERENCE_CID,
                "[\"HTTPS://CN1.Example.org/\", \"https://CN2.example.org\"]", null, null);
        Placement placement = policy.place(REFERENCE_CID, row.items().get(0).placementHosts());
        assertThat(placement.placed()).isTrue();
        assertThat(placement.mine()).isTrue();
        assertThat(placement.ranked()).containsExactly("https://cn1.example.org", "https://cn2.example.org");
        assertThat(placement.unknownHosts()).isZero();
    }

    @ParameterizedTest
    @ValueSource(strings = {"HTTP://CN1.Example.org/", "http://cn1.example.org", " http://CN1.EXAMPLE.ORG/ "})
    void acceptedSpellingsNormaliseToOneHost(String spelling) {
        assertThat(Hosts.parse(spelling)).hasValue("http://cn1.example.org");
    }

    @Test
    void portsAndHttpsSurviveNormalisation() {
        assertThat(Hosts.parse("HTTPS://Node1.Example:8443/")).hasValue("https://node1.example:8443");
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "cn1.example.org", "ftp://cn1.example.org", "http://user:pw@cn1.example.org",
            "http://cn1.example.org/path", "http://cn1.example.org//", "http://cn1.example.org?x=1",
            "http://cn1.example.org#f", "http://", "http://cn1 example.org"})
    void malformedHostsAreRejected(String bad) {
        assertThat(Hosts.parse(bad)).isEmpty();
    }

    @Test
    void networkViewNormalisesAndComparesHostSets() {
        NetworkView a = new NetworkView("HTTP://A.example/", List.of("http://a.example", "http://B.example/", "http://b.example"),
                4, false, java.util.Set.of("0xABCDEF0000000000000000000000000000000001"), java.util.OptionalLong.empty(),
                java.util.OptionalLong.empty());
        assertThat(a.self()).isEqualTo("http://a.example");
        assertThat(a.hosts()).containsExactly("http://a.example", "http://b.example");
        assertThat(a.peers()).containsExactly("http://b.example");
        assertThat(a.wallets()).containsExactly("0xabcdef0000000000000000000000000000000001");
        NetworkView reordered = new NetworkView("http://a.example", List.of("http://b.example", "http://a.example"), 3, true,
                java.util.Set.of(), java.util.OptionalLong.empty(), java.util.OptionalLong.empty());
        assertThat(a.sameHosts(reordered)).isTrue();
        NetworkView other = new NetworkView("http://a.example", List.of("http://a.example", "http://c.example"), 4, false,
                java.util.Set.of(), java.util.OptionalLong.empty(), java.util.OptionalLong.empty());
        assertThat(a.sameHosts(other)).isFalse();
        assertThat(PlacementPolicy.from(a).replicationFactor()).isEqualTo(4);
    }
}
