package io.blobrepair.peer;

import com.fasterxml.jackson.databind.JsonNode;
import io.blobrepair.json.Json;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;

/**
 * Which peers answer {@code GET /health_check}, and what they answered. A cycle asks all of its
 * network's peers at its start (in parallel) and only goes on when at least one answers: with no reachable peer,
 * pulls would all fail and the cycle would only burn requests. A peer is a store-all peer when its
 * answer says {@code storeAll} (the reference's {@code data.storeAll}, or ours at the top level)
 * or {@code repair.store-all-peers} names it.
 */
public class PeerHealth {

    private static final Logger LOG = LoggerFactory.getLogger(PeerHealth.class);

    /** What a healthy peer's answer said. */
    public record Answer(boolean storeAll) {
    }

    private final HttpClient http;
    private final Duration timeout;
    private final Set<String> configuredStoreAll;
    private volatile Map<String, Answer> healthy = Map.of();

    /** @param configuredStoreAll peers {@code repair.store-all-peers} names as store-all, whatever they answer */
    public PeerHealth(HttpClient http, Duration timeout, Set<String> configuredStoreAll) {
        this.http = http;
        this.timeout = timeout;
        this.configuredStoreAll = Set.copyOf(configuredStoreAll);
    }

    /** Asks every one of {@code peers} now; returns those that answered 200. */
    public List<String> probe(List<String> peers) {
        List<CompletableFuture<Optional<Answer>>> answers = peers.stream().map(this::answer).toList();
        Map<String, Answer> up = new LinkedHashMap<>();
        for (int i = 0; i < peers.size(); i++) {
            Optional<Answer> answer = answers.get(i).join();
            if (answer.isPresent()) {
                up.put(peers.get(i), answer.get());
            }
        }
        healthy = java.util.Collections.unmodifiableMap(up);
        if (up.isEmpty()) {
            LOG.warn("no healthy peer among {} ({}): the cycle stops before doing anything", peers.size(), peers);
        }
        return healthyPeers();
    }

    private CompletableFuture<Optional<Answer>> answer(String peer) {
        HttpRequest request = HttpRequest.newBuilder(URI.create(peer + "/health_check")).timeout(timeout).GET().build();
        return http.sendAsync(request, HttpResponse.BodyHandlers.ofString())
                .thenApply(r -> r.statusCode() == 200 ? Optional.of(new Answer(saysStoreAll(r.body()))) : Optional.<Answer>empty())
                .exceptionally(e -> {
                    LOG.debug("peer {} health check failed: {}", peer, e.toString());
                    return Optional.empty();
                });
    }

    /** {@code data.storeAll} (the reference's answer) or {@code storeAll}; anything unreadable says no. */
    static boolean saysStoreAll(String body) {
        try {
            JsonNode answer = Json.MAPPER.readTree(body);
            if (answer == null) {
                return false;
            }
            return answer.path("data").path("storeAll").asBoolean(false) || answer.path("storeAll").asBoolean(false);
        } catch (Exception e) {
            return false;
        }
    }

    /** The peers that answered the last probe. */
    public List<String> healthyPeers() {
        return List.copyOf(healthy.keySet());
    }

    /** The peers that answered the last probe and store everything: by their answer or by configuration. */
    public List<String> storeAllPeers() {
        return healthy.entrySet().stream()
                .filter(e -> e.getValue().storeAll() || configuredStoreAll.contains(e.getKey()))
                .map(Map.Entry::getKey).toList();
    }
}
