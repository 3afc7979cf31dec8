package io.blobrepair.placement;

import java.net.URI;
import java.util.Locale;
import java.util.Optional;

/**
 * Host URLs as the reference network compares and ranks them: lower case, without one trailing
 * {@code /} (the node builds its own and its peers' hosts so from the registry). Every host that is
 * ranked or compared — this node, {@code repair.peers}, {@code placement_hosts} entries, hosts read
 * from the node — goes through {@link #normalise} once, where it enters the service, so that
 * {@code HTTP://CN1.Example.org/} and {@code http://cn1.example.org} are the same host everywhere.
 */
public final class Hosts {

    private Hosts() {
    }

    /** Lower case, one trailing {@code /} removed, surrounding blanks trimmed; nothing else changes. */
    public static String normalise(String host) {
        String h = host.strip().toLowerCase(Locale.ROOT);
        return h.endsWith("/") ? h.substring(0, h.length() - 1) : h;
    }

    /**
     * The normalised form of a host this service may contact: {@code http(s)://host[:port]} without
     * path, query or credentials; empty when it is not such a URL.
     */
    public static Optional<String> parse(String host) {
        if (host == null) {
            return Optional.empty();
        }
        String h = normalise(host);
        try {
            URI uri = new URI(h);
            boolean web = "http".equals(uri.getScheme()) || "https".equals(uri.getScheme());
            if (web && uri.getHost() != null && uri.getRawUserInfo() == null
                    && (uri.getRawPath() == null || uri.getRawPath().isEmpty())
                    && uri.getRawQuery() == null && uri.getRawFragment() == null) {
                return Optional.of(h);
            }
        } catch (java.net.URISyntaxException ignored) {
            // not a URL: empty below
        }
        return Optional.empty();
    }
}
