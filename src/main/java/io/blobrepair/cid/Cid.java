package io.blobrepair.cid;

import com.google.common.io.BaseEncoding;

import java.util.Arrays;
import java.util.Optional;

/**
 * A content identifier as it appears in the work lists, already checked for shape.
 *
 * <p>Three kinds exist in the network: v1 CIDs ({@code b} + base32), strict legacy CIDs ({@code Qm}
 * + base58, 46 chars) and legacy keys with a path ({@code Qm…/150x150.jpg}). A v1 CID must carry
 * the SHA-256 multihash this network computes, so its content can always be checked; the hash
 * inside a legacy CID is not the content hash, so legacy CIDs are never validated.
 */
public record Cid(String value, Kind kind) {

    public enum Kind { V1, LEGACY, LEGACY_PATH }

    /** "b" + base32 of the 6-byte header and a 32-byte digest. */
    static final int V1_LENGTH = 62;

    /** Longest CID or legacy key we accept; real ones are under 100 characters. */
    public static final int MAX_LENGTH = 256;

    /** Version 1, codec and SHA-256 multihash header of the CIDs this network computes. */
    static final byte[] V1_SHA256_PREFIX = {0x01, 0x00, 0x00, 0x22, 0x12, 0x20};

    /** Multibase {@code b}: RFC 4648 base32, lower case, no padding. */
    static final BaseEncoding MULTIBASE_B = BaseEncoding.base32().lowerCase().omitPadding();

    private static final String BASE58 = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz";

    /**
     * Parses a work-list value. Returns empty when the value is not a CID; the caller counts it
     * ({@code invalid_cid}) and moves on.
     */
    public static Optional<Cid> parse(String raw) {
        if (raw == null || raw.isEmpty() || raw.length() > MAX_LENGTH) {
            return Optional.empty();
        }
        if (raw.startsWith("b")) {
            return sha256Of(raw).isPresent() ? Optional.of(new Cid(raw, Kind.V1)) : Optional.empty();
        }
        if (raw.startsWith("Qm")) {
            int slash = raw.indexOf('/');
            if (slash < 0) {
                return raw.length() == 46 && allBase58(raw, 0, raw.length())
                        ? Optional.of(new Cid(raw, Kind.LEGACY)) : Optional.empty();
            }
            if (slash == 46 && allBase58(raw, 0, slash) && safePath(raw.substring(slash + 1))) {
                return Optional.of(new Cid(raw, Kind.LEGACY_PATH));
            }
        }
        return Optional.empty();
    }

    /**
     * The SHA-256 of the content this CID names; present for every v1 CID, empty for legacy ones.
     */
    public Optional<byte[]> contentSha256() {
        return kind == Kind.V1 ? sha256Of(value) : Optional.empty();
    }

    private static Optional<byte[]> sha256Of(String v1) {
        if (v1.length() != V1_LENGTH) {
            return Optional.empty();
        }
        String encoded = v1.substring(1);
        if (!MULTIBASE_B.canDecode(encoded)) {
            return Optional.empty();
        }
        byte[] decoded = MULTIBASE_B.decode(encoded);
        // only the canonical encoding names the digest (no stray bits after the last byte)
        if (decoded.length != V1_SHA256_PREFIX.length + 32
                || !MULTIBASE_B.encode(decoded).equals(encoded)
                || !Arrays.equals(decoded, 0, V1_SHA256_PREFIX.length, V1_SHA256_PREFIX, 0, V1_SHA256_PREFIX.length)) {
            return Optional.empty();
        }
        return Optional.of(Arrays.copyOfRange(decoded, V1_SHA256_PREFIX.length, decoded.length));
    }

    /** The key under which this CID's blob is stored in the bucket. */
    public String storageKey() {
        return StorageKey.of(value);
    }

    @Override
    public String toString() {
        return value;
    }

    private static boolean allBase58(String s, int from, int to) {
        for (int i = from; i < to; i++) {
            if (BASE58.indexOf(s.charAt(i)) < 0) {
                return false;
            }
        }
        return true;
    }

    /** A legacy variant path: plain file names only, never a way out of the key space. */
    private static boolean safePath(String path) {
        if (path.isEmpty() || path.contains("..") || path.startsWith("/") || path.endsWith("/")) {
            return false;
        }
        for (int i = 0; i < path.length(); i++) {
            char c = path.charAt(i);
            boolean ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')
                    || c == '.' || c == '_' || c == '-' || c == '/';
            if (!ok) {
                return false;
            }
        }
        return true;
    }
}
