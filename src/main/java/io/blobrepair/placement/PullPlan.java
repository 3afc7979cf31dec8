package io.blobrepair.placement;

import com.google.common.hash.Hashing;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.function.Function;

/**
 * Which hosts one pull asks, in order. Three tiers, as the reference's later repair:
 * <ol>
 *   <li>the ranked hosts, at most {@code bound} of them (R+4 by default). Presence filters come
 *       first: a peer whose fresh filter says the key is absent is skipped and does not use up the
 *       bound, one whose filter says it may hold the key is tried first wherever it ranks;</li>
 *   <li>then at most {@link #STORE_ALL_FALLBACK} healthy store-all peers not already asked,
 *       rotated per CID so that the nodes pulling different CIDs do not all land on the same ones;</li>
 *   <li>once the CID has failed enough cycles ({@code escalate}), the whole ranking instead of the
 *       first tier, filters only ordering it: the exhaustive attempt that data-loss evidence needs.</li>
 * </ol>
 *
 * @param hosts           the hosts to try, in order (never this node)
 * @param exhaustive      the whole ranking is asked (the attempt escalated)
 * @param storeAllOffered store-all peers appended after the ranked hosts
 * @param skippedAbsent   ranked peers left out because their filter says absent (0 when exhaustive)
 */
public record PullPlan(List<String> hosts, boolean exhaustive, int storeAllOffered, int skippedAbsent) {

    /** Ranked hosts tried beyond R: absorbs ring churn and hosts that have since dropped the blob (the reference's margin). */
    public static final int PULL_ATTEMPT_MARGIN = 4;
    /** Store-all peers offered after the ranked hosts: more and every node would converge on the same ones. */
    public static final int STORE_ALL_FALLBACK = 2;

    /** What a peer's presence filter says about a key. */
    public enum Hint { MAY_HOLD, UNKNOWN, ABSENT }

    public PullPlan {
        hosts = List.copyOf(hosts);
    }

    /**
     * @param ranked        the CID's hosts in preference order (this node may be among them)
     * @param bound         most ranked hosts tried when not escalated
     * @param escalate      ask the whole ranking
     * @param filter        what each peer's presence filter says about the CID's key
     * @param storeAllPeers the healthy store-all peers, in any order
     */
    public static PullPlan of(String cid, List<String> ranked, String self, int bound, boolean escalate,
                              Function<String, Hint> filter, List<String> storeAllPeers) {
        List<String> mayHold = new ArrayList<>();
        List<String> unknown = new ArrayList<>();
        List<String> absent = new ArrayList<>();
        for (String host : ranked) {
            if (host.equals(self)) {
                continue;
            }
            switch (filter.apply(host)) {
                case MAY_HOLD -> mayHold.add(host);
                case UNKNOWN -> unknown.add(host);
                case ABSENT -> absent.add(host);
            }
        }
        Set<String> hosts = new LinkedHashSet<>(mayHold);
        hosts.addAll(unknown);
        if (escalate) {
            // a filter may be older than the blob: an exhaustive attempt asks its peer too, last
            hosts.addAll(absent);
        } else {
            List<String> bounded = new ArrayList<>(hosts).subList(0, Math.min(bound, hosts.size()));
            hosts = new LinkedHashSet<>(bounded);
        }
        int offered = 0;
        for (String peer : rotated(cid, storeAllPeers)) {
            if (offered == STORE_ALL_FALLBACK) {
                break;
            }
            if (!peer.equals(self) && !hosts.contains(peer) && filter.apply(peer) != Hint.ABSENT) {
                hosts.add(peer);
                offered++;
            }
        }
        return new PullPlan(List.copyOf(hosts), escalate, offered, escalate ? 0 : absent.size());
    }

    /** The peers in host order, starting at a place the CID's hash chooses. */
    static List<String> rotated(String cid, List<String> peers) {
        List<String> sorted = peers.stream().distinct().sorted().toList();
        if (sorted.isEmpty()) {
            return sorted;
        }
        int start = Math.floorMod(Hashing.murmur3_32_fixed().hashString(cid, StandardCharsets.UTF_8).asInt(), sorted.size());
        List<String> out = new ArrayList<>(sorted.subList(start, sorted.size()));
        out.addAll(sorted.subList(0, start));
        return out;
    }
}
