package io.blobrepair.placement;

import io.blobrepair.cid.ContentHash;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.Arrays;
import java.util.Collection;
import java.util.List;

/**
 * Rendezvous (highest-random-weight) ranking of hosts for a CID: hosts sorted by
 * SHA-256(host ‖ cid) ascending, ties broken by host string. Every node computes the same order.
 */
public final class RendezvousRanking {

    private RendezvousRanking() {
    }

    public static List<String> rank(String cid, Collection<String> hosts) {
        MessageDigest digest = ContentHash.newDigest();
        byte[] cidBytes = cid.getBytes(StandardCharsets.UTF_8);
        Scored[] scored = new Scored[hosts.size()];
        int i = 0;
        for (String host : hosts) {
            digest.update(host.getBytes(StandardCharsets.UTF_8));
            digest.update(cidBytes);
            scored[i++] = new Scored(host, digest.digest());
        }
        Arrays.sort(scored);
        return Arrays.stream(scored).map(Scored::host).toList();
    }

    private record Scored(String host, byte[] score) implements Comparable<Scored> {
        @Override
        public int compareTo(Scored other) {
            int byScore = Arrays.compareUnsigned(score, other.score);
            return byScore != 0 ? byScore : host.compareTo(other.host);
        }
    }
}
