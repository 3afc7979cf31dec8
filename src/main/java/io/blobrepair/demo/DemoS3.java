package io.blobrepair.demo;

import org.gaul.s3proxy.AuthenticationType;
import org.gaul.s3proxy.S3Proxy;
import org.jclouds.ContextBuilder;
import org.jclouds.blobstore.BlobStore;
import org.jclouds.blobstore.BlobStoreContext;
import org.jclouds.blobstore.domain.Blob;

import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Properties;

/**
 * The demo's S3-compatible server: s3proxy in-process on a free loopback port, over its
 * {@code filesystem-nio2} store (a bucket is a directory, a key a file), with AWS V4 authentication.
 */
final class DemoS3 implements AutoCloseable {

    private final BlobStoreContext context;
    private final S3Proxy proxy;

    private DemoS3(BlobStoreContext context, S3Proxy proxy) {
        this.context = context;
        this.proxy = proxy;
    }

    static DemoS3 start(Path baseDir, String accessKey, String secretKey) throws Exception {
        Files.createDirectories(baseDir);
        Properties overrides = new Properties();
        overrides.setProperty("jclouds.filesystem.basedir", baseDir.toString());
        // s3proxy's own filesystem store: jclouds' "filesystem" lists every directory as a
        // 4096-byte key ("abcde/"), which would swell the presence index and the node's used bytes
        BlobStoreContext context = ContextBuilder.newBuilder("filesystem-nio2")
                .credentials("demo", "demo")
                .overrides(overrides)
                .build(BlobStoreContext.class);
        S3Proxy proxy = S3Proxy.builder()
                .blobStore(context.getBlobStore())
                .endpoint(URI.create("http://127.0.0.1:0"))
                .awsAuthentication(AuthenticationType.AWS_V4, accessKey, secretKey)
                .build();
        try {
            proxy.start();
            long deadline = System.currentTimeMillis() + 10_000;
            while (!"STARTED".equals(proxy.getState())) {
                if (System.currentTimeMillis() > deadline) {
                    throw new IllegalStateException("s3proxy did not start: " + proxy.getState());
                }
                Thread.sleep(10);
            }
        } catch (Exception e) {
            context.close();
            throw e;
        }
        return new DemoS3(context, proxy);
    }

    String endpoint() {
        return "http://127.0.0.1:" + proxy.getPort();
    }

    void createBucket(String bucket) {
        store().createContainerInLocation(null, bucket);
    }

    /** Writes a blob straight into the store (no HTTP): seeding is not what the demo measures. */
    void put(String bucket, String key, byte[] content) {
        BlobStore store = store();
        store.putBlob(bucket, store.blobBuilder(key).payload(content).contentLength(content.length).build());
    }

    /** The stored bytes, or null when the key is absent. */
    byte[] read(String bucket, String key) throws IOException {
        Blob blob = store().getBlob(bucket, key);
        if (blob == null) {
            return null;
        }
        try (InputStream in = blob.getPayload().openStream()) {
            return in.readAllBytes();
        }
    }

    private BlobStore store() {
        return context.getBlobStore();
    }

    @Override
    public void close() throws Exception {
        try {
            proxy.stop();
        } finally {
            context.close();
        }
    }
}
