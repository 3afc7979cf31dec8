package io.blobrepair.testing;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.ListObjectsV2Request;
import software.amazon.awssdk.services.s3.model.ListObjectsV2Response;
import software.amazon.awssdk.services.s3.model.S3Object;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.function.UnaryOperator;

import static org.assertj.core.api.Assertions.assertThat;

/** The sorted listing answers every flat listing exactly as the plain in-memory store does. */
class SortedListingBlobStoreTest {

    private static final String BUCKET = "sorted-listing";

    private static TestS3 plain;
    private static TestS3 sorted;

    @BeforeAll
    static void start() throws Exception {
        plain = TestS3.start();
        sorted = TestS3.startWithSortedListing();
        for (TestS3 s3 : List.of(plain, sorted)) {
            s3.createBucket(BUCKET);
            for (int i = 0; i < 2_300; i++) {
                String key = (i % 3 == 0 ? "a" : i % 3 == 1 ? "Qb" : "z") + String.format("%05d/k", i * 7919 % 10_007);
                s3.put(BUCKET, key, ("content " + i).getBytes(StandardCharsets.UTF_8));
            }
            S3Client client = s3.client();
            client.putObject(r -> r.bucket(BUCKET).key("m/put-over-http"), RequestBody.fromString("over http"));
            client.deleteObject(r -> r.bucket(BUCKET).key("a00000/k"));
            for (int i = 1; i <= 30; i++) {
                String gone = "z" + String.format("%05d/k", (3 * i + 2) * 7919 % 10_007);
                client.deleteObject(r -> r.bucket(BUCKET).key(gone));
            }
        }
    }

    @AfterAll
    static void stop() throws Exception {
        plain.close();
        sorted.close();
    }

    @Test
    void pagesPrefixesAndStartAfterMatchThePlainStore() {
        List<UnaryOperator<ListObjectsV2Request.Builder>> listings = List.of(
                r -> r,
                r -> r.maxKeys(7),
                r -> r.prefix("a"),
                r -> r.prefix("z").maxKeys(100),
                r -> r.prefix("Q").startAfter("Qb05000/k"),
                r -> r.startAfter("a05000/k").maxKeys(333),
                r -> r.prefix("a").startAfter("Z"),
                r -> r.prefix("nothing"),
                r -> r.startAfter("zzz"));
        for (UnaryOperator<ListObjectsV2Request.Builder> listing : listings) {
            List<String> expected = listAll(plain.client(), listing);
            assertThat(listAll(sorted.client(), listing)).isNotNull().isEqualTo(expected);
        }
        assertThat(listAll(sorted.client(), r -> r)).filteredOn(line -> !line.startsWith("page of"))
                .hasSize(2_300 + 1 - 1 - 30);
    }

    /** Every page of a listing, token after token: key, size and ETag of each object, and each page's key count. */
    private static List<String> listAll(S3Client client, UnaryOperator<ListObjectsV2Request.Builder> listing) {
        List<String> out = new ArrayList<>();
        String token = null;
        do {
            ListObjectsV2Request.Builder request = listing.apply(ListObjectsV2Request.builder().bucket(BUCKET));
            if (token != null) {
                request.continuationToken(token).startAfter(null);
            }
            ListObjectsV2Response page = client.listObjectsV2(request.build());
            out.add("page of " + page.keyCount());
            for (S3Object o : page.contents()) {
                out.add(o.key() + " " + o.size() + " " + o.eTag());
            }
            token = Boolean.TRUE.equals(page.isTruncated()) ? page.nextContinuationToken() : null;
        } while (token != null);
        return out;
    }
}
