package io.blobrepair.s3;

import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;
import software.amazon.awssdk.auth.credentials.DefaultCredentialsProvider;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.awscore.retry.AwsRetryStrategy;
import software.amazon.awssdk.core.checksums.RequestChecksumCalculation;
import software.amazon.awssdk.core.checksums.ResponseChecksumValidation;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.S3Configuration;

import java.net.URI;

/** Builds the one {@link S3Client} the service uses: counted, retried, optionally rate-limited. */
public final class S3Clients {

    private S3Clients() {
    }

    /**
     * @param maxAttempts        attempts per request: 500/503 (SlowDown), throttling, connection
     *                           resets and timeouts are retried with exponential backoff and jitter
     * @param maxRequestsPerSecond 0 for no limit
     */
    public static S3Client create(S3Settings s3, S3RequestCounter counter, int maxAttempts, double maxRequestsPerSecond) {
        AwsCredentialsProvider credentials = s3.accessKey().isEmpty()
                ? DefaultCredentialsProvider.builder().build()
                : StaticCredentialsProvider.create(AwsBasicCredentials.create(s3.accessKey(), s3.secretKey()));
        var builder = S3Client.builder()
                .region(Region.of(s3.region()))
                .credentialsProvider(credentials)
                // S3-compatible servers reject the SDK's default flexible checksums
                .requestChecksumCalculation(RequestChecksumCalculation.WHEN_REQUIRED)
                .responseChecksumValidation(ResponseChecksumValidation.WHEN_REQUIRED)
                .serviceConfiguration(S3Configuration.builder().pathStyleAccessEnabled(s3.pathStyle()).build())
                .overrideConfiguration(o -> {
                    if (maxRequestsPerSecond > 0) {
                        o.addExecutionInterceptor(new RequestRateLimiter(maxRequestsPerSecond));
                    }
                    o.addExecutionInterceptor(counter);
                    o.retryStrategy(AwsRetryStrategy.standardRetryStrategy().toBuilder().maxAttempts(maxAttempts).build());
                });
        if (!s3.endpoint().isEmpty()) {
            builder.endpointOverride(URI.create(s3.endpoint()));
        }
        return builder.build();
    }
}
