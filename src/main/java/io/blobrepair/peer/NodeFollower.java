package io.blobrepair.peer;

import io.blobrepair.json.Json;
import com.fasterxml.jackson.databind.JsonNode;
import io.blobrepair.placement.Hosts;
import io.blobrepair.placement.NetworkView;
import io.blobrepair.placement.RendezvousRanking;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;
import java.util.regex.Pattern;

/**
 * Follows the co-located reference node ({@code repair.node-url}): reads what the node itself uses
 * — its own host, replication factor, store-all and disk figures from {@code GET /health_check}
 * (answered 200, or 503/506 with the same body), the hosts its rendezvous ranks from
 * {@code GET /internal/blobs/location/{cid}} ({@code preferred}: every live host, ranked), and
 * wallets when its health lists {@code signers} (the reference leaves that list empty) — and merges
 * it with the configuration: a value the operator set wins, and a disagreement is logged once.
 *
 * <p>Read at startup ({@link #start}: a node that cannot be read, or answers something malformed,
 * stops startup) and at each cycle start ({@link #refresh}: a failure is logged and reported, and
 * the last good view stays, so it never widens who may call this node or what is deleted). Without
 * {@code repair.node-url} the view is the configuration's, unchanged.
 */
public class NodeFollower {

    /** The CID whose location answer lists the node's host set (any CID does; this is the empty blob's). */
    static final String PROBE_CID = "baeaaaiqsedr3brcctd6byfe27p2mrglpxescplsb4rsjxe2muskzsg3ykk4fk";
    /** A health answer is tens of kilobytes (peer healths of every host); more is not a health answer. */
    static final int MAX_ANSWER_BYTES = 16 << 20;

    private static final Logger LOG = LoggerFactory.getLogger(NodeFollower.class);
    private static final Pattern WALLET = Pattern.compile("0x[0-9a-fA-F]{40}");

    /**
     * The configuration's network and which parts of it the operator set (those win over the node).
     *
     * @param peers configured hosts besides this node (empty when unset)
     */
    public record Configured(String self, boolean selfSet, List<String> peers, boolean peersSet,
                             int replicationFactor, boolean replicationFactorSet, boolean storeAll, boolean storeAllSet,
                             Set<String> wallets, boolean walletsSet, OptionalLong capacityBytes) {

        NetworkView view() {
            List<String> hosts = new ArrayList<>(peers);
            hosts.add(self);
            return new NetworkView(self, hosts, replicationFactor, storeAll, wallets, capacityBytes, OptionalLong.empty());
        }
    }

    /**
     * One cycle's view.
     *
     * @param fresh        false when the node could not be read and the last good view stands in
     * @param hostsChanged whether the ranked host set differs from the previous cycle's
     * @param failure      why the node could not be read (null when fresh)
     */
    public record Refresh(NetworkView view, boolean fresh, boolean hostsChanged, String failure) {
    }

    /** The node answered something this service cannot follow; the message is one line. */
    public static class NodeAnswerException extends Exception {
        public NodeAnswerException(String message) {
            super(oneLine(message));
        }
    }

    /** What the node itself says, before merging. */
    record NodeAnswer(String self, List<String> hosts, int replicationFactor, boolean storeAll, Set<String> wallets,
                      OptionalLong capacityBytes, OptionalLong usedBytes) {
    }

    private final Optional<String> nodeUrl;
    private final Configured configured;
    private final HttpClient http;
    private final Duration timeout;
    private final Consumer<NetworkView> onNewView;
    private final Set<String> disagreementsLogged = ConcurrentHashMap.newKeySet();
    private volatile NetworkView current;

    /**
     * @param onNewView told every view that differs from the one before (e.g. to rebuild the allowed callers)
     */
    public NodeFollower(Optional<String> nodeUrl, Configured configured, HttpClient http, Duration timeout,
                        Consumer<NetworkView> onNewView) {
        this.nodeUrl = nodeUrl;
        this.configured = configured;
        this.http = http;
        this.timeout = timeout;
        this.onNewView = onNewView;
    }

    /** The first view, at startup: the node must answer, and answer well. */
    public NetworkView start() throws NodeAnswerException {
        NetworkView view = nodeUrl.isEmpty() ? configured.view() : merge(read(nodeUrl.get()));
        current = view;
        return view;
    }

