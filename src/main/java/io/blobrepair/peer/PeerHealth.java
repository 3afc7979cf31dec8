package io.blobrepair.peer;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Which peers answered {@code GET /health_check} recently. A cycle only starts when at least one
 * did: with no reachable peer, pulls would all fail and the cycle would only burn requests.
 */
public class PeerHealth {

    private static final Logger LOG = LoggerFactory.getLogger(PeerHealth.class);

    private final List<String> peers;
    private final HttpClient http;
    private final Duration timeout;
    private final Duration maxAge;
    private final Clock clock;
    private final Map<String, Instant> lastHealthy = new ConcurrentHashMap<>();
    private volatile Instant lastProbe = Instant.EPOCH;

    public PeerHealth(List<String> peers, HttpClient http, Duration timeout, Duration maxAge, Clock clock) {
        this.peers = List.copyOf(peers);
        this.http = http;
        this.timeout = timeout;
        this.maxAge = maxAge;
        this.clock = clock;
    }

    /** Asks every peer now. */
    public void probeAll() {
        lastProbe = clock.instant();
        for (String peer : peers) {
            if (answers(peer)) {
                lastHealthy.put(peer, clock.instant());
            }
        }
    }

    private boolean answers(String peer) {
        try {
            HttpRequest request = HttpRequest.newBuilder(URI.create(peer + "/health_check")).timeout(timeout).GET().build();
            int status = http.send(request, HttpResponse.BodyHandlers.discarding()).statusCode();
            if (status == 200) {
                return true;
            }
            LOG.debug("peer {} health check answered {}", peer, status);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (Exception e) {
            LOG.debug("peer {} health check failed: {}", peer, e.toString());
        }
        return false;
    }

    /** Peers that answered within the max age, probing first when the last probe is that old. */
    public List<String> healthyPeers() {
        Instant now = clock.instant();
        if (lastProbe.plus(maxAge).isBefore(now) || lastHealthy.isEmpty()) {
            probeAll();
        }
        Instant cutoff = clock.instant().minus(maxAge);
        return peers.stream().filter(p -> {
            Instant at = lastHealthy.get(p);
            return at != null && !at.isBefore(cutoff);
        }).toList();
    }

    public boolean noneHealthy() {
        boolean none = healthyPeers().isEmpty();
        if (none) {
            LOG.warn("no healthy peer among {} configured ({}): the cycle stops before doing anything", peers.size(), peers);
        }
        return none;
    }
}
