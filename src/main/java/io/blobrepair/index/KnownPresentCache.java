package io.blobrepair.index;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;

/**
 * Storage keys this node wrote since its last listing (pulled, or pushed by a peer), so a cycle
 * never pulls again what was just stored. Size-bounded (Caffeine): when full, the entries least
 * likely to be asked for again go first, which only costs a presence check, never a wrong answer.
 */
public final class KnownPresentCache {

    private final Cache<String, Boolean> keys;

    public KnownPresentCache(int maxEntries) {
        // maintenance on the caller's thread: the bound holds as soon as a write returns
        this.keys = Caffeine.newBuilder().maximumSize(maxEntries).executor(Runnable::run).build();
    }

    public void add(String key) {
        keys.put(key, Boolean.TRUE);
    }

    public boolean contains(String key) {
        return keys.getIfPresent(key) != null;
    }

    public void remove(String key) {
        keys.invalidate(key);
    }

    public void clear() {
        keys.invalidateAll();
    }

    public int size() {
        keys.cleanUp();
        return (int) keys.estimatedSize();
    }
}
