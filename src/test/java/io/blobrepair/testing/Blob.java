package io.blobrepair.testing;

import io.blobrepair.cid.ContentHash;
import io.blobrepair.cid.StorageKey;

import java.nio.charset.StandardCharsets;

/** A test blob: content, its v1 CID and its storage key, computed by the production code's rules. */
public record Blob(String cid, String key, byte[] content) {

    public static Blob of(String text) {
        byte[] content = text.getBytes(StandardCharsets.UTF_8);
        String cid = ContentHash.v1CidOf(content);
        return new Blob(cid, StorageKey.of(cid), content);
    }
}
