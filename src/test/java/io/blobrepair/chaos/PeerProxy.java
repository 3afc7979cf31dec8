package io.blobrepair.chaos;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Pattern;

/**
 * An HTTP proxy in front of one node's peer API, at the address its peers know it by, that passes
 * every request through or, for a round, answers blob reads with wrong or truncated bytes, or
 * answers every request late: a peer whose bucket is sound but whose serving is not. The node's
 * own answers (health, holder checks) pass unchanged, so a corrupt serving is not a corrupt copy.
 */
final class PeerProxy implements AutoCloseable {

    enum Mode {
        PASS,
        /** A blob's bytes with one byte flipped, the length right. */
        WRONG_BYTES,
        /** The full length announced, half the bytes sent, then the connection closed. */
        TRUNCATED,
        /** Every answer after {@link #slowMillis}. */
        SLOW
    }

    /** {@code GET /internal/blobs/{cid}}, not {@code /internal/blobs/info/{cid}}. */
    private static final Pattern BLOB_READ = Pattern.compile("/internal/blobs/[^/]+");
    /** Headers the JDK client sets itself and refuses from a caller. */
    private static final Set<String> NOT_FORWARDED = Set.of("host", "connection", "content-length", "expect", "upgrade",
            "transfer-encoding", "keep-alive");

    private final InetSocketAddress address;
    private final URI target;
    private final HttpClient client;
    private final ExecutorService threads = Executors.newCachedThreadPool(r -> {
        Thread t = new Thread(r, "peer-proxy");
        t.setDaemon(true);
        return t;
    });
    private final AtomicInteger tampered = new AtomicInteger();
    private volatile Mode mode = Mode.PASS;
    private volatile long slowMillis;
    private HttpServer server;

    /** A proxy (not yet listening) at {@code url} for the peer API at {@code target}. */
    PeerProxy(URI url, URI target) {
        this.address = new InetSocketAddress(url.getHost(), url.getPort());
        this.target = target;
        this.client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(Duration.ofSeconds(2)).executor(threads).build();
    }

    /** Listens, retrying while the port is still held by a previous listener of the same address. */
    synchronized void start() throws Exception {
        for (int tries = 0; ; tries++) {
            try {
                server = HttpServer.create(address, 64);
                break;
            } catch (IOException inUse) {
                if (tries >= 50) {
                    throw inUse;
                }
                Thread.sleep(100);
            }
        }
        server.setExecutor(threads);
        server.createContext("/", this::forward);
        server.start();
    }

    /** Stops listening: the node is unreachable, as when it is down. */
    synchronized void stop() {
        if (server != null) {
            server.stop(0);
            server = null;
        }
    }

    void serve(Mode mode, long slowMillis) {
        this.slowMillis = slowMillis;
        this.mode = mode;
    }

    /** Blob reads answered with wrong or truncated bytes so far. */
    int tampered() {
        return tampered.get();
    }

    private void forward(HttpExchange ex) throws IOException {
        try (ex) {
            Mode m = mode;
            if (m == Mode.SLOW) {
                Thread.sleep(slowMillis);
            }
            URI uri = ex.getRequestURI();
            HttpRequest.Builder request = HttpRequest.newBuilder(target.resolve(uri.getRawPath()
                            + (uri.getRawQuery() == null ? "" : "?" + uri.getRawQuery())))
                    .timeout(Duration.ofSeconds(30));
            ex.getRequestHeaders().forEach((name, values) -> {
                if (!NOT_FORWARDED.contains(name.toLowerCase())) {
                    values.forEach(v -> request.header(name, v));
                }
            });
            byte[] body = ex.getRequestBody().readAllBytes();
            request.method(ex.getRequestMethod(), body.length == 0 ? HttpRequest.BodyPublishers.noBody()
                    : HttpRequest.BodyPublishers.ofByteArray(body));
            HttpResponse<byte[]> answer = client.send(request.build(), HttpResponse.BodyHandlers.ofByteArray());
            answer.headers().map().forEach((name, values) -> {
                if (!NOT_FORWARDED.contains(name.toLowerCase()) && !name.startsWith(":")) {
                    ex.getResponseHeaders().put(name, List.copyOf(values));
                }
            });
            byte[] content = answer.body();
            boolean blobRead = "GET".equals(ex.getRequestMethod()) && BLOB_READ.matcher(uri.getPath()).matches()
                    && (answer.statusCode() == 200 || answer.statusCode() == 206) && content.length > 1;
            if (blobRead && m == Mode.WRONG_BYTES) {
                content = content.clone();
                content[content.length / 2] ^= 0x5a;
                tampered.incrementAndGet();
            }
            if ("HEAD".equals(ex.getRequestMethod()) || content.length == 0) {
                ex.sendResponseHeaders(answer.statusCode(), -1);
                return;
            }
            ex.sendResponseHeaders(answer.statusCode(), content.length);
            OutputStream out = ex.getResponseBody();
            if (blobRead && m == Mode.TRUNCATED) {
                tampered.incrementAndGet();
                out.write(content, 0, content.length / 2);
                out.flush();
                // closing short of the announced length makes the server drop the connection
                return;
            }
            out.write(content);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (IOException e) {
            // the node behind is down, or the caller left: the caller sees the connection close
        }
    }

    @Override
    public void close() {
        stop();
        threads.shutdownNow();
    }
}
