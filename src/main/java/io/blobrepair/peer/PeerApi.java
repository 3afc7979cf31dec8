package io.blobrepair.peer;

import io.blobrepair.json.Json;
import com.fasterxml.jackson.core.JsonProcessingException;
import io.blobrepair.cid.Cid;
import software.amazon.awssdk.services.s3.model.HeadObjectResponse;

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
        Map<String, Object> info = new LinkedHashMap<>();
        info.put("cid", cid);
        info.put("size", head.contentLength());
        info.put("last_modified", head.lastModified() == null ? null : head.lastModified().toString());
        info.put("content_type", head.contentType());
        return info;
    }

    /** A 400 body: the reason as JSON, escaped by Jackson. */
    public String error(String message) throws JsonProcessingException {
        return Json.MAPPER.writeValueAsString(Map.of("error", message));
    }

    public Map<String, Object> health() {
        return Map.of("healthy", true, "host", selfHost, "service", "blob-repair", "storeAll", storeAll);
    }
}
