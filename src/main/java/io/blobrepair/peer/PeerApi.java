package io.blobrepair.peer;

import io.blobrepair.json.Json;
import com.fasterxml.jackson.core.JsonProcessingException;
import io.blobrepair.cid.Cid;
import io.blobrepair.cid.ContentHash;
import software.amazon.awssdk.core.ResponseInputStream;
import software.amazon.awssdk.services.s3.model.GetObjectResponse;
import software.amazon.awssdk.services.s3.model.HeadObjectResponse;

import java.io.IOException;
import java.io.InputStream;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/** The peer API's answers: which key a requested CID lives under, blob info and health. */
public class PeerApi {


    private final String selfHost;
    private final boolean storeAll;
    private final Optional<String> archiveBucket;

    /**
     * @param storeAll      this node stores every blob: peers may offer it as a store-all fallback
     * @param archiveBucket read when the primary bucket lacks a blob
     */
    public PeerApi(String selfHost, boolean storeAll, Optional<String> archiveBucket) {
        this.selfHost = selfHost;
        this.storeAll = storeAll;
        this.archiveBucket = archiveBucket;
    }

    public boolean hasArchiveBucket() {
        return archiveBucket.isPresent();
    }

    public String archiveBucket() {
        return archiveBucket.orElseThrow();
    }

    /** The type a blob is served with: the one it was stored with, {@code application/octet-stream} when none. */
    public String servedContentType(String storedType) {
        return storedType == null || storedType.isBlank() ? BlobContentType.OCTET_STREAM : storedType;
    }

    public String storageKey(String cid) {
        return Cid.parse(cid).orElseThrow(() -> new BadRequest("not a CID: " + BadRequest.quote(cid))).storageKey();
    }

    public Map<String, Object> info(String cid, HeadObjectResponse head) {
        return info(cid, head.contentLength(), head.lastModified(), head.contentType());
    }

    /**
     * Whether an info request asks for the content to be checked ({@code ?verify=content}, as a
     * holder check before an over-replication deletion does) and the CID can be: a legacy CID's
     * content has no hash to compare with, so it is answered from its attributes.
     */
    public boolean verifiesContent(String cid, String verify) {
        return "content".equals(verify) && Cid.parse(cid).flatMap(Cid::contentSha256).isPresent();
    }

    /**
     * The info of a held copy whose content hashes to its CID. A copy that does not is not vouched
     * for ({@link InvalidCopy}, 409): a node ranked behind must not delete its valid copy on the
     * word of a corrupt one that this node's own cleanup has not yet replaced.
     */
    public Map<String, Object> verifiedInfo(String cid, ResponseInputStream<GetObjectResponse> content) throws IOException {
        boolean valid;
        try (InputStream in = content) {
            valid = ContentHash.matches(Cid.parse(cid).orElseThrow(), in);
        }
        if (!valid) {
            throw new InvalidCopy(cid);
        }
        GetObjectResponse object = content.response();
        return info(cid, object.contentLength(), object.lastModified(), object.contentType());
    }

    private static Map<String, Object> info(String cid, Long size, Instant lastModified, String contentType) {
        Map<String, Object> info = new LinkedHashMap<>();
        info.put("cid", cid);
        info.put("size", size);
        info.put("last_modified", lastModified == null ? null : lastModified.toString());
        info.put("content_type", contentType);
        return info;
    }

    /** This node's copy does not hash to its CID. */
    public static final class InvalidCopy extends RuntimeException {
        InvalidCopy(String cid) {
            super("the copy held of " + cid + " does not match the CID");
        }
    }

    /** A 400 body: the reason as JSON, escaped by Jackson. */
    public String error(String message) throws JsonProcessingException {
        return Json.MAPPER.writeValueAsString(Map.of("error", message));
    }

    public Map<String, Object> health() {
        return Map.of("healthy", true, "host", selfHost, "service", "blob-repair", "storeAll", storeAll);
    }
}
