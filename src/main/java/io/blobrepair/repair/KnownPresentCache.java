package io.blobrepair.repair;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Storage keys this node wrote since its last listing, so a cycle never pulls again what it
 * (or a peer's POST) has just stored. Bounded LRU: the oldest writes fall out first, which only
 * costs a presence check, never a wrong answer.
 */
public final class KnownPresentCache {

    private final Map<String, Boolean> keys;

    public KnownPresentCache(int maxEntries) {
        this.keys = new LinkedHashMap<>(1024, 0.75f, true) {
            @Override
            protected boolean removeEldestEntry(Map.Entry<String, Boolean> eldest) {
                return size() > maxEntries;
            }
        };
    }

    public synchronized void add(String key) {
        keys.put(key, Boolean.TRUE);
    }

    public synchronized boolean contains(String key) {
        return keys.containsKey(key);
    }

    public synchronized void remove(String key) {
        keys.remove(key);
    }

    public synchronized void clear() {
        keys.clear();
    }

    public synchronized int size() {
        return keys.size();
    }
}
