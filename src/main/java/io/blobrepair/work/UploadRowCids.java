package io.blobrepair.work;

import io.blobrepair.json.Json;
import com.fasterxml.jackson.databind.JsonNode;
import io.blobrepair.placement.Hosts;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * The CIDs one {@code uploads} row contributes: its original file, with the upload's placement
 * hosts (normalised as the reference compares hosts, {@link Hosts}), and, for audio uploads only,
 * every transcode result; each with the upload's creation time.
 */
public final class UploadRowCids {


    /** The row's CIDs, and whether one of its JSON columns could not be read. */
    public record Result(List<WorkItem> items, boolean malformedJson) {
    }

    private UploadRowCids() {
    }

    /** @param createdAt the upload's {@code created_at}, null when unknown */
    public static Result of(String template, String origFileCid, String placementHostsJson, String transcodeResultsJson,
                            Instant createdAt) {
        boolean malformed = false;
        List<String> placementHosts = new ArrayList<>();
        JsonNode hosts = readJson(placementHostsJson);
        if (hosts == null) {
            malformed = true;
        } else if (hosts.isArray()) {
            for (JsonNode host : hosts) {
                if (host.isTextual() && !host.asText().isBlank()) {
                    placementHosts.add(Hosts.normalise(host.asText()));
                }
            }
        } else if (!hosts.isNull() && !hosts.isMissingNode()) {
            malformed = true;
        }

        List<WorkItem> items = new ArrayList<>();
        items.add(new WorkItem(origFileCid, List.copyOf(placementHosts), createdAt));
        if ("audio".equals(template)) {
            JsonNode results = readJson(transcodeResultsJson);
            if (results == null || !(results.isObject() || results.isNull() || results.isMissingNode())) {
                malformed = true;
            } else {
                results.fields().forEachRemaining(e -> {
                    if (e.getValue().isTextual()) {
                        items.add(new WorkItem(e.getValue().asText(), List.copyOf(placementHosts), createdAt));
                    }
                });
            }
        }
        return new Result(items, malformed);
    }

    /** Parsed JSON; a missing node for SQL NULL or an empty string; null when unreadable. */
    private static JsonNode readJson(String text) {
        if (text == null || text.isBlank()) {
            return Json.MAPPER.missingNode();
        }
        try {
            return Json.MAPPER.readTree(text);
        } catch (Exception e) {
            return null;
        }
    }
}
