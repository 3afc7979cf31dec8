package io.blobrepair.repair;

import java.util.Locale;

/**
 * The counters of a repair cycle. Names follow the reference implementation where one exists
 * ({@code total_checked}, {@code pull_mine_needed}, …) and keep its meaning; the others say what
 * they count. Each carries the one line that is its metric's HELP text.
 */
public enum RepairCounter {
    TOTAL_CHECKED("CIDs that are this node's business this cycle: its own, or any not placed elsewhere in a cleanup cycle"),
    ALREADY_HAVE("Present, valid, non-variant blobs (this node's, or any in a cleanup cycle), duplicates and known-present keys included"),
    REPAIR_DEDUPED("Keys seen earlier in the same cycle, skipped"),
    REPAIR_KNOWN_PRESENT("Keys skipped because this node wrote the blob since the listing"),
    PULL_MINE_NEEDED("Blobs this node should hold and misses (absence confirmed): a pull is needed"),
    PULL_MINE_FAIL("Pull attempts from one peer that failed (unreachable, absent, wrong bytes)"),
    PULL_MINE_SUCCESS("Blobs pulled, verified and stored"),
    PULL_STORE_FAIL("Pulled and verified blobs that PutObject failed to store"),
    PULL_STAGING_FULL("Needed pulls deferred to a later cycle: staging the blob would cross repair.pull.staging-reserve"),
    PULL_MINE_GAVE_UP("Needed pulls that no host of the pull plan served"),
    PULL_ESCALATED_FULL_NETWORK("Pulls that asked the whole ranking: the exhaustive attempt of a CID that failed repair.data-loss.escalate-after cycles"),
    PULL_STORE_ALL_FALLBACK_OFFERED("Pulls that offered healthy store-all peers after the ranked hosts"),
    PRESENCE_INDEX_HIT("Presence answered by the index: listed"),
    PRESENCE_INDEX_MISS("Presence answered by the index: not listed"),
    PRESENCE_INDEX_ENTRIES("Keys in the presence index after the listing"),
    PRESENCE_INDEX_BUILD_FAIL("Listings that failed; the cycle used per-key HeadObject instead"),
    PRESENCE_INDEX_PARTIAL("Listings that failed part-way; what they listed was kept for the keys it covers"),
    PRESENCE_FROM_STORE("Cycles whose presence the presence store answered, without a listing (repair.presence.source=store)"),
    PRESENCE_STORE_NOT_READY("Normal cycles with repair.presence.source=store that listed: the store was not ready (no complete last listing, a missed update, or its liveness sample found over 25% missing)"),
    PRESENCE_STORE_HIT("Presence answered by the presence store: stored"),
    PRESENCE_STORE_MISS("Presence answered by the presence store: not stored (absence confirmed with HeadObject before a pull)"),
    PRESENCE_STORE_FAIL("Presence store failures in a cycle: a batch it could not read (checked with HeadObject), a listing it could not take"),
    HEAD_FALLBACK_KEYS("Keys checked with HeadObject because the listing did not cover them"),
    HEAD_CONFIRM_ABSENT("HeadObject before a pull confirmed the listing's absent"),
    HEAD_FOUND_PRESENT("HeadObject before a pull found the blob after all (written since the listing): not pulled"),
    PLACEMENT_HOST_UNKNOWN("placement_hosts entries that are not hosts of the network (ignored, never contacted)"),
    PLACED_ELSEWHERE("Uploads whose placement_hosts do not name this node: not its business (no pull, no delete)"),
    READ_ATTRS_FAIL("HeadObject calls that failed other than absent: presence unknown, nothing done"),
    INVALID_CID("Malformed CIDs in the work lists (skipped)"),
    EMPTY_CID("Empty CID values in the work lists (skipped)"),
    INVALID_WORK_ROW("Work rows with unreadable JSON columns"),
    REPAIR_CID_ERROR("Unexpected errors while repairing one CID (logged with the step, the cycle goes on)"),
    REPAIR_CID_SKIPPED("CIDs skipped because their repair failed in repair.cid-failure.max-cycles cycles in a row"),
    NODE_VIEW_STALE("Cycles that kept the last good view of the network because the node could not be read"),
    DELETE_INVALID_NEEDED("Cleanup: v1 blobs whose content does not hash to their CID"),
    DELETE_INVALID_SUCCESS("Cleanup: invalid blobs deleted"),
    DELETE_INVALID_FAIL("Cleanup: deletions of invalid blobs that failed"),
    READ_BLOB_FAIL("Cleanup: blobs whose GetObject failed when read to validate them (kept)"),
    VALIDATE_READ_FAIL("Cleanup: blobs whose content stream broke while they were hashed (kept)"),
    DELETE_RESIZED_IMAGE_OK("Cleanup: derived image variants deleted"),
    DELETE_RESIZED_IMAGE_FAILED("Cleanup: deletions of derived image variants that failed"),
    DELETE_OVER_REPLICATED_NEEDED("Cleanup: copies ranked beyond the over-replication threshold"),
    DELETE_OVER_REPLICATED_SUCCESS("Cleanup: over-replicated copies deleted"),
    DELETE_OVER_REPLICATED_FAIL("Cleanup: deletions of over-replicated copies that failed"),
    OVER_REPLICATED_UNCONFIRMED("Cleanup: over-replicated copies kept because fewer than R hosts ahead confirmed holding them"),
    HOSTS_CHANGED_NO_DELETE("Cleanup: over-replicated copies kept because the ranked host list changed since the previous cycle"),
    // not "in_other_bucket": Prometheus names ending in _bucket are histogram buckets, and Micrometer trims the suffix
    OTHER_BUCKET_ONLY("Blobs of this node's absent from their routed bucket but in its other one (primary or archive): not pulled, relocated by a cleanup cycle"),
    RELOCATED_BETWEEN_BUCKETS("Cleanup: blobs copied to their routed bucket, checked there and deleted from the other one"),
    RELOCATE_BETWEEN_BUCKETS_FAIL("Cleanup: relocations that failed (copy, its check or the source's deletion); the source stays"),
    ARCHIVE_PRIMARY_DUPLICATE_NEEDED("Cleanup: archive-routed blobs also in the primary bucket, the archive copy checked"),
    ARCHIVE_PRIMARY_DUPLICATE_DELETED("Cleanup: primary copies of archive-routed blobs deleted (the reference's archive_primary_duplicate_dropped)"),
    ARCHIVE_PRIMARY_DUPLICATE_FAIL("Cleanup: deletions of primary copies of archive-routed blobs that failed"),
    DELETE_BRAKE_ENGAGED("Cleanup cycles that stopped deleting at repair.max-delete-fraction"),
    DATA_LOSS_EVIDENCE_RECORDED("Failed cycles counted as data-loss evidence: no host served the CID"),
    DATA_LOSS_EVIDENCE_DISCARDED("Failed pulls not counted as evidence: the cycle saw fewer than repair.data-loss.min-healthy-peers healthy peers"),
    DATA_LOSS_AWAITING_FULL_SWEEP("CIDs with enough failed cycles and time whose last attempt was bounded: not declared before an exhaustive one"),
    DATA_LOSS_DECLARED("CIDs declared lost: no host served them in enough cycles over enough time, the last attempt exhaustive"),
    DATA_LOSS_RECHECK_FAILED("Declared losses whose recheck failed: the recheck moves, no new loss"),
    DATA_LOSS_RECOVERED("Declared losses pulled after all"),
    PULL_LOST_SKIPPED("Needed pulls skipped: the blob is declared lost and its recheck is not due"),
    DRY_RUN_SKIPPED("Pulls and deletions only logged because of repair.dry-run"),
    EVENT_SEND_FAIL("Events the configured repair.events.uri endpoint failed to take (the repair goes on)");

    private final String metricName = name().toLowerCase(Locale.ROOT);
    private final String description;

    RepairCounter(String description) {
        this.description = description;
    }

    /** The name in reports, the tracker and metrics, e.g. {@code pull_mine_needed}. */
    public String metricName() {
        return metricName;
    }

    /** One line saying what is counted: the metric's HELP text. */
    public String description() {
        return description;
    }
}
