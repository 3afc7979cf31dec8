package io.blobrepair.testing;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A real HTTP server answering like a reference node ("mediorum") beside which blob-repair runs:
 * {@code GET /health_check} with the reference's body ({@code {"data": {...}, "signer", "signature",
 * "timestamp"}}, 200, or 503/506 with the same body) and {@code GET /internal/blobs/location/{cid}}
 * ({@code {"cid", "preferred", "sniff"}}, every host ranked by sha256(host ‖ cid), computed here on
 * its own). What it says can be changed between requests, or replaced by a malformed answer.
 */
public final class ReferenceNode implements AutoCloseable {

    private static final ObjectMapper JSON = new ObjectMapper();

    private final HttpServer server;
    private final AtomicInteger healthRequests = new AtomicInteger();
    private final AtomicInteger locationRequests = new AtomicInteger();
    private volatile String self;
    private volatile List<String> hosts;
    private volatile int replicationFactor = 4;
    private volatile boolean storeAll;
    private volatile List<String> signerWallets = List.of();
    private volatile int healthStatus = 200;
    private volatile String healthBodyOverride;
    private volatile String locationBodyOverride;

    private ReferenceNode(HttpServer server) {
        this.server = server;
    }

    public static ReferenceNode start(String self, List<String> hosts) throws IOException {
        HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        ReferenceNode node = new ReferenceNode(server);
        node.self = self;
        node.hosts = List.copyOf(hosts);
        server.createContext("/health_check", node::health);
        server.createContext("/internal/blobs/location/", node::location);
        server.setExecutor(java.util.concurrent.Executors.newCachedThreadPool());
        server.start();
        return node;
    }

    public String url() {
        return "http://127.0.0.1:" + server.getAddress().getPort();
    }

    public ReferenceNode hosts(List<String> hosts) {
        this.hosts = List.copyOf(hosts);
        return this;
    }

    public ReferenceNode replicationFactor(int r) {
        this.replicationFactor = r;
        return this;
    }

    public ReferenceNode storeAll(boolean storeAll) {
        this.storeAll = storeAll;
        return this;
    }

    /** Registered signers as a newer node might list them (the reference's list is always empty). */
    public ReferenceNode signers(List<String> wallets) {
        this.signerWallets = List.copyOf(wallets);
        return this;
    }

    /** 200 healthy, 503 unhealthy, 506 wallet not registered: the body is the same. */
    public ReferenceNode healthStatus(int status) {
        this.healthStatus = status;
        return this;
    }

    /** Replaces the health body (null: the normal one again). */
    public ReferenceNode healthBody(String body) {
        this.healthBodyOverride = body;
        return this;
    }

    /** Replaces the location body (null: the normal one again). */
    public ReferenceNode locationBody(String body) {
        this.locationBodyOverride = body;
        return this;
    }

    public int healthRequests() {
        return healthRequests.get();
    }

    public int locationRequests() {
        return locationRequests.get();
    }

    /** The reference's ranking: hosts by sha256(host ‖ key) ascending, ties by host. */
    public static List<String> rank(String key, List<String> hosts) {
        List<String> ranked = new ArrayList<>(hosts);
        ranked.sort(Comparator.comparing((String h) -> sha256Hex(h + key)).thenComparing(h -> h));
        return ranked;
    }

    private static String sha256Hex(String text) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private void health(HttpExchange exchange) throws IOException {
        healthRequests.incrementAndGet();
        String body = healthBodyOverride;
        if (body == null) {
            Map<String, Object> selfPeer = new LinkedHashMap<>();
            selfPeer.put("host", self);
            selfPeer.put("wallet", "0x1111111111111111111111111111111111111111");
            Map<String, Object> data = new LinkedHashMap<>();
            data.put("healthy", healthStatus == 200);
            data.put("version", "1.0.0");
            data.put("service", "content-node");
            data.put("mediorumPathUsed", 500L << 30);
            data.put("mediorumPathSize", 2000L << 30);
            data.put("lastSuccessfulRepair", Map.of("StartedAt", "0001-01-01T00:00:00Z", "Counters", Map.of()));
            data.put("lastSuccessfulCleanup", Map.of("StartedAt", "0001-01-01T00:00:00Z", "Counters", Map.of()));
            data.put("self", selfPeer);
            data.put("wallet_is_registered", healthStatus != 506);
            List<Map<String, String>> signers = new ArrayList<>();
            for (String w : signerWallets) {
                signers.add(Map.of("host", "https://signer.example", "wallet", w));
            }
            data.put("signers", signers);
            data.put("replicationFactor", replicationFactor);
            Map<String, Object> peerHealths = new LinkedHashMap<>();
            for (String h : hosts) {
                if (!h.equals(self)) {
                    peerHealths.put(h, Map.of("version", "1.0.0", "lastReachable", Instant.now().toString()));
                }
            }
            data.put("peerHealths", peerHealths);
            data.put("unreachablePeers", List.of());
            data.put("storeAll", storeAll);
            data.put("archiveStorageConfigured", false);
            Map<String, Object> response = new LinkedHashMap<>();
            response.put("data", data);
            response.put("signer", "0x1111111111111111111111111111111111111111");
            response.put("signature", "0x" + "ab".repeat(65));
            response.put("timestamp", Instant.now().toString());
            if (healthStatus == 506) {
                response.put("error", "wallet not registered for provided endpoint");
            }
            body = JSON.writeValueAsString(response);
        }
        respond(exchange, healthStatus, body);
    }

    private void location(HttpExchange exchange) throws IOException {
        locationRequests.incrementAndGet();
        String body = locationBodyOverride;
        if (body == null) {
            String raw = exchange.getRequestURI().getRawPath().substring("/internal/blobs/location/".length());
            String cid = URLDecoder.decode(raw, StandardCharsets.UTF_8);
            Map<String, Object> answer = new LinkedHashMap<>();
            answer.put("cid", cid);
            answer.put("preferred", rank(cid, hosts));
            answer.put("sniff", null);
            body = JSON.writeValueAsString(answer);
        }
        respond(exchange, 200, body);
    }

    private static void respond(HttpExchange exchange, int status, String body) throws IOException {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().add("Content-Type", "application/json");
        exchange.sendResponseHeaders(status, bytes.length == 0 ? -1 : bytes.length);
        try (OutputStream out = exchange.getResponseBody()) {
            out.write(bytes);
        }
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
