package io.blobrepair.testing;

import org.jclouds.blobstore.BlobStore;
import org.jclouds.blobstore.domain.Blob;
import org.jclouds.blobstore.domain.BlobMetadata;
import org.jclouds.blobstore.domain.PageSet;
import org.jclouds.blobstore.domain.StorageMetadata;
import org.jclouds.blobstore.options.CopyOptions;
import org.jclouds.blobstore.options.GetOptions;
import org.jclouds.blobstore.options.ListContainerOptions;
import org.jclouds.blobstore.options.PutOptions;
import org.jclouds.blobstore.util.ForwardingBlobStore;
import org.jclouds.http.HttpResponse;
import org.jclouds.http.HttpResponseException;

import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The blob store behind the test S3 server, with faults on demand. A fault thrown here makes
 * s3proxy answer that S3 request with an error status, exactly as a failing server would.
 */
public final class FaultyBlobStore extends ForwardingBlobStore {

    private final AtomicInteger listCalls = new AtomicInteger();
    private final AtomicInteger calls = new AtomicInteger();
    private volatile int failListCallNumber = -1;
    private volatile int slowDownEvery;
    private volatile long latencyMillis;
    private volatile int pageSize;
    private final AtomicInteger listFailures = new AtomicInteger();
    private final AtomicInteger callsToHook = new AtomicInteger();
    private volatile int hookAtCall;
    private volatile Runnable hook;
    private final List<String> written = new CopyOnWriteArrayList<>();
    private final Set<String> unreadable = ConcurrentHashMap.newKeySet();
    private final Set<String> noMetadata = ConcurrentHashMap.newKeySet();
    private final Set<String> unwritable = ConcurrentHashMap.newKeySet();
    private final List<String> removed = new CopyOnWriteArrayList<>();

    FaultyBlobStore(BlobStore delegate) {
        super(delegate);
    }

    BlobStore delegateStore() {
        return delegate();
    }

    /**
     * Makes the n-th listing call from now (1-based) and every later one fail, retries included:
     * the listing cannot get past that page. 0 or less turns this fault off.
     */
    public void failListCall(int n) {
        listCalls.set(0);
        failListCallNumber = n;
    }

    /** Answers every n-th request (any operation) with 503 SlowDown; 0 turns this fault off. */
    public void slowDownEvery(int n) {
        calls.set(0);
        slowDownEvery = n;
    }

    /**
     * Makes the server wait {@code millis} before answering each request (as a real S3 server
     * takes tens of milliseconds per page): for benchmarks of the listing under latency; 0 turns
     * it off.
     */
    public void answerAfter(long millis) {
        latencyMillis = millis;
    }

    /** Makes every read (GetObject) of {@code key} fail. */
    public void failReadsOf(String key) {
        unreadable.add(key);
    }

    /** Makes every HeadObject of {@code key} fail with a 500. */
    public void failHeadsOf(String key) {
        noMetadata.add(key);
    }

    /** Makes every write of {@code key} (PutObject, CopyObject into it) fail with a 500. */
    public void failPutsOf(String key) {
        unwritable.add(key);
    }

    public void healPutsOf(String key) {
        unwritable.remove(key);
    }

    /**
     * Answers listings with at most {@code keys} keys a page (truncated, with a continuation), as
     * a real server may whatever MaxKeys asked: small buckets then span several pages. 0 turns it off.
     */
    public void servePagesOf(int keys) {
        pageSize = keys;
    }

    /** Listing calls that {@link #failListCall} made fail, since this store started. */
    public int listFailures() {
        return listFailures.get();
    }

    /**
     * Runs {@code action} once, on the n-th request (any operation) from now, before answering it;
     * null turns it off.
     */
    public void onCall(int n, Runnable action) {
        callsToHook.set(0);
        hookAtCall = n;
        hook = action;
    }

    /** Keys written through the S3 API (PutObject, CopyObject), in order. */
    public List<String> writtenKeys() {
        return written;
    }

    /** Keys deleted through the S3 API, in order. */
    public List<String> removedKeys() {
        return removed;
    }

    private static HttpResponseException status(int code, String message) {
        return new HttpResponseException(message, null, HttpResponse.builder().statusCode(code).message(message).build());
    }

    private void maybeSlowDown() {
        Runnable action = hook;
        if (action != null && callsToHook.incrementAndGet() == hookAtCall) {
            hook = null;
            action.run();
        }
        long latency = latencyMillis;
        if (latency > 0) {
            try {
                Thread.sleep(latency);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw status(503, "interrupted while delaying the answer");
            }
        }
        int every = slowDownEvery;
        if (every > 0 && calls.incrementAndGet() % every == 0) {
            throw status(503, "injected SlowDown");
        }
    }

    @Override
    public Blob getBlob(String container, String name, GetOptions options) {
        maybeSlowDown();
        if (unreadable.contains(name)) {
            throw status(500, "injected read failure");
        }
        return super.getBlob(container, name, options);
    }

    @Override
    public BlobMetadata blobMetadata(String container, String name) {
        maybeSlowDown();
        if (noMetadata.contains(name)) {
            throw status(500, "injected HeadObject failure");
        }
        return super.blobMetadata(container, name);
    }

    @Override
    public String putBlob(String container, Blob blob, PutOptions options) {
        maybeSlowDown();
        if (unwritable.contains(blob.getMetadata().getName())) {
            throw status(500, "injected PutObject failure");
        }
        String etag = super.putBlob(container, blob, options);
        written.add(blob.getMetadata().getName());
        return etag;
    }

    @Override
    public String putBlob(String container, Blob blob) {
        return putBlob(container, blob, PutOptions.NONE);
    }

    @Override
    public String copyBlob(String fromContainer, String fromName, String toContainer, String toName, CopyOptions options) {
        maybeSlowDown();
        if (unwritable.contains(toName)) {
            throw status(500, "injected CopyObject failure");
        }
        String etag = super.copyBlob(fromContainer, fromName, toContainer, toName, options);
        written.add(toName);
        return etag;
    }

    @Override
    public void removeBlob(String container, String name) {
        maybeSlowDown();
        removed.add(name);
        super.removeBlob(container, name);
    }

    @Override
    public PageSet<? extends StorageMetadata> list(String container, ListContainerOptions options) {
        maybeSlowDown();
        if (failListCallNumber > 0 && listCalls.incrementAndGet() >= failListCallNumber) {
            listFailures.incrementAndGet();
            throw status(500, "injected listing failure");
        }
        int keys = pageSize;
        if (keys > 0 && (options.getMaxResults() == null || options.getMaxResults() > keys)) {
            options.maxResults(keys);
        }
        return super.list(container, options);
    }
}
