package io.blobrepair.cid;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.security.DigestOutputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;

/** SHA-256 of blob content and the v1 CID it yields. */
public final class ContentHash {

    private ContentHash() {
    }

    public static MessageDigest newDigest() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is part of every JRE", e);
        }
    }

    /**
     * Whether everything {@code content} has left to read (it is not closed) hashes to the v1
     * {@code cid}; false for a CID without a content hash.
     */
    public static boolean matches(Cid cid, InputStream content) throws IOException {
        MessageDigest digest = newDigest();
        try (OutputStream sink = new DigestOutputStream(OutputStream.nullOutputStream(), digest)) {
            content.transferTo(sink);
        }
        byte[] sha256 = digest.digest();
        return cid.contentSha256().filter(expected -> MessageDigest.isEqual(expected, sha256)).isPresent();
    }

    /** The v1 CID of content whose SHA-256 is {@code sha256}. */
    public static String v1Cid(byte[] sha256) {
        byte[] multihash = new byte[Cid.V1_SHA256_PREFIX.length + sha256.length];
        System.arraycopy(Cid.V1_SHA256_PREFIX, 0, multihash, 0, Cid.V1_SHA256_PREFIX.length);
        System.arraycopy(sha256, 0, multihash, Cid.V1_SHA256_PREFIX.length, sha256.length);
        return "b" + Cid.MULTIBASE_B.encode(multihash);
    }

    public static String v1CidOf(byte[] content) {
        return v1Cid(newDigest().digest(content));
    }
}
