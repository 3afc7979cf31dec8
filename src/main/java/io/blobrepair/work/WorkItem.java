package io.blobrepair.work;

import java.time.Instant;
import java.util.List;

/**
 * One CID to check, as a work list row contributed it.
 *
 * @param cid            the raw value from the table (not yet validated)
 * @param placementHosts the upload's pinned hosts, empty when none
 * @param createdAt      when the upload was created (store-recent retention); null when the row has
 *                       no such column or value (previews, qm_cids)
 */
public record WorkItem(String cid, List<String> placementHosts, Instant createdAt) {

    public WorkItem(String cid, List<String> placementHosts) {
        this(cid, placementHosts, null);
    }

    public static WorkItem of(String cid) {
        return new WorkItem(cid, List.of());
    }
}
