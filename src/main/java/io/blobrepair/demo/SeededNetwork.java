package io.blobrepair.demo;

import io.blobrepair.cid.ContentHash;
import io.blobrepair.cid.StorageKey;
import io.blobrepair.placement.RendezvousRanking;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

/**
 * The blobs the demo seeds and which node holds which. The first host is the node the demo
 * repairs ("node 1"). Blobs are picked by the real rendezvous ranking of the hosts, so each kind
 * comes in exactly the number planned, whatever ports the nodes got.
 */
final class SeededNetwork {

    /** What a blob is, seen from node 1. */
    enum Kind {
        /** Ranked for node 1 and held where it should be, node 1 included. */
        HELD("held by node 1 and the other node ranked for it"),
        /** Ranked for node 1, held only by the other node ranked for it. */
        MISSING("missing on node 1 (the other node ranked for it has it)"),
        /** Ranked for node 1, which holds other bytes under its CID; the other ranked node has the right ones. */
        CORRUPTED("corrupted on node 1 (wrong bytes under its CID; the other ranked node has the right ones)"),
        /** Ranked last for node 1, held by it and the two nodes ranked for it. */
        OVER_REPLICATED("over-replicated: node 1 ranks last for it, yet holds a copy, as do the two nodes ranked for it"),
        /** Not node 1's, held by the two nodes ranked for it. */
        ELSEWHERE("not node 1's, held by the two nodes ranked for it");

        final String description;

        Kind(String description) {
            this.description = description;
        }

        /** Whether node 1 should hold the blob once repaired. */
        boolean mine() {
            return this == HELD || this == MISSING || this == CORRUPTED;
        }
    }

    record SeededBlob(String cid, String key, byte[] content, Kind kind, List<String> ranked) {

        /** What {@code host}'s bucket holds under the blob's key when seeded, or null. */
        byte[] seededOn(String host, String nodeOne, int replicationFactor) {
            if (!host.equals(nodeOne)) {
                return ranked.indexOf(host) < replicationFactor ? content : null;
            }
            return switch (kind) {
                case HELD, OVER_REPLICATED -> content;
                case CORRUPTED -> corrupted(content);
                case MISSING, ELSEWHERE -> null;
            };
        }
    }

    private final List<String> hosts;
    private final int replicationFactor;
    private final List<SeededBlob> blobs;
    private final Map<Kind, Integer> counts;

    private SeededNetwork(List<String> hosts, int replicationFactor, List<SeededBlob> blobs, Map<Kind, Integer> counts) {
        this.hosts = hosts;
        this.replicationFactor = replicationFactor;
        this.blobs = blobs;
        this.counts = counts;
    }

    /**
     * Plans {@code total} blobs: node 1's share (R of the hosts' share) is mostly held, about a tenth
     * missing and one corrupted; of the rest about one in twenty is over-replicated on node 1.
     */
    static SeededNetwork plan(int total, List<String> hosts, int replicationFactor) {
        int mine = Math.round((float) total * replicationFactor / hosts.size());
        Map<Kind, Integer> counts = new EnumMap<>(Kind.class);
        counts.put(Kind.MISSING, Math.max(1, total / 10));
        counts.put(Kind.CORRUPTED, 1);
        counts.put(Kind.HELD, mine - counts.get(Kind.MISSING) - 1);
        counts.put(Kind.OVER_REPLICATED, Math.max(1, total / 20));
        counts.put(Kind.ELSEWHERE, total - mine - counts.get(Kind.OVER_REPLICATED));
        if (counts.values().stream().anyMatch(n -> n < 0)) {
            throw new IllegalArgumentException("too few blobs to show every case: " + total);
        }
        Map<Kind, Integer> left = new EnumMap<>(counts);
        List<SeededBlob> blobs = new ArrayList<>(total);
        String nodeOne = hosts.get(0);
        for (int i = 0; blobs.size() < total; i++) {
            byte[] content = content(i);
            String cid = ContentHash.v1CidOf(content);
            List<String> ranked = RendezvousRanking.rank(cid, hosts);
            boolean rankedForNodeOne = ranked.indexOf(nodeOne) < replicationFactor;
            List<Kind> candidates = rankedForNodeOne
                    ? List.of(Kind.MISSING, Kind.CORRUPTED, Kind.HELD)
                    : ranked.indexOf(nodeOne) == hosts.size() - 1 ? List.of(Kind.OVER_REPLICATED, Kind.ELSEWHERE) : List.of(Kind.ELSEWHERE);
            for (Kind kind : candidates) {
                if (left.get(kind) > 0) {
                    left.merge(kind, -1, Integer::sum);
                    blobs.add(new SeededBlob(cid, StorageKey.of(cid), content, kind, ranked));
                    break;
                }
            }
        }
        return new SeededNetwork(List.copyOf(hosts), replicationFactor, List.copyOf(blobs), counts);
    }

    /** Some kilobytes that say what they are, then pseudo-random bytes; the same for the same index. */
    static byte[] content(int index) {
        byte[] header = ("blob-repair demo blob " + index + "\n").getBytes(StandardCharsets.UTF_8);
        byte[] content = new byte[header.length + 512 + (index * 977) % 3584];
        new Random(index).nextBytes(content);
        System.arraycopy(header, 0, content, 0, header.length);
        return content;
    }

    /** The same length, the last byte changed: no longer what the CID says. */
    static byte[] corrupted(byte[] content) {
        byte[] copy = content.clone();
        copy[copy.length - 1] ^= (byte) 0xFF;
        return copy;
    }

    List<SeededBlob> blobs() {
        return blobs;
    }

    List<String> cids() {
        return blobs.stream().map(SeededBlob::cid).toList();
    }

    int count(Kind kind) {
        return counts.get(kind);
    }

    /** Blobs ranked for node 1: what it should hold once repaired. */
    long mine() {
        return blobs.stream().filter(b -> b.kind().mine()).count();
    }

    /** Bytes node 1 holds once the missing blobs are pulled, before any deletion. */
    long nodeOneBytesAfterPulls() {
        return blobs.stream().filter(b -> b.kind() != Kind.ELSEWHERE).mapToLong(b -> b.content().length).sum();
    }

    /** Writes every blob into the buckets of the nodes that hold it ({@code buckets} in host order). */
    void seed(DemoS3 s3, List<String> buckets) {
        for (SeededBlob blob : blobs) {
            for (int i = 0; i < hosts.size(); i++) {
                byte[] stored = blob.seededOn(hosts.get(i), hosts.get(0), replicationFactor);
                if (stored != null) {
                    s3.put(buckets.get(i), blob.key(), stored);
                }
            }
        }
    }
}
