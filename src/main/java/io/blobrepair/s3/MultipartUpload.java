package io.blobrepair.s3;

import com.google.common.io.ByteStreams;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.http.ContentStreamProvider;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.AbortMultipartUploadRequest;
import software.amazon.awssdk.services.s3.model.CompletedMultipartUpload;
import software.amazon.awssdk.services.s3.model.CompletedPart;
import software.amazon.awssdk.services.s3.model.CreateMultipartUploadRequest;
import software.amazon.awssdk.services.s3.model.UploadPartRequest;

import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;

/**
 * PutObject of a staged file above {@code repair.s3.part-size}, as an S3 multipart upload. The
 * aws2-s3 producer's own multipart mode (Camel 4.18) reads parts from one shared stream (a
 * retried part cannot be re-read), so the registry's {@link S3Client} does it here, in one route
 * step. Each part is read from the file
 * at its offset, again on every retry; a failed upload is aborted, so no part is left billed.
 */
public class MultipartUpload {

    /** S3's bounds: parts of at least 5 MiB (but the last), at most 10,000 of them. */
    public static final long MIN_PART_SIZE = 5L << 20;
    static final int MAX_PARTS = 10_000;

    private final S3Client s3;
    private final long partSize;

    public MultipartUpload(S3Client s3, long partSize) {
        if (partSize < MIN_PART_SIZE) {
            throw new IllegalArgumentException("part size below S3's 5 MiB minimum: " + partSize);
        }
        this.s3 = s3;
        this.partSize = partSize;
    }

    /** Whether a blob of {@code size} bytes goes in parts (above the part size) rather than one PutObject. */
    public boolean needed(long size) {
        return size > partSize;
    }

    /** The part size for a blob of {@code size} bytes: the configured one, larger when it would need more than 10,000 parts. */
    static long partSizeFor(long size, long configured) {
        return Math.max(configured, (size + MAX_PARTS - 1) / MAX_PARTS);
    }

    /** Stores {@code file} under {@code key} in {@code bucket}, with {@code contentType}. */
    public void upload(String bucket, String key, String contentType, File file) {
        long size = file.length();
        long part = partSizeFor(size, partSize);
        String uploadId = s3.createMultipartUpload(CreateMultipartUploadRequest.builder()
                .bucket(bucket).key(key).contentType(contentType).build()).uploadId();
        try {
            List<CompletedPart> parts = new ArrayList<>();
            for (int number = 1; (long) (number - 1) * part < size; number++) {
                long offset = (number - 1) * part;
                long length = Math.min(part, size - offset);
                try (FileSlice slice = new FileSlice(file, offset, length)) {
                    String etag = s3.uploadPart(UploadPartRequest.builder().bucket(bucket).key(key).uploadId(uploadId)
                                    .partNumber(number).contentLength(length).build(),
                            RequestBody.fromContentProvider(slice, length, "application/octet-stream")).eTag();
                    parts.add(CompletedPart.builder().partNumber(number).eTag(etag).build());
                }
            }
            s3.completeMultipartUpload(b -> b.bucket(bucket).key(key).uploadId(uploadId)
                    .multipartUpload(CompletedMultipartUpload.builder().parts(parts).build()));
        } catch (RuntimeException e) {
            try {
                s3.abortMultipartUpload(AbortMultipartUploadRequest.builder().bucket(bucket).key(key).uploadId(uploadId).build());
            } catch (SdkException abortFailed) {
                e.addSuppressed(abortFailed);
            }
            throw e;
        }
    }

    /** Bytes {@code offset} to {@code offset + length} of a file, read afresh for each attempt of its part. */
    private static final class FileSlice implements ContentStreamProvider, AutoCloseable {
        private final File file;
        private final long offset;
        private final long length;
        private InputStream open;

        FileSlice(File file, long offset, long length) {
            this.file = file;
            this.offset = offset;
            this.length = length;
        }

        @Override
        public InputStream newStream() {
            try {
                close();
                FileChannel channel = FileChannel.open(file.toPath(), StandardOpenOption.READ).position(offset);
                open = ByteStreams.limit(Channels.newInputStream(channel), length);
                return open;
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }

        @Override
        public void close() {
            if (open != null) {
                try {
                    open.close();
                } catch (IOException ignored) {
                    // a read-only channel: nothing was lost
                }
                open = null;
            }
        }
    }
}
