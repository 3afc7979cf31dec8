package io.blobrepair.index;

import io.blobrepair.ops.RepairSettings;
import io.blobrepair.s3.S3Clients;
import io.blobrepair.s3.S3Settings;
import io.blobrepair.s3.S3RequestCounter;
import io.blobrepair.testing.Blob;
import io.blobrepair.testing.TestS3;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.s3.S3Client;

import java.time.Clock;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The listing against a real S3 server, with pages small enough that every partition pages. */
class PresenceIndexBuilderTest {

    private static TestS3 s3;
    private static S3Client client;
    private static S3RequestCounter requests;
    private static final List<String> keys = new ArrayList<>();

    @BeforeAll
    static void start() throws Exception {
        s3 = TestS3.start();
        s3.createBucket("builder");
        for (int i = 0; i < 600; i++) {
            Blob b = Blob.of("builder " + i);
            s3.put("builder", b.key(), b.content());
            keys.add(b.key());
        }
        // legacy keys share the "Q" partition; a stray key belongs to no partition
        s3.put("builder", "QmP8Wuu1kN9iHBoBptB4UrTN3orna3Z6ZW2xevNkoE2y22/150x150.jpg", new byte[1]);
        s3.put("builder", "_stray", new byte[1]);
        requests = new S3RequestCounter();
        client = S3Clients.create(new S3Settings(s3.endpoint(), "us-east-1", "builder", TestS3.ACCESS_KEY,
                s3.secretKey(), true), requests, 1, 0);
    }

    @AfterAll
    static void stop() throws Exception {
        client.close();
        s3.close();
    }

    /** One listing through the service's presence-index route. */
    private static PresenceIndex list(PresenceIndexBuilder builder, int parallelism) throws Exception {
        try (ListingRoute route = ListingRoute.start(builder, parallelism)) {
            return route.build();
        }
    }

    @Test
    void parallelPartitionsListEveryKeyWithinTheRequestBound() throws Exception {
        long before = requests.count("ListObjects");
        PresenceIndex index = list(new PresenceIndexBuilder(client, "builder", Clock.systemUTC(), 8, 7), 8);

        // every storage key; a key no CID can have is outside every partition, neither listed nor vouched for
        assertThat(index.entries()).isEqualTo(601);
        for (String key : keys) {
            assertThat(index.lookup(key)).as(key).isNotNull();
            assertThat(index.covers(key)).isTrue();
        }
        assertThat(index.lookup("QmP8Wuu1kN9iHBoBptB4UrTN3orna3Z6ZW2xevNkoE2y22/150x150.jpg")).isNotNull();
        assertThat(index.covers("_stray")).isFalse();
        long listed = requests.count("ListObjects") - before;
        assertThat(listed).isLessThanOrEqualTo((601 + 6) / 7 + KeyPartitions.forParallelism(8).size());
    }

    @Test
    void sequentialListingCostsOneRequestPerPage() throws Exception {
        long before = requests.count("ListObjects");
        PresenceIndex index = list(new PresenceIndexBuilder(client, "builder", Clock.systemUTC(), 1, 7), 1);
        assertThat(index.entries()).isEqualTo(602);
        assertThat(requests.count("ListObjects") - before).isEqualTo((602 + 6) / 7);
        assertThat(index.covers("_stray")).isTrue(); // one sequential listing covers every key
    }

    @Test
    void aFailingPartitionCoversExactlyWhatItListed() {
        s3.store().failListCall(30);
        try {
            assertThatThrownBy(() -> list(new PresenceIndexBuilder(client, "builder", Clock.systemUTC(), 1, 7), 1))
                    .isInstanceOfSatisfying(ListingFailedException.class, e -> {
                        PresenceIndex partial = e.partial();
                        assertThat(partial.entries()).isEqualTo(29 * 7);
                        List<String> sorted = new ArrayList<>(keys);
                        sorted.add("QmP8Wuu1kN9iHBoBptB4UrTN3orna3Z6ZW2xevNkoE2y22/150x150.jpg");
                        sorted.add("_stray");
                        sorted.sort(null);
                        String last = sorted.get(29 * 7 - 1);
                        for (String key : sorted) {
                            assertThat(partial.covers(key)).as(key).isEqualTo(key.compareTo(last) <= 0);
                        }
                    });
        } finally {
            s3.store().failListCall(0);
        }
    }
}
