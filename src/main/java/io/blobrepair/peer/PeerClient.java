package io.blobrepair.peer;

import com.fasterxml.jackson.databind.JsonNode;
import io.blobrepair.json.Json;
import io.blobrepair.cid.Cid;

import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.concurrent.Callable;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Semaphore;

/**
 * This node's requests to its peers (only ever configured hosts).
 *
 * <p>Pull: {@code GET {peer}/internal/blobs/{cid}} on the hosts of the pull's plan in order
 * (the repair's {@code PullPlan} chooses them), skipping this node, until one serves content that
 * matches the CID. Each host's copy is fetched by
 * {@link BlobFetch} (in byte ranges, into the pull's staging file, hashed as it arrives), so a
 * large blob never sits in memory, and a v1 blob that does not hash to its CID is discarded before
 * anything reaches the bucket.
 *
 * <p>Size: {@code GET {peer}/internal/blobs/info/{cid}} tells a blob's size before it is fetched,
 * so that the staging disk's reserve is kept.
 *
 * <p>Holds: {@code GET {peer}/internal/blobs/info/{cid}?verify=content} answers 200 when the peer
 * has a copy that matches the CID; cleanup asks it of the hosts ranked ahead before deleting an
 * over-replicated copy.
 *
 * <p>Pulls run concurrently ({@code repair.pull.concurrency}); at most
 * {@code repair.pull.per-host} requests are in flight to any one peer, so a network catching up
 * spreads its load and one slow peer holds only its own share of the threads.
 */
public class PeerClient {

    /**
     * The outcome: the verified blob (null when every host failed), the Content-Type to store it
     * with ({@link BlobContentType}: the one served, else detected), and why each failed host failed.
     */
    public record Result(Path blob, long size, String contentType, List<String> failures, List<String> hostsTried) {
        public boolean succeeded() {
            return blob != null;
        }
    }

    /** Blob info is a few attributes: a longer answer is not read. */
    private static final int MAX_INFO_BYTES = 64 * 1024;

    private final String self;
    private final HttpClient http;
    private final Duration readTimeout;
    private final BlobFetch blobFetch;
    private final PeerAuth auth;
    private final int perHost;
    private final Map<String, Semaphore> inFlight = new ConcurrentHashMap<>();

    public PeerClient(String self, HttpClient http, Duration readTimeout, BlobFetch blobFetch, int perHost, PeerAuth auth) {
        this.auth = auth;
        this.perHost = perHost;
        this.self = self;
        this.http = http;
        this.readTimeout = readTimeout;
        this.blobFetch = blobFetch;
    }

    /** Tries the hosts in order until one serves the blob. */
    public Result pull(Cid cid, List<String> hosts) {
        List<String> failures = new ArrayList<>();
        List<String> tried = new ArrayList<>();
        for (String host : hosts) {
            if (host.equals(self)) {
                continue;
            }
            tried.add(host);
            try {
                Optional<BlobFetch.Fetched> blob = limited(host, () -> blobFetch.fetch(host, cid));
                if (blob.isPresent()) {
                    Path file = blob.get().file();
                    return new Result(file, Files.size(file), BlobContentType.toStore(blob.get().servedType(), file), failures, tried);
                }
                failures.add(host + ": content does not match the CID");
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                failures.add(host + ": interrupted");
                break;
            } catch (Exception e) {
                failures.add(host + ": " + why(e));
            }
        }
        return new Result(null, 0, null, failures, tried);
    }

    /**
     * A failure's message, else its kind: the JDK client's ConnectException for a peer that is
     * down has no message, and the pull's log line said {@code null} for it.
     */
    static String why(Exception e) {
        return e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
    }

    /**
     * Whether {@code host} answers that it holds a copy of {@code cid} that matches the CID
     * ({@code ?verify=content}: a blob-repair node hashes its copy first; a node that does not
     * know the parameter answers from the copy's attributes); any failure counts as "no".
     */
    public boolean holds(String host, String cid) {
        try {
            HttpRequest request = request(host + "/internal/blobs/info/" + escape(cid) + "?verify=content");
            return limited(host, () -> http.send(request, HttpResponse.BodyHandlers.discarding()).statusCode() == 200);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        } catch (Exception e) {
            return false;
        }
    }

    /**
     * The size of {@code cid}'s blob as the first of {@code hosts} (the pull's plan) that answers
     * says it; empty when none does. The reference answers with its bucket's attributes
     * ({@code Size}), this service with {@code size}.
     */
    public OptionalLong size(Cid cid, List<String> hosts) {
        for (String host : hosts) {
            if (host.equals(self)) {
                continue;
            }
            try {
                HttpRequest request = request(host + "/internal/blobs/info/" + escape(cid.value()));
                OptionalLong size = limited(host, () -> {
                    HttpResponse<InputStream> answer = http.send(request, HttpResponse.BodyHandlers.ofInputStream());
                    try (InputStream body = answer.body()) {
                        return answer.statusCode() == 200 ? sizeIn(body.readNBytes(MAX_INFO_BYTES)) : OptionalLong.empty();
                    }
                });
                if (size.isPresent()) {
                    return size;
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            } catch (Exception e) {
                // this host cannot tell: ask the next
            }
        }
        return OptionalLong.empty();
    }

    private static OptionalLong sizeIn(byte[] info) throws IOException {
        JsonNode json = Json.MAPPER.readTree(info);
        JsonNode size = json.has("size") ? json.get("size") : json.path("Size");
        return size.canConvertToLong() && size.asLong() >= 0 ? OptionalLong.of(size.asLong()) : OptionalLong.empty();
    }

    /** One request to a peer within the per-host bound. */
    private <T> T limited(String host, Callable<T> request) throws Exception {
        Semaphore slot = inFlight.computeIfAbsent(host, h -> new Semaphore(perHost));
        slot.acquire();
        try {
            return request.call();
        } finally {
            slot.release();
        }
    }

    /** A GET to a peer, signed when peer auth is on. */
    private HttpRequest request(String url) {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(url)).timeout(readTimeout).GET();
        auth.authorizationHeader().ifPresent(header -> request.header("Authorization", header));
        return request.build();
    }

    public static String blobUrl(String host, String cid) {
        return host + "/internal/blobs/" + escape(cid);
    }

    /** A CID as one URL path segment: '/' in legacy keys becomes %2F, spaces %20. */
    static String escape(String cid) {
        return URLEncoder.encode(cid, StandardCharsets.UTF_8).replace("+", "%20");
    }
}
