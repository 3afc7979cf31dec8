package io.blobrepair.peer;

import java.time.Clock;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * Peer authentication as the reference network does it ({@code repair.peer-auth=signed}):
 * outgoing peer requests carry HTTP Basic auth signed with this node's key; incoming blob
 * requests are accepted only when the signature recovers to a configured peer wallet and is
 * less than an hour old. With {@code none}, nothing is signed or checked.
 */
public final class PeerAuth {

    /** An incoming request without a valid signature from a configured peer: answered 401. */
    public static class Unauthorized extends RuntimeException {
        public Unauthorized(String message) {
            super(message);
        }
    }

    private final PeerSignature nodeKey;
    private volatile Set<String> wallets;
    private final Clock clock;

    private PeerAuth(PeerSignature nodeKey, Set<String> wallets, Clock clock) {
        this.nodeKey = nodeKey;
        this.wallets = wallets;
        this.clock = clock;
    }

    public static PeerAuth none() {
        return new PeerAuth(null, Set.of(), Clock.systemUTC());
    }

    public static PeerAuth signed(PeerSignature nodeKey, Set<String> peerWallets, Clock clock) {
        return new PeerAuth(nodeKey, lowerCase(peerWallets), clock);
    }

    /**
     * The wallets allowed from now on, e.g. those of a new {@link io.blobrepair.placement.NetworkView};
     * an empty set lets nobody in. Without peer auth nothing is checked, so nothing changes.
     */
    public void allowWallets(Set<String> peerWallets) {
        if (nodeKey != null) {
            wallets = lowerCase(peerWallets);
        }
    }

    /** The wallets allowed now (lower case). */
    public Set<String> allowedWallets() {
        return wallets;
    }

    private static Set<String> lowerCase(Set<String> wallets) {
        return wallets.stream().map(w -> w.toLowerCase(java.util.Locale.ROOT)).collect(Collectors.toUnmodifiableSet());
    }

    /** The Authorization header for an outgoing peer request, when requests are signed. */
    public Optional<String> authorizationHeader() {
        return nodeKey == null ? Optional.empty() : Optional.of(nodeKey.basicAuthorizationHeader(clock.instant()));
    }

    /** Lets a request through, or throws {@link Unauthorized}. */
    public void check(String authorizationHeader) {
        if (nodeKey == null) {
            return;
        }
        Optional<String> wallet = PeerSignature.verify(authorizationHeader, clock.instant(), PeerSignature.DEFAULT_MAX_AGE);
        if (wallet.isEmpty()) {
            throw new Unauthorized("a signed request from a peer is required");
        }
        if (!wallets.contains(wallet.get().toLowerCase(java.util.Locale.ROOT))) {
            throw new Unauthorized("signer " + wallet.get() + " is not a configured peer");
        }
    }

    /** This node's wallet, for operators to hand to their peers (empty with peer-auth=none). */
    public Optional<String> wallet() {
        return nodeKey == null ? Optional.empty() : Optional.of(nodeKey.walletAddress());
    }
}
