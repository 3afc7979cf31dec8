package io.blobrepair.repair;

import java.util.Locale;

/**
 * The counters of a repair cycle. Names follow the reference implementation where one exists
 * ({@code total_checked}, {@code pull_mine_needed}, …); the index ones say what they count.
 */
public enum RepairCounter {
    /** CIDs that are this node's business this cycle: its own, or any not placed elsewhere in a cleanup cycle (as the reference counts). */
    TOTAL_CHECKED,
    /** Present, valid and not a variant (mine, or any in a cleanup cycle), duplicates and known-present keys included, as the reference counts. */
    ALREADY_HAVE,
    /** A key seen earlier in the same cycle, skipped. */
    REPAIR_DEDUPED,
    /** Skipped because this node wrote the blob since the listing (outside cleanup). */
    REPAIR_KNOWN_PRESENT,
    /** Mine and absent: a pull is needed. */
    PULL_MINE_NEEDED,
    /** A pull attempt from one peer that failed (unreachable, 404, wrong bytes, …). */
    PULL_MINE_FAIL,
    /** A blob pulled, verified and stored. */
    PULL_MINE_SUCCESS,
    /** A pulled and verified blob that PutObject failed to store. */
    PULL_STORE_FAIL,
    /** Presence answered by the index: listed. */
    PRESENCE_INDEX_HIT,
    /** Presence answered by the index: not listed. */
    PRESENCE_INDEX_MISS,
    /** Keys in the presence index after the listing. */
    PRESENCE_INDEX_ENTRIES,
    /** Listings that failed; the cycle used per-key HeadObject instead. */
    PRESENCE_INDEX_BUILD_FAIL,
    /** Listings that failed part-way; what they listed was kept for the keys it covers. */
    PRESENCE_INDEX_PARTIAL,
    /** Keys checked with HeadObject because the listing did not cover them (not counted with repair.presence=head). */
    HEAD_FALLBACK_KEYS,
    /** placement_hosts entries that are not configured hosts: ignored, never contacted. */
    PLACEMENT_HOST_UNKNOWN,
    /** HeadObject calls that failed with something other than "absent": presence unknown, nothing done. */
    READ_ATTRS_FAIL,
    /** Malformed CIDs in the work lists (skipped). */
    INVALID_CID,
    /** Empty CID values in the work lists (skipped). */
    EMPTY_CID,
    /** Work rows with unreadable JSON columns (the readable CIDs of the row are still checked). */
    INVALID_WORK_ROW,
    /** Unexpected errors while repairing one CID (logged with the step, the cycle goes on). */
    REPAIR_CID_ERROR,
    /** CIDs skipped because they failed in repair.cid-failure.max-cycles cycles in a row (until one cleanup period passed). */
    REPAIR_CID_SKIPPED,
    /** Uploads whose placement_hosts do not include this node: not this node's business (no pull, no delete). */
    PLACED_ELSEWHERE,
    /** HeadObject before a pull confirmed the listing's "absent". */
    HEAD_CONFIRM_ABSENT,
    /** HeadObject before a pull found the blob after all (the node wrote it since the listing): not pulled. */
    HEAD_FOUND_PRESENT,
    /** Cleanup: a v1 blob whose content does not hash to its CID. */
    DELETE_INVALID_NEEDED,
    DELETE_INVALID_SUCCESS,
    DELETE_INVALID_FAIL,
    /** Cleanup: GetObject of a blob to validate it failed; the blob is kept. */
    READ_BLOB_FAIL,
    /** Cleanup: the blob's content stream broke while it was hashed; the blob is kept. */
    VALIDATE_READ_FAIL,
    /** Cleanup: derived image variants deleted, or whose deletion failed. */
    DELETE_RESIZED_IMAGE_OK,
    DELETE_RESIZED_IMAGE_FAILED,
    /** Cleanup: copies ranked beyond the over-replication threshold. */
    DELETE_OVER_REPLICATED_NEEDED,
    DELETE_OVER_REPLICATED_SUCCESS,
    DELETE_OVER_REPLICATED_FAIL,
    /** Cleanup: over-replicated, but fewer than R hosts ranked ahead confirmed holding it: kept. */
    OVER_REPLICATED_UNCONFIRMED,
    /** Cleanup: deletions stopped because the cycle reached repair.max-delete-fraction. */
    DELETE_BRAKE_ENGAGED,
    /** Cleanup: over-replicated copies kept because the ranked host list changed since the previous cycle. */
    HOSTS_CHANGED_NO_DELETE,
    /** Needed pulls of blobs no reachable peer holds (all presence filters absent, every attempt failed). */
    LOST_BLOB_RECORDED,
    /** Needed pulls skipped: the blob was found lost within the cleanup period. */
    PULL_LOST_SKIPPED,
    /** Pulls and deletions only logged because of repair.dry-run. */
    DRY_RUN_SKIPPED,
    /** The co-located node (repair.node-url) could not be read at the cycle's start: the last good view was used. */
    NODE_VIEW_STALE;

    private final String metricName = name().toLowerCase(Locale.ROOT);

    /** The name in reports, the tracker and metrics, e.g. {@code pull_mine_needed}. */
    public String metricName() {
        return metricName;
    }
}