    /** The view for the cycle that starts now; the last good one when the node cannot be read. */
    public Refresh refresh() {
        NetworkView previous = current;
        if (nodeUrl.isEmpty()) {
            return new Refresh(previous, true, false, null);
        }
        NetworkView view;
        try {
            view = merge(read(nodeUrl.get()));
        } catch (NodeAnswerException e) {
            LOG.warn("the node at {} could not be followed, this cycle keeps the last good view: {}", nodeUrl.get(), e.getMessage());
            return new Refresh(previous, false, false, e.getMessage());
        }
        current = view;
        if (!view.equals(previous)) {
            onNewView.accept(view);
        }
        boolean hostsChanged = !view.sameHosts(previous);
        if (hostsChanged) {
            LOG.info("the node at {} ranks a changed host set: {} hosts, was {}", nodeUrl.get(), view.hosts().size(),
                    previous.hosts().size());
        }
        return new Refresh(view, true, hostsChanged, null);
    }

    /** The latest good view. */
    public NetworkView current() {
        return current;
    }

    private NetworkView merge(NodeAnswer node) throws NodeAnswerException {
        String self = pick("repair.self-host", configured.selfSet(), configured.self(), node.self());
        List<String> hosts;
        if (configured.peersSet()) {
            disagree("repair.peers", Set.copyOf(withSelf(configured.peers(), self)), Set.copyOf(node.hosts()));
            hosts = withSelf(configured.peers(), self);
        } else {
            hosts = node.hosts();
        }
        int r = pick("repair.replication-factor", configured.replicationFactorSet(), configured.replicationFactor(),
                node.replicationFactor());
        boolean storeAll = pick("repair.store-all", configured.storeAllSet(), configured.storeAll(), node.storeAll());
        Set<String> wallets = configured.walletsSet() || node.wallets().isEmpty() ? configured.wallets() : node.wallets();
        if (configured.walletsSet() && !node.wallets().isEmpty()) {
            disagree("repair.peer-wallets", configured.wallets(), node.wallets());
        }
        // a capacity set here goes with this bucket's listed size; the node's size with its own used figure
        boolean capacitySet = configured.capacityBytes().isPresent();
        OptionalLong capacity = capacitySet ? configured.capacityBytes() : node.capacityBytes();
        OptionalLong used = capacitySet ? OptionalLong.empty() : node.usedBytes();
        try {
            return new NetworkView(self, hosts, r, storeAll, wallets, capacity, used);
        } catch (IllegalArgumentException e) {
            throw new NodeAnswerException("the node's network cannot be followed: " + e.getMessage());
        }
    }

    private <T> T pick(String key, boolean set, T configuredValue, T nodeValue) {
        if (set) {
            disagree(key, configuredValue, nodeValue);
            return configuredValue;
        }
        return nodeValue;
    }

    /** A set value that differs from the node's: logged once per distinct pair of values. */
    private void disagree(String key, Object configuredValue, Object nodeValue) {
        if (!configuredValue.equals(nodeValue) && disagreementsLogged.add(key + "|" + configuredValue + "|" + nodeValue)) {
            LOG.warn("{} is set to {} but the node at {} says {}: the setting wins", key, abbreviate(configuredValue),
                    nodeUrl.orElse("?"), abbreviate(nodeValue));
        }
    }

    private static List<String> withSelf(List<String> peers, String self) {
        Set<String> hosts = new LinkedHashSet<>(peers);
        hosts.add(self);
        return List.copyOf(hosts);
    }

    NodeAnswer read(String node) throws NodeAnswerException {
        JsonNode health = get(node + "/health_check", Set.of(200, 503, 506));
        JsonNode data = health.path("data");
        if (!data.isObject()) {
            throw new NodeAnswerException(node + "/health_check: no \"data\" object");
        }
        String self = host(data.path("self").path("host"), node + "/health_check: data.self.host");
        JsonNode rf = data.path("replicationFactor");
        if (!rf.canConvertToInt() || !rf.isIntegralNumber() || rf.intValue() < 1) {
            throw new NodeAnswerException(node + "/health_check: data.replicationFactor is " + abbreviate(rf) + ", not a whole number of at least 1");
        }
        JsonNode storeAll = data.path("storeAll");
        if (!storeAll.isMissingNode() && !storeAll.isBoolean()) {
            throw new NodeAnswerException(node + "/health_check: data.storeAll is " + abbreviate(storeAll) + ", not true or false");
        }
        Set<String> wallets = new LinkedHashSet<>();
        JsonNode signers = data.path("signers");
        if (!signers.isMissingNode() && !signers.isNull()) {
            if (!signers.isArray()) {
                throw new NodeAnswerException(node + "/health_check: data.signers is not a list");
            }
            for (JsonNode signer : signers) {
                String wallet = signer.path("wallet").asText("");
                if (!WALLET.matcher(wallet).matches()) {
                    throw new NodeAnswerException(node + "/health_check: a signer's wallet is " + abbreviate(signer.path("wallet"))
                            + ", not a 0x-prefixed 40-hex-digit address");
                }
                wallets.add(wallet);
            }
        }
        List<String> hosts = rankedHosts(node);
        if (!hosts.contains(self)) {
            throw new NodeAnswerException(node + " does not rank itself (" + self + ") among its " + hosts.size()
                    + " hosts: it is not registered, and its own repair would not run either");
        }
        return new NodeAnswer(self, hosts, rf.intValue(), storeAll.asBoolean(false), wallets,
                bytes(data.path("mediorumPathSize")), bytes(data.path("mediorumPathUsed")));
    }

