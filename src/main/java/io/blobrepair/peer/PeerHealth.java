package io.blobrepair.peer;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * Which peers answer {@code GET /health_check}. A cycle asks all of its network's peers at its
 * start (in parallel) and only goes on when at least one answers: with no reachable peer, pulls
 * would all fail and the cycle would only burn requests.
 */
public class PeerHealth {

    private static final Logger LOG = LoggerFactory.getLogger(PeerHealth.class);

    private final HttpClient http;
    private final Duration timeout;
    private volatile List<String> healthy = List.of();

    public PeerHealth(HttpClient http, Duration timeout) {
        this.http = http;
        this.timeout = timeout;
    }

    /** Asks every one of {@code peers} now; returns those that answered 200. */
    public List<String> probe(List<String> peers) {
        List<CompletableFuture<Boolean>> answers = peers.stream().map(this::answers).toList();
        List<String> up = new java.util.ArrayList<>();
        for (int i = 0; i < peers.size(); i++) {
            if (answers.get(i).join()) {
                up.add(peers.get(i));
            }
        }
        healthy = List.copyOf(up);
        if (healthy.isEmpty()) {
            LOG.warn("no healthy peer among {} ({}): the cycle stops before doing anything", peers.size(), peers);
        }
        return healthy;
    }

    private CompletableFuture<Boolean> answers(String peer) {
        HttpRequest request = HttpRequest.newBuilder(URI.create(peer + "/health_check")).timeout(timeout).GET().build();
        return http.sendAsync(request, HttpResponse.BodyHandlers.discarding())
                .thenApply(r -> r.statusCode() == 200)
                .exceptionally(e -> {
                    LOG.debug("peer {} health check failed: {}", peer, e.toString());
                    return false;
                });
    }

    /** The peers that answered the last probe. */
    public List<String> healthyPeers() {
        return healthy;
    }
}
