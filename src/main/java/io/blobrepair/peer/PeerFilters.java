package io.blobrepair.peer;

import io.blobrepair.index.PresenceFilter;
import io.blobrepair.placement.PullPlan;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The presence filters of this node's peers ({@code GET /internal/presence-filter}), fetched at
 * most every {@code repair.presence-filter.refresh} and capped in size. They give each pull's plan
 * ({@link PullPlan}) a hint per peer: may hold the key, absent, or unknown. A filter older than
 * twice the repair interval is ignored.
 */
public class PeerFilters {

    public static final String BUILT_AT_HEADER = "X-Filter-Built-At";

    private static final Logger LOG = LoggerFactory.getLogger(PeerFilters.class);

    private final HttpClient http;
    private final PeerAuth auth;
    private final Duration refresh;
    private final Duration maxAge;
    private final long maxBytes;
    private final Duration timeout;
    private final Clock clock;
    private final boolean enabled;
    private final Map<String, PresenceFilter> filters = new ConcurrentHashMap<>();
    private volatile Instant lastRefresh = Instant.EPOCH;

    public PeerFilters(boolean enabled, HttpClient http, PeerAuth auth, Duration refresh, Duration maxAge,
                       long maxBytes, Duration timeout, Clock clock) {
        this.enabled = enabled;
        this.http = http;
        this.auth = auth;
        this.refresh = refresh;
        this.maxAge = maxAge;
        this.maxBytes = maxBytes;
        this.timeout = timeout;
        this.clock = clock;
    }

    /** Fetches the filter of each of {@code peers} (the cycle's network) when the last fetch is older than the refresh period. */
    public synchronized void refreshIfDue(List<String> peers) {
        Instant now = clock.instant();
        if (!enabled || lastRefresh.plus(refresh).isAfter(now)) {
            return;
        }
        lastRefresh = now;
        int fetched = 0;
        for (String peer : peers) {
            Optional<PresenceFilter> filter = fetch(peer);
            if (filter.isPresent()) {
                filters.put(peer, filter.get());
                fetched++;
            } else {
                filters.remove(peer);
            }
        }
        LOG.info("presence filters fetched from {} of {} peers", fetched, peers.size());
    }

    private Optional<PresenceFilter> fetch(String peer) {
        try {
            HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(peer + "/internal/presence-filter")).timeout(timeout).GET();
            auth.authorizationHeader().ifPresent(h -> request.header("Authorization", h));
            HttpResponse<InputStream> response = http.send(request.build(), HttpResponse.BodyHandlers.ofInputStream());
            try (InputStream body = response.body()) {
                Optional<String> builtAt = response.headers().firstValue(BUILT_AT_HEADER);
                if (response.statusCode() != 200 || builtAt.isEmpty()) {
                    return Optional.empty();
                }
                byte[] bytes = body.readNBytes((int) Math.min(Integer.MAX_VALUE - 8, maxBytes + 1));
                if (bytes.length > maxBytes) {
                    LOG.warn("presence filter of {} is larger than repair.presence-filter.max-bytes={}: ignored", peer, maxBytes);
                    return Optional.empty();
                }
                return Optional.of(PresenceFilter.fromBytes(bytes, Instant.ofEpochMilli(Long.parseLong(builtAt.get()))));
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (IOException | RuntimeException e) {
            LOG.debug("presence filter of {} not fetched: {}", peer, e.toString());
        }
        return Optional.empty();
    }

    private Optional<PresenceFilter> usable(String host) {
        PresenceFilter filter = filters.get(host);
        if (filter == null || filter.builtAt().plus(maxAge).isBefore(clock.instant())) {
            return Optional.empty();
        }
        return Optional.of(filter);
    }

    /**
     * What {@code host}'s filter says about {@code storageKey}: may hold it, absent, or unknown
     * (no usable filter, or filters are off).
     */
    public PullPlan.Hint hint(String host, String storageKey) {
        if (!enabled) {
            return PullPlan.Hint.UNKNOWN;
        }
        Optional<PresenceFilter> filter = usable(host);
        if (filter.isEmpty()) {
            return PullPlan.Hint.UNKNOWN;
        }
        return filter.get().mayHold(storageKey) ? PullPlan.Hint.MAY_HOLD : PullPlan.Hint.ABSENT;
    }
}