    /**
     * The node's host set, from its ranking of one CID; that ranking must be ours of the same set,
     * or the node and this service would disagree on every owner.
     */
    private List<String> rankedHosts(String node) throws NodeAnswerException {
        JsonNode preferred = get(node + "/internal/blobs/location/" + PROBE_CID, Set.of(200)).path("preferred");
        if (!preferred.isArray() || preferred.isEmpty()) {
            throw new NodeAnswerException(node + "/internal/blobs/location: \"preferred\" is not a non-empty list of hosts");
        }
        List<String> hosts = new ArrayList<>();
        for (JsonNode h : preferred) {
            String host = host(h, node + "/internal/blobs/location: preferred[" + hosts.size() + "]");
            if (!hosts.contains(host)) {
                hosts.add(host);
            }
        }
        if (!RendezvousRanking.rank(PROBE_CID, hosts).equals(hosts)) {
            throw new NodeAnswerException(node + " ranks its " + hosts.size() + " hosts in another order than this service"
                    + " ranks them (sha256 of host and CID): the two would disagree on which node holds a blob");
        }
        return hosts;
    }

    private static String host(JsonNode value, String field) throws NodeAnswerException {
        if (!value.isTextual()) {
            throw new NodeAnswerException(field + " is " + abbreviate(value) + ", not a host URL");
        }
        return Hosts.parse(value.asText())
                .orElseThrow(() -> new NodeAnswerException(field + " '" + abbreviate(value.asText()) + "' is not an http(s)://host[:port] URL"));
    }

    private static OptionalLong bytes(JsonNode value) {
        return value.canConvertToLong() && value.isIntegralNumber() && value.longValue() > 0
                ? OptionalLong.of(value.longValue()) : OptionalLong.empty();
    }

    private JsonNode get(String url, Set<Integer> statuses) throws NodeAnswerException {
        try {
            HttpRequest request = HttpRequest.newBuilder(URI.create(url)).timeout(timeout)
                    .header("Accept", "application/json").GET().build();
            HttpResponse<InputStream> response = http.send(request, HttpResponse.BodyHandlers.ofInputStream());
            try (InputStream body = response.body()) {
                if (!statuses.contains(response.statusCode())) {
                    throw new NodeAnswerException(url + " answered HTTP " + response.statusCode());
                }
                byte[] bytes = body.readNBytes(MAX_ANSWER_BYTES + 1);
                if (bytes.length > MAX_ANSWER_BYTES) {
                    throw new NodeAnswerException(url + " answered more than " + MAX_ANSWER_BYTES + " bytes");
                }
                JsonNode json = Json.MAPPER.readTree(bytes);
                if (json == null || !json.isObject()) {
                    throw new NodeAnswerException(url + " did not answer a JSON object");
                }
                return json;
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new NodeAnswerException(url + ": interrupted");
        } catch (IOException | IllegalArgumentException e) {
            // Jackson's messages quote the offending input across lines: the first line is the reason
            throw new NodeAnswerException(url + ": " + e.getClass().getSimpleName() + ": " + firstLine(e.getMessage()));
        }
    }

    private static String firstLine(String message) {
        if (message == null) {
            return "";
        }
        int nl = message.indexOf('\n');
        return nl < 0 ? message : message.substring(0, nl);
    }

    private static String oneLine(String message) {
        String m = message == null ? "" : message.replaceAll("\\s+", " ").strip();
        return m.length() <= 400 ? m : m.substring(0, 400) + "…";
    }

    private static String abbreviate(Object value) {
        String s = String.valueOf(value);
        return s.length() <= 120 ? s : s.substring(0, 120) + "…(" + s.length() + " chars)";
    }
}
