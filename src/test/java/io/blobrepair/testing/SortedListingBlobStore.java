package io.blobrepair.testing;

import org.jclouds.blobstore.BlobStore;
import org.jclouds.blobstore.domain.Blob;
import org.jclouds.blobstore.domain.BlobMetadata;
import org.jclouds.blobstore.domain.MultipartPart;
import org.jclouds.blobstore.domain.MultipartUpload;
import org.jclouds.blobstore.domain.PageSet;
import org.jclouds.blobstore.domain.StorageMetadata;
import org.jclouds.blobstore.domain.internal.PageSetImpl;
import org.jclouds.blobstore.options.CopyOptions;
import org.jclouds.blobstore.options.CreateContainerOptions;
import org.jclouds.blobstore.options.ListContainerOptions;
import org.jclouds.blobstore.options.PutOptions;
import org.jclouds.blobstore.util.ForwardingBlobStore;
import org.jclouds.domain.Location;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.NavigableSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentSkipListSet;

/**
 * Keeps every container's keys in a sorted set beside the in-memory store, so a listing page
 * costs what its keys cost, as on a real S3 server. jclouds' transient store sorts the metadata
 * of every key of the container (or of the prefix) for each page, so a sequential listing of N
 * keys costs O(N²): at 100,000 keys it takes seconds per page, which no real server does and
 * which would make a benchmark measure the test server. Flat (recursive, no delimiter) listings
 * are served from the sorted keys; any other listing goes to the store itself.
 *
 * <p>Keys enter and leave the set on the write paths s3proxy and the tests use: PutObject, copy,
 * multipart completion, DeleteObject(s), clearing and deleting a container.
 */
public final class SortedListingBlobStore extends ForwardingBlobStore {

    private final Map<String, NavigableSet<String>> keysByContainer = new ConcurrentHashMap<>();

    public SortedListingBlobStore(BlobStore delegate) {
        super(delegate);
    }

    private NavigableSet<String> keys(String container) {
        return keysByContainer.computeIfAbsent(container, c -> new ConcurrentSkipListSet<>());
    }

    @Override
    public boolean createContainerInLocation(Location location, String container) {
        boolean created = super.createContainerInLocation(location, container);
        keys(container);
        return created;
    }

    @Override
    public boolean createContainerInLocation(Location location, String container, CreateContainerOptions options) {
        boolean created = super.createContainerInLocation(location, container, options);
        keys(container);
        return created;
    }

    @Override
    public String putBlob(String container, Blob blob) {
        String etag = super.putBlob(container, blob);
        keys(container).add(blob.getMetadata().getName());
        return etag;
    }

    @Override
    public String putBlob(String container, Blob blob, PutOptions options) {
        String etag = super.putBlob(container, blob, options);
        keys(container).add(blob.getMetadata().getName());
        return etag;
    }

    @Override
    public String copyBlob(String fromContainer, String fromName, String toContainer, String toName, CopyOptions options) {
        String etag = super.copyBlob(fromContainer, fromName, toContainer, toName, options);
        keys(toContainer).add(toName);
        return etag;
    }

    @Override
    public String completeMultipartUpload(MultipartUpload upload, List<MultipartPart> parts) {
        String etag = super.completeMultipartUpload(upload, parts);
        keys(upload.containerName()).add(upload.blobName());
        return etag;
    }

    @Override
    public void removeBlob(String container, String name) {
        super.removeBlob(container, name);
        keys(container).remove(name);
    }

    @Override
    public void removeBlobs(String container, Iterable<String> names) {
        super.removeBlobs(container, names);
        names.forEach(keys(container)::remove);
    }

    @Override
    public void clearContainer(String container) {
        super.clearContainer(container);
        keys(container).clear();
    }

    @Override
    public void clearContainer(String container, ListContainerOptions options) {
        super.clearContainer(container, options);
        keys(container).removeIf(key -> !super.blobExists(container, key));
    }

    @Override
    public void deleteContainer(String container) {
        super.deleteContainer(container);
        keysByContainer.remove(container);
    }

    @Override
    public boolean deleteContainerIfEmpty(String container) {
        boolean deleted = super.deleteContainerIfEmpty(container);
        if (deleted) {
            keysByContainer.remove(container);
        }
        return deleted;
    }

    @Override
    public PageSet<? extends StorageMetadata> list(String container, ListContainerOptions options) {
        NavigableSet<String> keys = keysByContainer.get(container);
        boolean flat = options.isRecursive() && options.getDelimiter() == null && options.getDir() == null;
        if (keys == null || !flat) {
            return super.list(container, options);
        }
        String prefix = options.getPrefix() == null ? "" : options.getPrefix();
        String marker = options.getMarker();
        int max = options.getMaxResults() == null ? 1000 : options.getMaxResults();
        NavigableSet<String> from = marker != null && marker.compareTo(prefix) >= 0
                ? keys.tailSet(marker, false)
                : keys.tailSet(prefix, true);
        List<StorageMetadata> page = new ArrayList<>(Math.min(max, 1000));
        String last = null;
        boolean more = false;
        for (Iterator<String> it = from.iterator(); it.hasNext(); ) {
            String key = it.next();
            if (!key.startsWith(prefix)) {
                break;
            }
            if (page.size() == max) {
                more = true;
                break;
            }
            BlobMetadata metadata = super.blobMetadata(container, key);
            if (metadata != null) { // null: removed since the set was read
                page.add(metadata);
                last = key;
            }
        }
        return new PageSetImpl<>(page, more ? last : null);
    }
}
