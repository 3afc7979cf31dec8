package io.blobrepair.s3;

import java.util.List;
import java.util.Optional;

/**
 * The node's buckets: the primary one, and on a store-all node optionally an archive bucket for
 * the blobs it holds only because it stores everything (reference PR #224).
 */
public record Buckets(String primary, Optional<String> archive) {

    /** The bucket a blob belongs in. */
    public String forBlob(boolean heldForStoreAll) {
        return heldForStoreAll && archive.isPresent() ? archive.get() : primary;
    }

    /** Whether a blob belongs in the archive bucket. */
    public boolean archived(boolean heldForStoreAll) {
        return heldForStoreAll && archive.isPresent();
    }

    /** The node's other bucket than {@code bucket}, when it has two. */
    public Optional<String> other(String bucket) {
        return archive.map(a -> a.equals(bucket) ? primary : a);
    }

    public List<String> all() {
        return archive.map(a -> List.of(primary, a)).orElse(List.of(primary));
    }
}
