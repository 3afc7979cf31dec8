package io.blobrepair.work;

import java.util.List;

/**
 * One CID to check, as a work list row contributed it.
 *
 * @param cid            the raw value from the table (not yet validated)
 * @param placementHosts the upload's pinned hosts, empty when none
 */
public record WorkItem(String cid, List<String> placementHosts) {

    public static WorkItem of(String cid) {
        return new WorkItem(cid, List.of());
    }
}
