package io.blobrepair.ops;

import io.blobrepair.placement.Hosts;
import io.blobrepair.s3.S3Settings;
import io.blobrepair.repair.DataLossRules;
import io.blobrepair.repair.OverReplicationRule;
import io.blobrepair.repair.Retention;

import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.OptionalLong;
import java.util.Set;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Every {@code repair.*} option, parsed and checked once at startup. A bad value fails fast with
 * an {@link InvalidSettingException} naming the key and the accepted values; nothing else in the
 * service parses configuration.
 */
public record RepairSettings(
        S3Settings s3,
        Db db,
        String selfHost,
        List<String> peers,
        int replicationFactor,
        boolean storeAll,
        Duration interval,
        Optional<String> cron,
        Duration startupDelay,
        int cleanupEvery,
        boolean enabled,
        PresenceMode presence,
        PresenceSource presenceSource,
        Duration pullConnectTimeout,
        Duration pullReadTimeout,
        int knownPresentMaxEntries,
        Duration abortRetryDelay,
        boolean dryRun,
        double maxDeleteFraction,
        OptionalLong capacityBytes,
        long maxBlobBytes,
        int listParallelism,
        int s3MaxAttempts,
        double s3MaxRequestsPerSecond,
        OptionalInt pullMaxHosts,
        PeerAuthMode peerAuth,
        Optional<String> nodeKey,
        List<String> peerWallets,
        boolean presenceFilterEnabled,
        Duration presenceFilterRefresh,
        long presenceFilterMaxBytes,
        boolean clusterEnabled,
        int pullConcurrency,
        int pullPerHost,
        int cidFailureMaxCycles,
        List<String> storeAllPeers,
        Retention retention,
        DataLossRules dataLoss,
        Optional<String> nodeUrl,
        Set<String> explicitKeys,
        Optional<String> eventsUri,
        Optional<Path> routesDir,
        Optional<String> archiveBucket,
        PullTransfer pullTransfer) {

    /** The reference network's replication factor, used unless set or read from the node. */
    public static final int DEFAULT_REPLICATION_FACTOR = 4;
    /** This node's URL unless set or read from the node. */
    public static final String DEFAULT_SELF_HOST = "http://localhost:8080";
    /**
     * The options {@code repair.node-url} can supply; {@link #explicitKeys} says which of them the
     * operator set, since a set value wins over what the node says.
     */
    public static final List<String> FOLLOWED_KEYS = List.of("repair.self-host", "repair.peers",
            "repair.replication-factor", "repair.store-all", "repair.peer-wallets", "repair.capacity-bytes");

    public enum PresenceMode { LISTING, HEAD }

    /** Where a normal cycle's presence comes from: its own listing, or the presence store while it is ready. */
    public enum PresenceSource { LISTING, STORE }

    public enum PeerAuthMode { NONE, SIGNED }

    @Override
    public String toString() {
        // the node key is a secret: the record's generated toString would print it
        return "RepairSettings[s3=" + s3 + ", db=" + db + ", selfHost=" + selfHost + ", peers=" + peers
                + ", replicationFactor=" + replicationFactor + ", presence=" + presence + ", presenceSource=" + presenceSource
                + ", peerAuth=" + peerAuth + "]";
    }

    /**
     * How a pulled blob travels: fetched in ranges of {@code rangeSize} bytes, staged in
     * {@code stagingDir} keeping {@code stagingReserve} bytes free, stored in parts of
     * {@code partSize} bytes above that size.
     */
    public record PullTransfer(long rangeSize, Path stagingDir, long stagingReserve, long partSize) {
    }

    public record Db(String url, String user, String password, boolean initSchema) {
        @Override
        public String toString() {
            return "Db[url=" + url + ", user=" + user + ", initSchema=" + initSchema + "]";
        }
    }

    /** Every host of the network, this node included, as the ranking sees them. */
    public List<String> allHosts() {
        Set<String> all = new LinkedHashSet<>(peers);
        all.add(selfHost);
        return List.copyOf(all);
    }

    /** Reads settings through {@code lookup} (Camel's property resolution, environment included). */
    public static RepairSettings from(Function<String, Optional<String>> lookup) {
        Reader r = new Reader(lookup);
        String selfHost = r.optional("repair.self-host").map(v -> Reader.checkHostUrl("repair.self-host", v))
                .orElse(DEFAULT_SELF_HOST);
        List<String> peers = new ArrayList<>();
        for (String peer : r.optional("repair.peers").orElse("").split(",")) {
            if (!peer.isBlank()) {
                String url = Reader.checkHostUrl("repair.peers", peer.trim());
                if (!url.equals(selfHost) && !peers.contains(url)) {
                    peers.add(url);
                }
            }
        }
        Optional<String> nodeUrl = r.optional("repair.node-url").map(v -> Reader.checkHostUrl("repair.node-url", v));
        int replicationFactor = r.optional("repair.replication-factor").isPresent()
                ? r.positiveInt("repair.replication-factor") : DEFAULT_REPLICATION_FACTOR;
        Set<String> explicitKeys = new LinkedHashSet<>();
        for (String key : FOLLOWED_KEYS) {
            if (r.optional(key).isPresent()) {
                explicitKeys.add(key);
            }
        }
        PeerAuthMode peerAuth = r.oneOf("repair.peer-auth", PeerAuthMode.class);
        Optional<String> nodeKey = r.optional("repair.node-key");
        List<String> wallets = new ArrayList<>();
        for (String w : r.optional("repair.peer-wallets").orElse("").split(",")) {
            if (!w.isBlank()) {
                if (!w.trim().matches("0x[0-9a-fA-F]{40}")) {
                    throw new InvalidSettingException("repair.peer-wallets", w.trim(), "comma-separated 0x-prefixed 40-hex-digit wallet addresses");
                }
                wallets.add(w.trim());
            }
        }
        if (peerAuth == PeerAuthMode.SIGNED) {
            if (nodeKey.isEmpty() || !nodeKey.get().matches("(0x)?[0-9a-fA-F]{64}")) {
                // the value itself is a secret: never echo it
                throw new InvalidSettingException("repair.node-key", nodeKey.isEmpty() ? "" : "(hidden)",
                        "this node's 64-hex-digit secp256k1 private key, which repair.peer-auth=signed (the default) needs;"
                                + " to run without peer authentication set repair.peer-auth=none");
            }
            // beside a node (repair.node-url) the allowed callers may come from it; never from nowhere
            if (wallets.isEmpty() && nodeUrl.isEmpty()) {
                throw new InvalidSettingException("repair.peer-wallets", "",
                        "the peers' wallet addresses when repair.peer-auth=signed (or repair.node-url, whose node may list them)");
            }
        }
        PresenceMode presence = r.oneOf("repair.presence", PresenceMode.class);
        return new RepairSettings(
                new S3Settings(r.optional("repair.s3.endpoint").orElse(""), r.required("repair.s3.region"),
                        r.bucket("repair.s3.bucket"), r.optional("repair.s3.access-key").orElse(""),
                        r.optional("repair.s3.secret-key").orElse(""), r.bool("repair.s3.path-style")),
                new Db(r.required("repair.db.url"), r.optional("repair.db.user").orElse(""),
                        r.optional("repair.db.password").orElse(""), r.bool("repair.db.init-schema")),
                selfHost,
                List.copyOf(peers),
                replicationFactor,
                r.optional("repair.store-all").isPresent() && r.bool("repair.store-all"),
                r.duration("repair.interval", Duration.ofSeconds(1)),
                r.optional("repair.cron"),
                r.duration("repair.startup-delay", Duration.ZERO),
                r.positiveInt("repair.cleanup-every"),
                r.bool("repair.enabled"),
                presence,
                presenceSource(r, presence),
                r.duration("repair.pull.connect-timeout", Duration.ofMillis(1)),
                r.duration("repair.pull.read-timeout", Duration.ofMillis(1)),
                r.positiveInt("repair.known-present.max-entries"),
                r.duration("repair.abort-retry-delay", Duration.ofSeconds(1)),
                r.bool("repair.dry-run"),
                r.fraction("repair.max-delete-fraction"),
                r.optional("repair.capacity-bytes").map(v -> OptionalLong.of(r.bytes("repair.capacity-bytes")))
                        .orElse(OptionalLong.empty()),
                r.positiveLong("repair.max-blob-bytes"),
                r.positiveInt("repair.list-parallelism"),
                r.positiveInt("repair.s3.max-attempts"),
                r.nonNegativeRate("repair.s3.max-requests-per-second"),
                // unset: R + 4 of the cycle's R, which the co-located node may set
                r.optional("repair.pull.max-hosts").isPresent() ? OptionalInt.of(r.positiveInt("repair.pull.max-hosts"))
                        : OptionalInt.empty(),
                peerAuth,
                nodeKey,
                wallets,
                r.bool("repair.presence-filter.enabled"),
                r.duration("repair.presence-filter.refresh", Duration.ofSeconds(1)),
                r.positiveLong("repair.presence-filter.max-bytes"),
                r.bool("repair.cluster.enabled"),
                r.positiveInt("repair.pull.concurrency"),
                r.positiveInt("repair.pull.per-host"),
                r.positiveInt("repair.cid-failure.max-cycles"),
                r.hostList("repair.store-all-peers"),
                new Retention(r.oneOf("repair.over-replication", OverReplicationRule.class), r.bool("repair.store-recent"),
                        r.duration("repair.store-recent-ttl", Duration.ofSeconds(1))),
                new DataLossRules(r.positiveInt("repair.data-loss.min-cycles"),
                        r.duration("repair.data-loss.min-elapsed", Duration.ZERO),
                        r.nonNegativeInt("repair.data-loss.min-healthy-peers"),
                        r.duration("repair.data-loss.recheck-after", Duration.ofSeconds(1)),
                        r.positiveInt("repair.data-loss.escalate-after")),
                nodeUrl,
                Set.copyOf(explicitKeys),
                r.optional("repair.events.uri"),
                r.optional("repair.routes.dir").map(dir -> r.directory("repair.routes.dir", dir)),
                archiveBucket(r),
                new PullTransfer(r.bytes("repair.pull.range-size"),
                        r.optional("repair.pull.staging-dir").map(dir -> r.directory("repair.pull.staging-dir", dir))
                                .orElse(Path.of(System.getProperty("java.io.tmpdir"))),
                        r.bytes("repair.pull.staging-reserve"),
                        r.partSize("repair.s3.part-size")));
    }

    /** The presence store is filled by listings: never with {@code repair.presence=head}, which makes none. */
    private static PresenceSource presenceSource(Reader r, PresenceMode presence) {
        PresenceSource source = r.oneOf("repair.presence.source", PresenceSource.class);
        if (source == PresenceSource.STORE && presence == PresenceMode.HEAD) {
            throw new InvalidSettingException("repair.presence.source", "store",
                    "listing while repair.presence=head (the presence store is filled by listings, and head mode makes none)");
        }
        return source;
    }

    /** A store-all node's second bucket, listed into the same presence index; never the primary bucket itself. */
    private static Optional<String> archiveBucket(Reader r) {
        if (r.optional("repair.s3.archive-bucket").isEmpty()) {
            return Optional.empty();
        }
        String archive = r.bucket("repair.s3.archive-bucket");
        if (archive.equals(r.bucket("repair.s3.bucket"))) {
            throw new InvalidSettingException("repair.s3.archive-bucket", archive, "a bucket other than repair.s3.bucket");
        }
        return Optional.of(archive);
    }

    /** Parses one value at a time and says exactly what was wrong. */
    private record Reader(Function<String, Optional<String>> lookup) {

        private static final Pattern BYTES = Pattern.compile("(\\d+)\\s*([KMGT]i?B?)?");

        Optional<String> optional(String key) {
            return lookup.apply(key).map(String::trim).filter(v -> !v.isEmpty());
        }

        String required(String key) {
            return optional(key).orElseThrow(() -> new InvalidSettingException(key, "", "a non-empty value"));
        }

        boolean bool(String key) {
            String v = required(key).toLowerCase(Locale.ROOT);
            return switch (v) {
                case "true" -> true;
                case "false" -> false;
                default -> throw new InvalidSettingException(key, v, "true or false");
            };
        }

        /** Comma-separated host URLs, normalised; empty when unset. */
        List<String> hostList(String key) {
            List<String> hosts = new ArrayList<>();
            for (String host : optional(key).orElse("").split(",")) {
                if (!host.isBlank()) {
                    String url = checkHostUrl(key, host.trim());
                    if (!hosts.contains(url)) {
                        hosts.add(url);
                    }
                }
            }
            return List.copyOf(hosts);
        }

        int nonNegativeInt(String key) {
            String v = required(key);
            try {
                int n = Integer.parseInt(v);
                if (n >= 0) {
                    return n;
                }
            } catch (NumberFormatException ignored) {
                // reported below with the accepted values
            }
            throw new InvalidSettingException(key, v, "a whole number of at least 0");
        }

        int positiveInt(String key) {
            String v = required(key);
            try {
                int n = Integer.parseInt(v);
                if (n > 0) {
                    return n;
                }
            } catch (NumberFormatException ignored) {
                // reported below with the accepted values
            }
            throw new InvalidSettingException(key, v, "a whole number of at least 1");
        }

        long positiveLong(String key) {
            String v = required(key);
            try {
                long n = Long.parseLong(v);
                if (n > 0) {
                    return n;
                }
            } catch (NumberFormatException ignored) {
                // reported below with the accepted values
            }
            throw new InvalidSettingException(key, v, "a whole number of bytes of at least 1");
        }

        double nonNegativeRate(String key) {
            String v = required(key);
            try {
                double d = Double.parseDouble(v);
                if (d >= 0 && !Double.isInfinite(d)) {
                    return d;
                }
            } catch (NumberFormatException ignored) {
                // reported below with the accepted values
            }
            throw new InvalidSettingException(key, v, "a number of requests per second, 0 for no limit");
        }

        double fraction(String key) {
            String v = required(key);
            try {
                double d = Double.parseDouble(v);
                if (d > 0 && d <= 1) {
                    return d;
                }
            } catch (NumberFormatException ignored) {
                // reported below with the accepted values
            }
            throw new InvalidSettingException(key, v, "a fraction above 0 and at most 1, e.g. 0.05");
        }

        long bytes(String key) {
            String v = required(key);
            Matcher m = BYTES.matcher(v);
            if (m.matches()) {
                long n = Long.parseLong(m.group(1));
                String unit = m.group(2) == null ? "" : m.group(2).substring(0, 1);
                int shift = switch (unit) {
                    case "K" -> 10;
                    case "M" -> 20;
                    case "G" -> 30;
                    case "T" -> 40;
                    default -> 0;
                };
                if (n > 0 && n < (Long.MAX_VALUE >> shift)) {
                    return n << shift;
                }
            }
            throw new InvalidSettingException(key, v, "a positive byte count such as 1073741824, 512MiB, 2GiB or 4TiB");
        }

        /** An S3 multipart part size: 5 MiB (S3's smallest part but the last) to 5 GiB (its largest). */
        long partSize(String key) {
            long size = bytes(key);
            if (size < (5L << 20) || size > (5L << 30)) {
                throw new InvalidSettingException(key, required(key), "a part size from 5MiB to 5GiB, e.g. 64MiB");
            }
            return size;
        }

        Duration duration(String key, Duration minimum) {
            String v = required(key);
            Duration d = Durations.parse(v)
                    .orElseThrow(() -> new InvalidSettingException(key, v, "a duration such as 30s, 10m, 1h, 1d or PT1H"));
            if (d.compareTo(minimum) < 0) {
                throw new InvalidSettingException(key, v, "a duration of at least " + Durations.format(minimum));
            }
            return d;
        }

        <E extends Enum<E>> E oneOf(String key, Class<E> type) {
            String v = required(key);
            for (E e : type.getEnumConstants()) {
                if (optionName(e).equalsIgnoreCase(v)) {
                    return e;
                }
            }
            List<String> accepted = new ArrayList<>();
            for (E e : type.getEnumConstants()) {
                accepted.add(optionName(e));
            }
            throw new InvalidSettingException(key, v, "one of " + String.join(", ", accepted));
        }

        /** An enum constant as operators write it: {@code SPILL_OVER} is {@code spill-over}. */
        static String optionName(Enum<?> e) {
            return e.name().toLowerCase(Locale.ROOT).replace('_', '-');
        }

        Path directory(String key, String value) {
            Path dir = Path.of(value);
            if (!Files.isDirectory(dir)) {
                throw new InvalidSettingException(key, value, "an existing directory");
            }
            return dir;
        }

        String bucket(String key) {
            String v = required(key);
            if (!v.matches("[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]")) {
                throw new InvalidSettingException(key, v, "an S3 bucket name (3-63 chars: a-z, 0-9, '.', '-')");
            }
            return v;
        }

        /** A host as the reference network compares it (lower case, no trailing '/'), or a startup error. */
        static String checkHostUrl(String key, String value) {
            return Hosts.parse(value).orElseThrow(() ->
                    new InvalidSettingException(key, value, "http(s)://host[:port] URLs without path or credentials"));
        }
    }
}
