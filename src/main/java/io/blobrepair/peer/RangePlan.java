package io.blobrepair.peer;

import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Which bytes of a blob to ask one peer for next, and whether a failed request may be tried again.
 * The blob is cut into fixed ranges of {@code rangeSize} bytes from its start; the first request
 * asks for the first range and its answer ({@code Content-Range: bytes 0-N/TOTAL}) tells the size.
 * A request that stops short (a body cut off, or a peer sending less than asked) is followed by
 * one from the byte reached to the end of the same range. Each range gets
 * {@value #ATTEMPTS_PER_RANGE} requests, as the reference's {@code blobFetchChunkAttempts}. Pure:
 * no I/O, one plan per peer attempt.
 */
public final class RangePlan {

    public static final int ATTEMPTS_PER_RANGE = 3;

    /** Bytes {@code first} to {@code last}, both included, as {@code Range} and {@code Content-Range} count them. */
    public record Range(long first, long last) {
        public long length() {
            return last - first + 1;
        }

        public String header() {
            return "bytes=" + first + "-" + last;
        }
    }

    /** A 206 answer's {@code Content-Range: bytes FIRST-LAST/TOTAL}. */
    public record ContentRange(Range range, long total) {

        private static final Pattern FORMAT = Pattern.compile("bytes (\\d{1,18})-(\\d{1,18})/(\\d{1,18})");

        /** Empty for anything else, an unknown size ("*") included. */
        public static Optional<ContentRange> parse(String header) {
            if (header == null) {
                return Optional.empty();
            }
            Matcher m = FORMAT.matcher(header.strip());
            if (!m.matches()) {
                return Optional.empty();
            }
            long first = Long.parseLong(m.group(1));
            long last = Long.parseLong(m.group(2));
            long total = Long.parseLong(m.group(3));
            if (last < first || last >= total) {
                return Optional.empty();
            }
            return Optional.of(new ContentRange(new Range(first, last), total));
        }
    }

    private final long rangeSize;
    /** The blob's size, -1 until the first answer told it. */
    private long total = -1;
    /** Bytes received and kept, from the start: where the next request begins. */
    private long received;
    /** Requests made for the range that {@code received} is in. */
    private int attempts;
    private long attemptsForRange = -1;

    public RangePlan(long rangeSize) {
        if (rangeSize < 1) {
            throw new IllegalArgumentException("range size must be positive: " + rangeSize);
        }
        this.rangeSize = rangeSize;
    }

    /** The range of the next request, counted as an attempt at it. */
    public Range next() {
        long index = received / rangeSize;
        if (index != attemptsForRange) {
            attemptsForRange = index;
            attempts = 0;
        }
        attempts++;
        long end = (index + 1) * rangeSize - 1;
        return new Range(received, total < 0 ? end : Math.min(end, total - 1));
    }

    /** Whether the range now being fetched has a request left. */
    public boolean mayRetry() {
        return received / rangeSize != attemptsForRange || attempts < ATTEMPTS_PER_RANGE;
    }

    /**
     * Checks a 206 answer against the request it answers: what is wrong with it, or empty when it
     * may be read. The first answer fixes the blob's size; a later one may not change it, start
     * elsewhere than asked, or run past the end asked for (it may end before it).
     */
    public Optional<String> problemWith(Range asked, ContentRange answer) {
        if (total >= 0 && answer.total() != total) {
            return Optional.of("size changed from " + total + " to " + answer.total() + " bytes");
        }
        if (answer.range().first() != asked.first()) {
            return Optional.of("answered bytes from " + answer.range().first() + ", asked from " + asked.first());
        }
        if (answer.range().last() > asked.last()) {
            return Optional.of("answered bytes up to " + answer.range().last() + ", longer than asked (up to " + asked.last() + ")");
        }
        total = answer.total();
        return Optional.empty();
    }

    /** {@code n} more bytes arrived and were kept. */
    public void received(long n) {
        received += n;
    }

    public long received() {
        return received;
    }

    /** The blob's size, -1 before the first answer. */
    public long total() {
        return total;
    }

    public boolean complete() {
        return total >= 0 && received >= total;
    }
}
