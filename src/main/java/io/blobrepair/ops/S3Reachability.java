package io.blobrepair.ops;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.S3Exception;

import java.time.Clock;
import java.time.Instant;
import java.util.Optional;
import java.util.Set;

/**
 * Whether the node's S3 answers. Checked once at startup: a bucket that does not exist or
 * credentials S3 refuses stop startup (configuration errors), while an S3 that does not answer
 * leaves the service up and unhealthy. While S3 is not known to answer, every cycle asks again
 * before any work (one ListObjects of one key) and aborts as {@code S3_UNREACHABLE} until it does;
 * once it has answered, cycles cost no extra request.
 */
public class S3Reachability {

    /** What the service does not know yet, or the last reason S3 did not answer. */
    private static final String NOT_CHECKED = "not checked yet";
    private static final Set<String> REFUSED_CREDENTIALS = Set.of("InvalidAccessKeyId", "SignatureDoesNotMatch",
            "InvalidToken", "ExpiredToken", "InvalidClientTokenId", "AuthorizationHeaderMalformed");
    private static final Logger LOG = LoggerFactory.getLogger(S3Reachability.class);

    private final S3Client s3;
    private final String bucket;
    private final String endpoint;
    private final Clock clock;
    private volatile String problem = NOT_CHECKED;
    private volatile Instant checkedAt;

    public S3Reachability(S3Client s3, String bucket, String endpoint, Clock clock) {
        this.s3 = s3;
        this.bucket = bucket;
        this.endpoint = endpoint.isEmpty() ? "AWS S3" : endpoint;
        this.clock = clock;
    }

    /** The startup check: throws for a missing bucket or refused credentials, logs an unreachable S3. */
    public void checkAtStartup() {
        Outcome outcome = probe();
        switch (outcome.kind) {
            case NO_SUCH_BUCKET -> throw new InvalidSettingException("repair.s3.bucket",
                    "bucket '" + bucket + "' does not exist at " + endpoint);
            case CREDENTIALS_REFUSED -> throw new InvalidSettingException("repair.s3.access-key",
                    "S3 at " + endpoint + " refused the credentials (" + outcome.detail + ")");
            case UNREACHABLE -> LOG.warn("S3 at {} does not answer ({}): the service stays up, cycles abort as S3_UNREACHABLE until it does",
                    endpoint, outcome.detail);
            default -> { }
        }
    }

    /** The cycle's guard: true when S3 is not known to answer and does not answer now. */
    public boolean unreachable() {
        if (problem == null) {
            return false;
        }
        Outcome outcome = probe();
        if (outcome.kind == Kind.ANSWERS) {
            LOG.info("S3 at {} answers again", endpoint);
            return false;
        }
        LOG.warn("S3 at {} does not answer: {}", endpoint, problem);
        return true;
    }

    /** Why S3 is not known to answer, or empty when it answered. */
    public Optional<String> problem() {
        return Optional.ofNullable(problem);
    }

    public Optional<Instant> checkedAt() {
        return Optional.ofNullable(checkedAt);
    }

    public String endpoint() {
        return endpoint;
    }

    public String bucket() {
        return bucket;
    }

    private Outcome probe() {
        Outcome outcome = classify();
        checkedAt = clock.instant();
        problem = outcome.kind == Kind.ANSWERS ? null : outcome.kind.label + ": " + outcome.detail;
        return outcome;
    }

    private Outcome classify() {
        try {
            s3.listObjectsV2(b -> b.bucket(bucket).maxKeys(1));
            return new Outcome(Kind.ANSWERS, "");
        } catch (S3Exception e) {
            String code = e.awsErrorDetails() == null ? null : e.awsErrorDetails().errorCode();
            if ("NoSuchBucket".equals(code) || (code == null && e.statusCode() == 404)) {
                return new Outcome(Kind.NO_SUCH_BUCKET, "NoSuchBucket");
            }
            if (code != null && REFUSED_CREDENTIALS.contains(code)) {
                return new Outcome(Kind.CREDENTIALS_REFUSED, code);
            }
            if ("AccessDenied".equals(code)) {
                // credentials without s3:ListBucket (repair.presence=head): S3 answered all the same
                return new Outcome(Kind.ANSWERS, "");
            }
            return new Outcome(Kind.UNREACHABLE, "HTTP " + e.statusCode() + (code == null ? "" : " " + code));
        } catch (SdkException e) {
            return new Outcome(Kind.UNREACHABLE, firstPart(e.getMessage()));
        }
    }

    /** The SDK's messages can list a whole credentials chain: its first sentence is enough. */
    private static String firstPart(String message) {
        if (message == null) {
            return "no message";
        }
        int chain = message.indexOf(" : [");
        String part = chain > 0 ? message.substring(0, chain) : message;
        return part.length() <= 300 ? part : part.substring(0, 300) + "…";
    }

    private enum Kind {
        ANSWERS("answers"), NO_SUCH_BUCKET("no such bucket"), CREDENTIALS_REFUSED("credentials refused"), UNREACHABLE("unreachable");

        final String label;

        Kind(String label) {
            this.label = label;
        }
    }

    private record Outcome(Kind kind, String detail) {
    }
}
