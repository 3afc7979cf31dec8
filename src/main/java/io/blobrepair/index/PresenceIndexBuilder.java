package io.blobrepair.index;

import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.ListObjectsV2Request;
import software.amazon.awssdk.services.s3.model.ListObjectsV2Response;
import software.amazon.awssdk.services.s3.model.S3Object;

import java.time.Clock;
import java.util.HashMap;
import java.util.Map;
import java.util.function.LongConsumer;

/**
 * Lists the whole bucket, page by page (ListObjectsV2, 1000 keys a page), into a
 * {@link PresenceIndex}. Camel's {@code listObjects} operation returns one page and drops the
 * continuation token, so this uses the registry's {@link S3Client} directly. Any failing page
 * fails the whole build: a partial listing must never pass for a complete one.
 */
public class PresenceIndexBuilder {

    static final int PAGE_SIZE = 1000;

    private final S3Client s3;
    private final String bucket;
    private final Clock clock;
    private volatile int expectedEntries = 1024;

    public PresenceIndexBuilder(S3Client s3, String bucket, Clock clock) {
        this.s3 = s3;
        this.bucket = bucket;
        this.clock = clock;
    }

    /** The size of the last index built: the expected size of the next one. */
    public int expectedEntries() {
        return expectedEntries;
    }

    /** Lists the bucket; {@code onKeysListed} hears each page's key count (for progress). */
    public PresenceIndex build(LongConsumer onKeysListed) {
        var started = clock.instant();
        Map<String, ObjectFacts> entries = new HashMap<>(expectedEntries * 4 / 3 + 16);
        ListObjectsV2Request.Builder request = ListObjectsV2Request.builder().bucket(bucket).maxKeys(PAGE_SIZE);
        String token = null;
        do {
            ListObjectsV2Response page = s3.listObjectsV2(request.continuationToken(token).build());
            for (S3Object object : page.contents()) {
                long modified = object.lastModified() == null ? 0 : object.lastModified().toEpochMilli();
                entries.put(object.key(), new ObjectFacts(object.size() == null ? 0 : object.size(), modified));
            }
            onKeysListed.accept(page.contents().size());
            token = Boolean.TRUE.equals(page.isTruncated()) ? page.nextContinuationToken() : null;
        } while (token != null);
        expectedEntries = Math.max(1024, entries.size());
        return PresenceIndex.of(entries, started);
    }
}
