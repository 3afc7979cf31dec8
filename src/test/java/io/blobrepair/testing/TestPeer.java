package io.blobrepair.testing;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A real HTTP peer speaking the blob protocol: {@code /health_check},
 * {@code GET /internal/blobs/{cid}} (with {@code Range: bytes=FIRST-LAST} answered 206 and
 * {@code Content-Range}, as the reference's {@code http.ServeContent} does) and
 * {@code GET /internal/blobs/info/{cid}} from an in-memory map, recording every request. It serves
 * no presence filter (404), as a reference node, unless given one ({@link #servePresenceFilter}); with {@link #likeReference()} it also answers a
 * blob it lacks with 500, as the reference does, and with {@link #storeAll(boolean)} its health
 * answer says {@code storeAll} in the reference's shape.
 */
public final class TestPeer implements AutoCloseable {

    /** What the peer answers for a CID: the bytes it serves (which may be wrong on purpose). */
    private final Map<String, byte[]> blobs = new ConcurrentHashMap<>();
    private final Map<String, String> contentTypes = new ConcurrentHashMap<>();
    private final List<String> blobRequests = new CopyOnWriteArrayList<>();
    private final List<String> infoRequests = new CopyOnWriteArrayList<>();
    /** The Authorization header of every blob and info request ("" when there was none). */
    private final List<String> authorizations = new CopyOnWriteArrayList<>();
    private final HttpServer server;
    private final Map<String, Hold> holds = new ConcurrentHashMap<>();
    private final java.util.concurrent.atomic.AtomicInteger blobRequestsInFlight = new java.util.concurrent.atomic.AtomicInteger();
    private final java.util.concurrent.atomic.AtomicInteger mostBlobRequestsInFlight = new java.util.concurrent.atomic.AtomicInteger();
    private volatile boolean healthy = true;
    private volatile int lackingStatus = 404;
    private volatile boolean storeAll;
    private volatile byte[] presenceFilter;
    private volatile java.time.Instant presenceFilterBuiltAt;
    private final java.util.concurrent.atomic.AtomicInteger presenceFilterRequests = new java.util.concurrent.atomic.AtomicInteger();

    /**
     * How this peer misbehaves for a CID: a 500; a 200 whose body stops halfway and hangs or hangs
     * up; a 200 whole blob whatever the {@code Range}; 416 to any {@code Range}; 206 with 1 KiB
     * more than asked.
     */
    public enum Fault { ERROR_500, HANG, TRUNCATE, IGNORE_RANGE, ANSWER_416, LONGER_RANGE }

    private static final Pattern RANGE = Pattern.compile("bytes=(\\d+)-(\\d*)");
    /** Every blob request's Range header ("" when there was none). */
    private final List<String> ranges = new CopyOnWriteArrayList<>();
    private final Map<String, Long> cuts = new ConcurrentHashMap<>();

    private final Map<String, Fault> faults = new ConcurrentHashMap<>();

    /** Every request for {@code cid} misbehaves this way (wrong bytes: {@link #serve} other content). */
    public void fail(String cid, Fault fault) {
        faults.put(cid, fault);
    }

    /** Every answer for {@code cid} hangs up after {@code bytes} bytes of its body (headers promise them all). */
    public void cutEveryResponseAfter(String cid, long bytes) {
        cuts.put(cid, bytes);
    }

    /** The next request for a CID blocks until released, then fails: lets a test stop a node mid-cycle. */
    public record Hold(CountDownLatch reached, CountDownLatch release) {
    }

    private TestPeer(HttpServer server) {
        this.server = server;
    }

    static {
        // the JDK server writes headers and body separately: without TCP_NODELAY every answer
        // waits ~40 ms for a delayed ACK, which would make peers look slow in every test
        System.setProperty("sun.net.httpserver.nodelay", "true");
    }

    public static TestPeer start() throws IOException {
        HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        TestPeer peer = new TestPeer(server);
        server.createContext("/health_check", peer::health);
        server.createContext("/internal/blobs/", peer::blob);
        server.createContext("/internal/blobs/info/", peer::info);
        server.createContext("/internal/presence-filter", peer::presenceFilter);
        server.setExecutor(java.util.concurrent.Executors.newCachedThreadPool());
        server.start();
        return peer;
    }

    public String url() {
        return "http://127.0.0.1:" + server.getAddress().getPort();
    }

    public void serve(String cid, byte[] content) {
        blobs.put(cid, content);
    }

    /** Serves {@code content} with this Content-Type (by default a blob is served without one). */
    public void serve(String cid, byte[] content, String contentType) {
        blobs.put(cid, content);
        contentTypes.put(cid, contentType);
    }

    public Hold hold(String cid) {
        Hold hold = new Hold(new CountDownLatch(1), new CountDownLatch(1));
        holds.put(cid, hold);
        return hold;
    }

    public void setHealthy(boolean healthy) {
        this.healthy = healthy;
    }

    /** Answers a blob it lacks with 500, as a reference node does. */
    public TestPeer likeReference() {
        this.lackingStatus = 500;
        return this;
    }

    /** Whether its health answer says {@code data.storeAll}, as a reference node in store-all mode. */
    public TestPeer storeAll(boolean storeAll) {
        this.storeAll = storeAll;
        return this;
    }

    /** Stops serving {@code cid}. */
    public void forget(String cid) {
        blobs.remove(cid);
    }

    /**
     * Serves {@code filter} (a presence filter's bytes, Guava's Bloom filter serialization) at
     * {@code GET /internal/presence-filter} as built at {@code builtAt}, as a blob-repair node does.
     */
    public TestPeer servePresenceFilter(byte[] filter, java.time.Instant builtAt) {
        this.presenceFilterBuiltAt = builtAt;
        this.presenceFilter = filter;
        return this;
    }

    /** How many times its presence filter was asked for. */
    public int presenceFilterRequests() {
        return presenceFilterRequests.get();
    }

    public List<String> blobRequests() {
        return blobRequests;
    }

    /** The Range header of every blob request, in order ("" for none). */
    public List<String> rangeRequests() {
        return ranges;
    }

    private void health(HttpExchange exchange) throws IOException {
        respond(exchange, healthy ? 200 : 503, ("{\"healthy\":" + healthy + ",\"data\":{\"storeAll\":" + storeAll + "}}")
                .getBytes(StandardCharsets.UTF_8));
    }

    /** The most blob requests this peer was serving at once. */
    public int mostBlobRequestsInFlight() {
        return mostBlobRequestsInFlight.get();
    }

    private void blob(HttpExchange exchange) throws IOException {
        int inFlight = blobRequestsInFlight.incrementAndGet();
        mostBlobRequestsInFlight.accumulateAndGet(inFlight, Math::max);
        try {
            serveBlob(exchange);
        } finally {
            blobRequestsInFlight.decrementAndGet();
        }
    }

    private void serveBlob(HttpExchange exchange) throws IOException {
        String raw = exchange.getRequestURI().getRawPath().substring("/internal/blobs/".length());
        String cid = URLDecoder.decode(raw, StandardCharsets.UTF_8);
        blobRequests.add(cid);
        recordAuthorization(exchange);
        Hold hold = holds.remove(cid);
        if (hold != null) {
            hold.reached.countDown();
            try {
                hold.release.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            respond(exchange, 500, "{\"error\":\"held\"}".getBytes(StandardCharsets.UTF_8));
            return;
        }
        byte[] content = blobs.get(cid);
        Fault fault = faults.get(cid);
        if (fault == Fault.ERROR_500) {
            respond(exchange, 500, "{\"error\":\"injected\"}".getBytes(StandardCharsets.UTF_8));
        } else if ((fault == Fault.HANG || fault == Fault.TRUNCATE) && content != null) {
            // headers promise the whole blob, half of it comes, then the peer hangs or hangs up
            exchange.sendResponseHeaders(200, content.length);
            OutputStream out = exchange.getResponseBody();
            out.write(content, 0, content.length / 2);
            out.flush();
            if (fault == Fault.HANG) {
                try {
                    Thread.sleep(30_000);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
            exchange.close();
        } else if (content == null) {
            respond(exchange, lackingStatus, "{\"error\":\"not found\"}".getBytes(StandardCharsets.UTF_8));
        } else {
            String type = contentTypes.get(cid);
            if (type != null) {
                exchange.getResponseHeaders().add("Content-Type", type);
            }
            serveRange(exchange, cid, content, fault);
        }
    }

    private void serveRange(HttpExchange exchange, String cid, byte[] content, Fault fault) throws IOException {
        String range = exchange.getRequestHeaders().getFirst("Range");
        ranges.add(range == null ? "" : range);
        Matcher asked = range == null ? null : RANGE.matcher(range.strip());
        if (asked == null || !asked.matches() || fault == Fault.IGNORE_RANGE) {
            send(exchange, cid, 200, content, 0, content.length);
            return;
        }
        long first = Long.parseLong(asked.group(1));
        long last = asked.group(2).isEmpty() ? content.length - 1 : Long.parseLong(asked.group(2));
        if (fault == Fault.ANSWER_416 || first >= content.length || last < first) {
            exchange.getResponseHeaders().add("Content-Range", "bytes */" + content.length);
            respond(exchange, 416, new byte[0]);
            return;
        }
        last = Math.min(fault == Fault.LONGER_RANGE ? last + 1024 : last, content.length - 1);
        exchange.getResponseHeaders().add("Content-Range", "bytes " + first + "-" + last + "/" + content.length);
        send(exchange, cid, 206, content, (int) first, (int) (last - first + 1));
    }

    /** Sends {@code length} bytes from {@code offset}, or hangs up after the CID's cut. */
    private void send(HttpExchange exchange, String cid, int status, byte[] content, int offset, int length) throws IOException {
        exchange.sendResponseHeaders(status, length == 0 ? -1 : length);
        Long cut = cuts.get(cid);
        OutputStream out = exchange.getResponseBody();
        if (cut != null && cut < length) {
            out.write(content, offset, (int) (long) cut);
            out.flush();
            exchange.close();
            return;
        }
        try (out) {
            out.write(content, offset, length);
        }
    }

    private void presenceFilter(HttpExchange exchange) throws IOException {
        presenceFilterRequests.incrementAndGet();
        byte[] filter = presenceFilter;
        if (filter == null) {
            respond(exchange, 404, "{\"error\":\"no filter\"}".getBytes(StandardCharsets.UTF_8));
            return;
        }
        exchange.getResponseHeaders().add("X-Filter-Built-At", String.valueOf(presenceFilterBuiltAt.toEpochMilli()));
        respond(exchange, 200, filter);
    }

    private void info(HttpExchange exchange) throws IOException {
        String raw = exchange.getRequestURI().getRawPath().substring("/internal/blobs/info/".length());
        String cid = URLDecoder.decode(raw, StandardCharsets.UTF_8);
        infoRequests.add(cid);
        recordAuthorization(exchange);
        byte[] content = blobs.get(cid);
        if (content == null) {
            respond(exchange, 404, "{\"error\":\"not found\"}".getBytes(StandardCharsets.UTF_8));
        } else {
            respond(exchange, 200, ("{\"size\":" + content.length + "}").getBytes(StandardCharsets.UTF_8));
        }
    }

    private void recordAuthorization(HttpExchange exchange) {
        String header = exchange.getRequestHeaders().getFirst("Authorization");
        authorizations.add(header == null ? "" : header);
    }

    public List<String> authorizations() {
        return authorizations;
    }

    public List<String> infoRequests() {
        return infoRequests;
    }

    private static void respond(HttpExchange exchange, int status, byte[] body) throws IOException {
        exchange.sendResponseHeaders(status, body.length == 0 ? -1 : body.length);
        try (OutputStream out = exchange.getResponseBody()) {
            out.write(body);
        }
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
