package io.blobrepair.testing;

import org.jclouds.blobstore.BlobStore;
import org.jclouds.blobstore.domain.Blob;
import org.jclouds.blobstore.options.GetOptions;
import org.jclouds.blobstore.domain.PageSet;
import org.jclouds.blobstore.domain.StorageMetadata;
import org.jclouds.blobstore.options.ListContainerOptions;
import org.jclouds.blobstore.util.ForwardingBlobStore;

import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The blob store behind the test S3 server, with faults on demand: a listing call that fails
 * makes s3proxy answer that ListObjects request with a 500.
 */
public final class FaultyBlobStore extends ForwardingBlobStore {

    private final AtomicInteger listCalls = new AtomicInteger();
    private volatile int failListCallNumber = -1;
    private final Set<String> unreadable = ConcurrentHashMap.newKeySet();

    FaultyBlobStore(BlobStore delegate) {
        super(delegate);
    }

    BlobStore delegateStore() {
        return delegate();
    }

    /** Makes the n-th listing call from now (1-based) fail; 0 or less turns faults off. */
    public void failListCall(int n) {
        listCalls.set(0);
        failListCallNumber = n;
    }

    /** Makes every read of {@code key} fail (s3proxy answers GetObject with an error). */
    public void failReadsOf(String key) {
        unreadable.add(key);
    }

    @Override
    public Blob getBlob(String container, String name, GetOptions options) {
        if (unreadable.contains(name)) {
            throw new IllegalStateException("injected read failure");
        }
        return super.getBlob(container, name, options);
    }

    @Override
    public PageSet<? extends StorageMetadata> list(String container, ListContainerOptions options) {
        if (failListCallNumber > 0 && listCalls.incrementAndGet() == failListCallNumber) {
            throw new IllegalStateException("injected listing failure");
        }
        return super.list(container, options);
    }
}
