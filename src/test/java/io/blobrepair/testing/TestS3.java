package io.blobrepair.testing;

import org.gaul.s3proxy.AuthenticationType;
import org.gaul.s3proxy.S3Proxy;
import org.jclouds.ContextBuilder;
import org.jclouds.blobstore.BlobStore;
import org.jclouds.blobstore.BlobStoreContext;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.core.checksums.RequestChecksumCalculation;
import software.amazon.awssdk.core.checksums.ResponseChecksumValidation;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.S3Configuration;

import java.net.URI;
import java.util.Date;
import java.util.Properties;

/**
 * A real S3 protocol server in-process: s3proxy over jclouds' transient (in-memory) store,
 * wrapped in a {@link FaultyBlobStore} so tests can make listings fail.
 */
public final class TestS3 implements AutoCloseable {

    public static final String ACCESS_KEY = "test-access";
    public static final String SECRET_KEY = "test-secret-key";

    private final BlobStoreContext context;
    private final FaultyBlobStore store;
    private final S3Proxy proxy;
    private final String secretKey;

    private TestS3(BlobStoreContext context, FaultyBlobStore store, S3Proxy proxy, String secretKey) {
        this.context = context;
        this.store = store;
        this.proxy = proxy;
        this.secretKey = secretKey;
    }

    public static TestS3 start() throws Exception {
        return start(SECRET_KEY);
    }

    /** A server that only accepts {@link #ACCESS_KEY} with this secret key. */
    public static TestS3 start(String secretKey) throws Exception {
        return start(secretKey, false);
    }

    /**
     * A server whose flat listings page through a sorted key set ({@link SortedListingBlobStore}),
     * so listing N keys costs O(N) as on a real server, not the transient store's O(N²): for
     * benchmarks and tests with 100,000 keys and more.
     */
    public static TestS3 startWithSortedListing() throws Exception {
        return start(SECRET_KEY, true);
    }

    private static TestS3 start(String secretKey, boolean sortedListing) throws Exception {
        BlobStoreContext context = ContextBuilder.newBuilder("transient")
                .credentials("identity", "credential")
                .overrides(new Properties())
                .build(BlobStoreContext.class);
        BlobStore base = sortedListing ? new SortedListingBlobStore(context.getBlobStore()) : context.getBlobStore();
        FaultyBlobStore store = new FaultyBlobStore(base);
        S3Proxy proxy = S3Proxy.builder()
                .blobStore(store)
                .endpoint(URI.create("http://127.0.0.1:0"))
                .awsAuthentication(AuthenticationType.AWS_V2_OR_V4, ACCESS_KEY, secretKey)
                .build();
        proxy.start();
        long deadline = System.currentTimeMillis() + 10_000;
        while (!"STARTED".equals(proxy.getState())) {
            if (System.currentTimeMillis() > deadline) {
                throw new IllegalStateException("s3proxy did not start: " + proxy.getState());
            }
            Thread.sleep(10);
        }
        return new TestS3(context, store, proxy, secretKey);
    }

    public String secretKey() {
        return secretKey;
    }

    public String endpoint() {
        return "http://127.0.0.1:" + proxy.getPort();
    }

    public FaultyBlobStore store() {
        return store;
    }

    public void createBucket(String bucket) {
        store.createContainerInLocation(null, bucket);
    }

    /** Writes a blob straight into the store (no HTTP), for fast seeding. */
    public void put(String bucket, String key, byte[] content) {
        BlobStore s = store.delegateStore();
        s.putBlob(bucket, s.blobBuilder(key).payload(content).contentLength(content.length).build());
    }

    /** Writes a blob with a chosen last-modified time. */
    public void put(String bucket, String key, byte[] content, Date lastModified) {
        BlobStore s = store.delegateStore();
        var blob = s.blobBuilder(key).payload(content).contentLength(content.length).build();
        blob.getMetadata().setLastModified(lastModified);
        s.putBlob(bucket, blob);
    }

    /** Removes a blob straight from the store (no HTTP), as a disk losing it would. */
    public void delete(String bucket, String key) {
        store.delegateStore().removeBlob(bucket, key);
    }

    public boolean exists(String bucket, String key) {
        return store.delegateStore().blobExists(bucket, key);
    }

    public byte[] read(String bucket, String key) throws Exception {
        var blob = store.delegateStore().getBlob(bucket, key);
        if (blob == null) {
            return null;
        }
        try (var in = blob.getPayload().openStream()) {
            return in.readAllBytes();
        }
    }

    /** An SDK client for the test's own inspection (not counted by any node). */
    public S3Client client() {
        return S3Client.builder()
                .endpointOverride(URI.create(endpoint()))
                .region(Region.US_EAST_1)
                .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create(ACCESS_KEY, secretKey)))
                .requestChecksumCalculation(RequestChecksumCalculation.WHEN_REQUIRED)
                .responseChecksumValidation(ResponseChecksumValidation.WHEN_REQUIRED)
                .serviceConfiguration(S3Configuration.builder().pathStyleAccessEnabled(true).build())
                .build();
    }

    @Override
    public void close() throws Exception {
        proxy.stop();
        context.close();
    }
}
