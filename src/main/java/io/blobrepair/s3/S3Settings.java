package io.blobrepair.s3;

/**
 * Where the node's bucket is and how to reach it ({@code repair.s3.*}).
 *
 * @param endpoint empty for AWS S3 in {@code region}
 * @param accessKey empty for the AWS default credentials chain
 */
public record S3Settings(String endpoint, String region, String bucket, String accessKey, String secretKey,
                         boolean pathStyle) {

    @Override
    public String toString() {
        // never print credentials, not even by accident in a debug line
        return "S3[endpoint=" + endpoint + ", region=" + region + ", bucket=" + bucket + ", pathStyle=" + pathStyle + "]";
    }
}
