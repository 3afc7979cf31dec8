package io.blobrepair.index;

import com.google.common.hash.BloomFilter;
import com.google.common.hash.Funnels;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.time.Instant;

/**
 * A Bloom filter of a node's storage keys (0.1% false positives), built from a complete listing
 * and served to peers, so they ask this node first for blobs it may hold. "Absent" is only
 * trustworthy for blobs older than {@link #builtAt()}: a blob written later is not in it.
 */
public final class PresenceFilter {

    /** False-positive rate of the filters this node builds. */
    public static final double FALSE_POSITIVE_RATE = 0.001;

    private final BloomFilter<CharSequence> keys;
    private final Instant builtAt;

    private PresenceFilter(BloomFilter<CharSequence> keys, Instant builtAt) {
        this.keys = keys;
        this.builtAt = builtAt;
    }

    static BloomFilter<CharSequence> newFilter(int expectedKeys) {
        return BloomFilter.create(Funnels.stringFunnel(StandardCharsets.UTF_8), Math.max(1000, expectedKeys), FALSE_POSITIVE_RATE);
    }

    static PresenceFilter of(BloomFilter<CharSequence> keys, Instant builtAt) {
        return new PresenceFilter(keys, builtAt);
    }

    public boolean mayHold(String storageKey) {
        return keys.mightContain(storageKey);
    }

    public Instant builtAt() {
        return builtAt;
    }

    /** The wire format: Guava's Bloom filter serialization. */
    public byte[] toBytes() {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try {
            keys.writeTo(out);
        } catch (IOException e) {
            throw new IllegalStateException("writing to memory cannot fail", e);
        }
        return out.toByteArray();
    }

    public static PresenceFilter fromBytes(byte[] bytes, Instant builtAt) throws IOException {
        try (InputStream in = new ByteArrayInputStream(bytes)) {
            return new PresenceFilter(BloomFilter.readFrom(in, Funnels.stringFunnel(StandardCharsets.UTF_8)), builtAt);
        } catch (RuntimeException e) {
            throw new IOException("not a presence filter: " + e.getMessage(), e);
        }
    }
}
