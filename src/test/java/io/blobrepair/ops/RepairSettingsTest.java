package io.blobrepair.ops;

import io.blobrepair.repair.DataLossRules;
import io.blobrepair.repair.OverReplicationRule;
import io.blobrepair.repair.Retention;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class RepairSettingsTest {

    private static Map<String, String> defaults() {
        Map<String, String> p = new HashMap<>();
        p.put("repair.s3.region", "us-east-1");
        p.put("repair.s3.bucket", "blobs");
        p.put("repair.s3.path-style", "true");
        p.put("repair.db.url", "jdbc:postgresql://localhost/postgres");
        p.put("repair.db.init-schema", "true");
        p.put("repair.self-host", "http://node1:8080");
        p.put("repair.peers", "http://node1:8080, http://node2:8080/,http://node3:8080");
        p.put("repair.replication-factor", "3");
        p.put("repair.store-all", "false");
        p.put("repair.interval", "1h");
        p.put("repair.startup-delay", "1m");
        p.put("repair.cleanup-every", "4");
        p.put("repair.enabled", "true");
        p.put("repair.presence", "listing");
        p.put("repair.presence.source", "listing");
        p.put("repair.pull.connect-timeout", "5s");
        p.put("repair.pull.read-timeout", "60s");
        p.put("repair.known-present.max-entries", "500000");
        p.put("repair.abort-retry-delay", "1m");
        p.put("repair.dry-run", "false");
        p.put("repair.max-delete-fraction", "0.05");
        p.put("repair.max-blob-bytes", "1073741824");
        p.put("repair.pull.concurrency", "8");
        p.put("repair.pull.per-host", "4");
        p.put("repair.cid-failure.max-cycles", "3");
        p.put("repair.list-parallelism", "8");
        p.put("repair.s3.max-attempts", "5");
        p.put("repair.s3.max-requests-per-second", "0");
        p.put("repair.peer-auth", "none");
        p.put("repair.presence-filter.enabled", "true");
        p.put("repair.presence-filter.refresh", "30m");
        p.put("repair.presence-filter.max-bytes", "67108864");
        p.put("repair.cluster.enabled", "false");
        p.put("repair.pull.range-size", "256MiB");
        p.put("repair.pull.staging-reserve", "2GiB");
        p.put("repair.s3.part-size", "64MiB");
        p.put("repair.store-all-peers", "");
        p.put("repair.over-replication", "spill-over");
        p.put("repair.store-recent", "false");
        p.put("repair.store-recent-ttl", "365d");
        p.put("repair.data-loss.min-cycles", "5");
        p.put("repair.data-loss.min-elapsed", "7d");
        p.put("repair.data-loss.min-healthy-peers", "5");
        p.put("repair.data-loss.recheck-after", "30d");
        p.put("repair.data-loss.escalate-after", "3");
        return p;
    }

    private static RepairSettings read(Map<String, String> p) {
        return RepairSettings.from(k -> Optional.ofNullable(p.get(k)));
    }

    @Test
    void readsDefaultsAndNormalisesPeers() {
        RepairSettings s = read(defaults());
        assertThat(s.peers()).containsExactly("http://node2:8080", "http://node3:8080");
        assertThat(s.allHosts()).containsExactlyInAnyOrder("http://node1:8080", "http://node2:8080", "http://node3:8080");
        assertThat(s.interval()).isEqualTo(Duration.ofHours(1));
        assertThat(s.presence()).isEqualTo(RepairSettings.PresenceMode.LISTING);
        assertThat(s.presenceSource()).isEqualTo(RepairSettings.PresenceSource.LISTING);
        assertThat(s.cron()).isEmpty();
        assertThat(s.pullTransfer()).isEqualTo(new RepairSettings.PullTransfer(256L << 20,
                java.nio.file.Path.of(System.getProperty("java.io.tmpdir")), 2L << 30, 64L << 20));
    }

    @ParameterizedTest(name = "{0}={1}")
    @CsvSource(delimiter = '|', value = {
            "repair.presence | lists | one of listing, head",
            "repair.presence.source | db | one of listing, store",
            "repair.replication-factor | 0 | a whole number of at least 1",
            "repair.replication-factor | three | a whole number of at least 1",
            "repair.store-all | yes | true or false",
            "repair.interval | 1 hour | a duration such as",
            "repair.interval | 10ms | a duration of at least 1s",
            "repair.peers | node2:8080 | http(s)://host[:port]",
            "repair.self-host | http://user:pw@node1 | without path or credentials",
            "repair.s3.bucket | B | an S3 bucket name",
            "repair.max-delete-fraction | 5% | a fraction above 0 and at most 1",
            "repair.max-delete-fraction | 0 | a fraction above 0 and at most 1",
            "repair.capacity-bytes | lots | a positive byte count",
            "repair.max-blob-bytes | 1GiB | a whole number of bytes",
            "repair.peer-auth | ecdsa | one of none, signed",
            "repair.s3.max-requests-per-second | -1 | a number of requests per second",
            "repair.peer-wallets | 0x1234 | 0x-prefixed 40-hex-digit wallet addresses",
            "repair.pull.range-size | big | a positive byte count",
            "repair.pull.staging-reserve | -1 | a positive byte count",
            "repair.pull.staging-dir | /no/such/staging/dir | an existing directory",
            "repair.s3.part-size | 1MiB | a part size from 5MiB to 5GiB",
            "repair.s3.part-size | 6GiB | a part size from 5MiB to 5GiB",
            "repair.over-replication | rank | one of spill-over, replica-set",
            "repair.store-recent-ttl | a year | a duration such as",
            "repair.store-all-peers | node9 | http(s)://host[:port]",
            "repair.data-loss.min-cycles | 0 | a whole number of at least 1",
            "repair.data-loss.min-healthy-peers | -1 | a whole number of at least 0",
            "repair.data-loss.escalate-after | x | a whole number of at least 1",
    })
    void badValuesStopStartupNamingTheKeyAndTheAcceptedValues(String key, String value, String accepted) {
        Map<String, String> p = defaults();
        p.put(key, value);
        assertThatThrownBy(() -> read(p)).isInstanceOf(InvalidSettingException.class)
                .hasMessageContaining(key).hasMessageContaining(accepted)
                .hasMessageContaining(InvalidSettingException.envName(key));
    }

    @Test
    void thePresenceStoreIsReadWithListingsOnly() {
        Map<String, String> p = defaults();
        p.put("repair.presence.source", "store");
        assertThat(read(p).presenceSource()).isEqualTo(RepairSettings.PresenceSource.STORE);
        p.put("repair.presence", "head");
        assertThatThrownBy(() -> read(p)).isInstanceOf(InvalidSettingException.class)
                .hasMessageContaining("repair.presence.source").hasMessageContaining("REPAIR_PRESENCE_SOURCE")
                .hasMessageContaining("listing while repair.presence=head");
    }

    @Test
    void hostsAreNormalisedOnceAsTheReferenceComparesThem() {
        Map<String, String> p = defaults();
        p.put("repair.self-host", "HTTP://Node1:8080/");
        p.put("repair.peers", "http://NODE1:8080, HTTP://node2:8080/,http://node3:8080");
        RepairSettings s = read(p);
        assertThat(s.selfHost()).isEqualTo("http://node1:8080");
        assertThat(s.peers()).containsExactly("http://node2:8080", "http://node3:8080");
    }

    @Test
    void referenceNetworkDefaultsWhenUnset() {
        Map<String, String> p = defaults();
        p.remove("repair.replication-factor");
        p.remove("repair.self-host");
        RepairSettings s = read(p);
        assertThat(s.replicationFactor()).isEqualTo(4);
        assertThat(s.pullMaxHosts()).isEmpty(); // R + 4 of the cycle's R
        assertThat(s.storeAll()).isFalse();
        assertThat(s.selfHost()).isEqualTo(RepairSettings.DEFAULT_SELF_HOST);
        assertThat(s.explicitKeys()).containsExactlyInAnyOrder("repair.peers", "repair.store-all");
        assertThat(s.nodeUrl()).isEmpty();
        p.put("repair.node-url", "HTTP://127.0.0.1:1991/");
        assertThat(read(p).nodeUrl()).hasValue("http://127.0.0.1:1991");
        p.put("repair.node-url", "127.0.0.1:1991");
        assertThatThrownBy(() -> read(p)).isInstanceOf(InvalidSettingException.class).hasMessageContaining("repair.node-url");
    }

    @Test
    void signedWithoutANodeKeyNamesTheKeyAndHowToOptOut() {
        Map<String, String> p = defaults();
        p.put("repair.peer-auth", "signed");
        assertThatThrownBy(() -> read(p)).isInstanceOf(InvalidSettingException.class)
                .hasMessageContaining("repair.node-key").hasMessageContaining("repair.peer-auth=none")
                .hasMessageNotContaining("\n");
    }

    @Test
    void signedBesideANodeMayTakeItsWalletsFromTheNode() {
        Map<String, String> p = defaults();
        p.put("repair.peer-auth", "signed");
        p.put("repair.node-key", "4c0883a69102937d6231471b5dbb6204fe5129617082792ae468d01a3f362318");
        p.put("repair.node-url", "http://127.0.0.1:1991");
        assertThat(read(p).peerWallets()).isEmpty();
    }

    @Test
    void credentialsNeverAppearInToString() {
        Map<String, String> p = defaults();
        p.put("repair.s3.secret-key", "SECRET-42");
        p.put("repair.db.password", "PW-42");
        String text = read(p).toString();
        assertThat(text).doesNotContain("SECRET-42").doesNotContain("PW-42");
    }

    @Test
    void capacityInBinaryUnits() {
        Map<String, String> p = defaults();
        assertThat(read(p).capacityBytes()).isEmpty();
        p.put("repair.capacity-bytes", "4TiB");
        assertThat(read(p).capacityBytes()).hasValue(4L << 40);
        p.put("repair.capacity-bytes", "1500");
        assertThat(read(p).capacityBytes()).hasValue(1500);
    }

    @Test
    void signedPeerAuthNeedsAKeyAndWalletsAndNeverEchoesTheKey() {
        Map<String, String> p = defaults();
        p.put("repair.peer-auth", "signed");
        p.put("repair.node-key", "not-a-key-SECRETISH");
        assertThatThrownBy(() -> read(p)).hasMessageContaining("repair.node-key").hasMessageNotContaining("SECRETISH");
        p.put("repair.node-key", "4c0883a69102937d6231471b5dbb6204fe5129617082792ae468d01a3f362318");
        assertThatThrownBy(() -> read(p)).hasMessageContaining("repair.peer-wallets");
        p.put("repair.peer-wallets", "0x2c7536E3605D9C16a7a3D7b1898e529396a65c23");
        RepairSettings s = read(p);
        assertThat(s.peerAuth()).isEqualTo(RepairSettings.PeerAuthMode.SIGNED);
        assertThat(s.toString()).doesNotContain("4c0883a69102937d6231471b5dbb6204fe5129617082792ae468d01a3f362318");
        assertThat(s.pullMaxHosts()).isEmpty();
    }

    @Test
    void laterRepairDefaultsAreTheReferencesAndEachIsConfigurable() {
        RepairSettings s = read(defaults());
        assertThat(s.retention()).isEqualTo(Retention.DEFAULTS);
        assertThat(s.dataLoss()).isEqualTo(DataLossRules.DEFAULTS);
        assertThat(s.storeAllPeers()).isEmpty();
        Map<String, String> p = defaults();
        p.put("repair.over-replication", "replica-set");
        p.put("repair.store-recent", "true");
        p.put("repair.store-recent-ttl", "90d");
        p.put("repair.store-all-peers", "HTTP://Archive1:8080/, http://archive2:8080");
        p.put("repair.pull.max-hosts", "12");
        p.put("repair.data-loss.min-cycles", "8");
        p.put("repair.data-loss.min-elapsed", "14d");
        p.put("repair.data-loss.min-healthy-peers", "0");
        p.put("repair.data-loss.recheck-after", "7d");
        p.put("repair.data-loss.escalate-after", "2");
        s = read(p);
        assertThat(s.retention()).isEqualTo(new Retention(OverReplicationRule.REPLICA_SET, true, Duration.ofDays(90)));
        assertThat(s.dataLoss()).isEqualTo(new DataLossRules(8, Duration.ofDays(14), 0, Duration.ofDays(7), 2));
        assertThat(s.storeAllPeers()).containsExactly("http://archive1:8080", "http://archive2:8080");
        assertThat(s.pullMaxHosts()).hasValue(12);
    }

    @Test
    void cronWinsOverTheInterval() {
        assertThat(CycleSchedule.triggerOptions(Duration.ofMinutes(10), Optional.empty(), false))
                .isEqualTo("trigger.repeatInterval=600000&trigger.repeatCount=-1&trigger.misfireInstruction=1");
        assertThat(CycleSchedule.triggerOptions(Duration.ofMinutes(10), Optional.of("0 15 * * * ?"), false))
                .isEqualTo("cron=0+15+*+*+*+%3F");
        assertThat(CycleSchedule.triggerOptions(Duration.ofMinutes(10), Optional.empty(), true))
                .contains("deleteJob=false").contains("recoverableJob=true");
    }

    @Test
    void durationsInOperatorNotation() {
        assertThat(Durations.parse("500ms")).hasValue(Duration.ofMillis(500));
        assertThat(Durations.parse("1d")).hasValue(Duration.ofDays(1));
        assertThat(Durations.parse("PT90M")).hasValue(Duration.ofMinutes(90));
        assertThat(Durations.parse("soon")).isEmpty();
        assertThat(List.of("1h", " 2m ")).allSatisfy(t -> assertThat(Durations.parse(t)).isPresent());
    }

    @Test
    void anArchiveBucketIsOptionalFollowsTheBucketRulesAndIsNotTheNodesBucket() {
        assertThat(read(defaults()).archiveBucket()).isEmpty();
        Map<String, String> p = defaults();
        p.put("repair.s3.archive-bucket", " ");
        assertThat(read(p).archiveBucket()).isEmpty();
        p.put("repair.s3.archive-bucket", "blobs-archive");
        assertThat(read(p).archiveBucket()).hasValue("blobs-archive");
        p.put("repair.s3.archive-bucket", "Archive");
        assertThatThrownBy(() -> read(p)).hasMessageContaining("repair.s3.archive-bucket").hasMessageContaining("an S3 bucket name");
        p.put("repair.s3.archive-bucket", "blobs");
        assertThatThrownBy(() -> read(p)).hasMessageContaining("a bucket other than repair.s3.bucket");
    }
}
