package io.blobrepair.peer;

import io.blobrepair.cid.Cid;
import io.blobrepair.cid.ContentHash;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.DigestOutputStream;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Semaphore;

/**
 * This node's requests to its peers (only ever configured hosts).
 *
 * <p>Pull: {@code GET {peer}/internal/blobs/{cid}} on the hosts of the pull's plan in order
 * (the repair's {@code PullPlan} chooses them), skipping this node, until one serves content that
 * matches the CID. The content is streamed to a temporary file while it is hashed, so a large blob
 * never sits in memory, and a v1 blob that does not hash to its CID is discarded before anything
 * reaches the bucket.
 *
 * <p>Holds: {@code GET {peer}/internal/blobs/info/{cid}} answers 200 when the peer has the blob;
 * cleanup asks it of the hosts ranked ahead before deleting an over-replicated copy.
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

    private final String self;
    private final HttpClient http;
    private final Duration readTimeout;
    private final Path tempDir;
    private final PeerAuth auth;
    private final int perHost;
    private final Map<String, Semaphore> inFlight = new ConcurrentHashMap<>();

    public PeerClient(String self, HttpClient http, Duration readTimeout, Path tempDir, int perHost, PeerAuth auth) {
        this.auth = auth;
        this.perHost = perHost;
        this.self = self;
        this.http = http;
        this.readTimeout = readTimeout;
        this.tempDir = tempDir;
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
                Optional<Fetched> blob = limited(host, () -> fetch(host, cid));
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
                failures.add(host + ": " + e.getMessage());
            }
        }
        return new Result(null, 0, null, failures, tried);
    }

    /** Whether {@code host} answers that it holds {@code cid}; any failure counts as "no". */
    public boolean holds(String host, String cid) {
        try {
            HttpRequest request = request(host + "/internal/blobs/info/" + escape(cid));
            return limited(host, () -> http.send(request, HttpResponse.BodyHandlers.discarding()).statusCode() == 200);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        } catch (Exception e) {
            return false;
        }
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

    /** A verified blob in a temporary file, and the Content-Type the peer served it with (may be null). */
    private record Fetched(Path file, String servedType) {
    }

    private Optional<Fetched> fetch(String host, Cid cid) throws IOException, InterruptedException {
        HttpRequest request = request(blobUrl(host, cid.value()));
        HttpResponse<InputStream> response = http.send(request, HttpResponse.BodyHandlers.ofInputStream());
        try (InputStream body = response.body()) {
            if (response.statusCode() != 200) {
                throw new IOException("HTTP " + response.statusCode());
            }
            Path file = Files.createTempFile(tempDir, "pull-", ".blob");
            MessageDigest digest = ContentHash.newDigest();
            try (OutputStream out = new DigestOutputStream(Files.newOutputStream(file), digest)) {
                StallGuard.transfer(body, out, readTimeout);
            } catch (IOException e) {
                Files.deleteIfExists(file);
                throw e;
            }
            Optional<byte[]> expected = cid.contentSha256();
            if (expected.isPresent() && !Arrays.equals(expected.get(), digest.digest())) {
                Files.deleteIfExists(file);
                return Optional.empty();
            }
            return Optional.of(new Fetched(file, response.headers().firstValue("Content-Type").orElse(null)));
        }
    }

    /** Removes a pulled blob's temporary file once it is stored (or failed to be). */
    public static void discard(Path blob) {
        if (blob != null) {
            try {
                Files.deleteIfExists(blob);
            } catch (IOException ignored) {
                // a leftover temp file is harmless; the OS temp cleaner takes it
            }
        }
    }
}
