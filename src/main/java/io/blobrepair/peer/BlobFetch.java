package io.blobrepair.peer;

import com.google.common.io.ByteStreams;
import com.google.common.io.CountingOutputStream;
import io.blobrepair.cid.Cid;
import io.blobrepair.cid.ContentHash;

import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.DigestOutputStream;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.Arrays;
import java.util.Optional;

/**
 * One peer's copy of a blob, fetched into its pull's staging file ({@link StagingArea}) while it
 * is hashed, so the heap holds one buffer whatever the blob's size.
 *
 * <p>Every request is {@code GET {peer}/internal/blobs/{cid}} with a {@code Range} header
 * ({@link RangePlan}): the first asks for the first {@code repair.pull.range-size} bytes, and its
 * 206 answer's {@code Content-Range} gives the size, so a blob that fits one range costs one
 * request. A peer that ignores {@code Range} and answers 200 is read as one stream. The first
 * answer decides whether the peer serves the blob at all: any other status fails the attempt at
 * once (the reference network answers 500 for a blob it lacks). After it, a body cut short, a
 * stall or a failed request is resumed from the byte reached, up to
 * {@value RangePlan#ATTEMPTS_PER_RANGE} requests per range. A peer that breaks the protocol — 416,
 * a range other or longer than asked, a size that changes — fails the attempt at once. A v1 blob
 * whose bytes do not hash to its CID is no blob at all.
 */
public final class BlobFetch {

    /** A verified blob in its staging file, and the Content-Type the peer served it with (may be null). */
    public record Fetched(Path file, String servedType) {
    }

    /** The peer answered in a way no retry can mend. */
    private static final class PeerMisbehaved extends IOException {
        PeerMisbehaved(String message) {
            super(message);
        }
    }

    private final HttpClient http;
    private final PeerAuth auth;
    private final Duration readTimeout;
    private final long rangeSize;
    private final StagingArea staging;
    private final StallGuard stallGuard;

    public BlobFetch(HttpClient http, PeerAuth auth, Duration readTimeout, long rangeSize, StagingArea staging,
                     StallGuard stallGuard) {
        this.http = http;
        this.auth = auth;
        this.readTimeout = readTimeout;
        this.rangeSize = rangeSize;
        this.staging = staging;
        this.stallGuard = stallGuard;
    }

    /** What one answer brought: the Content-Type it was served with, and whether it was the whole blob in one stream. */
    private record Answer(String servedType, boolean wholeBlob) {
    }

    /**
     * The blob from {@code host}, verified; empty when its bytes do not match the CID.
     *
     * @throws IOException why this host could not serve it
     */
    public Optional<Fetched> fetch(String host, Cid cid) throws IOException, InterruptedException {
        StagingArea.Claim claim = staging.claimFor(cid.value());
        Path file = claim.file();
        MessageDigest digest = ContentHash.newDigest();
        RangePlan plan = new RangePlan(rangeSize);
        String servedType = null;
        try (CountingOutputStream out = new CountingOutputStream(new DigestOutputStream(new BufferedOutputStream(
                Files.newOutputStream(file, StandardOpenOption.WRITE, StandardOpenOption.TRUNCATE_EXISTING)), digest))) {
            while (!plan.complete()) {
                boolean first = plan.total() < 0;
                RangePlan.Range asked = plan.next();
                long before = out.getCount();
                try {
                    Answer answer = request(host, cid, asked, first, plan, claim, out);
                    if (first) {
                        servedType = answer.servedType();
                    }
                    if (answer.wholeBlob()) {
                        break;
                    }
                } catch (PeerMisbehaved | StagingArea.StagingFullException e) {
                    throw e;
                } catch (IOException e) {
                    plan.received(out.getCount() - before);
                    // before a first range is served nothing is retried: the peer may simply lack the blob
                    if (plan.total() < 0 || !plan.mayRetry()) {
                        throw e;
                    }
                }
            }
        }
        Optional<byte[]> expected = cid.contentSha256();
        if (expected.isPresent() && !Arrays.equals(expected.get(), digest.digest())) {
            return Optional.empty();
        }
        return Optional.of(new Fetched(file, servedType));
    }

    private Answer request(String host, Cid cid, RangePlan.Range asked, boolean first, RangePlan plan,
                           StagingArea.Claim claim, CountingOutputStream out) throws IOException, InterruptedException {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(PeerClient.blobUrl(host, cid.value())))
                .timeout(readTimeout).header("Range", asked.header()).GET();
        auth.authorizationHeader().ifPresent(header -> request.header("Authorization", header));
        HttpResponse<InputStream> response = http.send(request.build(), HttpResponse.BodyHandlers.ofInputStream());
        String servedType = response.headers().firstValue("Content-Type").orElse(null);
        try (InputStream body = response.body()) {
            int status = response.statusCode();
            if (status == 200 && first) {
                readWhole(body, response, claim, out);
                return new Answer(servedType, true);
            }
            if (status != 206) {
                // a later range failing on the server's side may pass on a second try
                throw first || status < 500 ? new PeerMisbehaved("HTTP " + status + " for " + asked.header())
                        : new IOException("HTTP " + status + " for " + asked.header());
            }
            String header = response.headers().firstValue("Content-Range").orElse(null);
            RangePlan.ContentRange answer = RangePlan.ContentRange.parse(header)
                    .orElseThrow(() -> new PeerMisbehaved("206 with Content-Range " + BadRequest.quote(String.valueOf(header))));
            Optional<String> problem = plan.problemWith(asked, answer);
            if (problem.isPresent()) {
                throw new PeerMisbehaved(problem.get());
            }
            long length = answer.range().length();
            long announced = response.headers().firstValueAsLong("Content-Length").orElse(length);
            if (announced != length) {
                throw new PeerMisbehaved("Content-Length " + announced + " for the " + length + " bytes of " + header);
            }
            claim.fit(answer.total());
            long copied = copy(body, out, length);
            if (copied < length) {
                throw new IOException("range " + asked.header() + " cut short after " + copied + " of " + length + " bytes");
            }
            plan.received(length);
            return new Answer(servedType, false);
        }
    }

    /** A 200 to the first ranged request: the peer ignored {@code Range}, its body is the whole blob. */
    private void readWhole(InputStream body, HttpResponse<InputStream> response, StagingArea.Claim claim,
                           CountingOutputStream out) throws IOException {
        long length = response.headers().firstValueAsLong("Content-Length").orElse(-1);
        if (length >= 0) {
            claim.fit(length);
        }
        // without a length, no more than the size the peers reported, when they did
        long limit = length >= 0 ? length : claim.size() >= 0 ? claim.size() : Long.MAX_VALUE;
        long copied = copy(body, out, limit);
        if (copied == limit && limit != Long.MAX_VALUE && body.read() >= 0) {
            throw new PeerMisbehaved("sent more than the " + limit + " bytes it announced");
        }
        if (length >= 0 && copied < length) {
            throw new IOException("body cut short after " + copied + " of " + length + " bytes");
        }
    }

    /** Copies at most {@code limit} bytes, failing when the peer stalls longer than the read timeout. */
    private long copy(InputStream body, OutputStream out, long limit) throws IOException {
        return stallGuard.transfer(ByteStreams.limit(body, limit), out, readTimeout);
    }
}
