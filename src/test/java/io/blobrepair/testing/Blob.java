package io.blobrepair.testing;

import io.blobrepair.cid.ContentHash;
import io.blobrepair.cid.StorageKey;

import java.nio.charset.StandardCharsets;

/** A test blob: content, its v1 CID and its storage key, computed by the production code's rules. */
public record Blob(String cid, String key, byte[] content) {

    public static Blob of(String text) {
        return of(text.getBytes(StandardCharsets.UTF_8));
    }

    public static Blob of(byte[] content) {
        String cid = ContentHash.v1CidOf(content);
        return new Blob(cid, StorageKey.of(cid), content);
    }

    /** {@code size} bytes that do not compress or repeat, the same for the same seed. */
    public static Blob random(int size, long seed) {
        byte[] content = new byte[size];
        new java.util.Random(seed).nextBytes(content);
        return of(content);
    }
}
