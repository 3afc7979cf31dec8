package io.blobrepair.index;

/** What the bucket says about one key: its size and when it was last modified. */
public record ObjectFacts(long size, long lastModifiedMillis) {
}
