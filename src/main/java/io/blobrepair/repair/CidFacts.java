package io.blobrepair.repair;

import io.blobrepair.cid.Cid;
import io.blobrepair.index.ObjectFacts;
import io.blobrepair.placement.Placement;

/**
 * Everything the cycle knows about one CID at one point of its way down the per-CID route.
 * Immutable: each step that learns something makes new facts, and {@link RepairRules} a new
 * decision from them.
 *
 * @param bucket    the bucket the blob belongs in (the archive bucket for archive-routed CIDs)
 * @param presence  whether {@code bucket} holds it
 * @param object    the listed or HeadObject facts (size, last modified) when present and known
 * @param other     the copy this cycle's listing found in the node's other bucket, null when none
 */
public record CidFacts(Cid cid, String storageKey, String bucket, boolean archived, Placement placement,
                       CycleFacts cycle, Presence presence, Presence.Source source, ObjectFacts object,
                       Content content, Holders holders, OtherCopy other) {

    /** What reading the blob showed (cleanup cycles, v1 CIDs only). */
    public enum Content { UNCHECKED, VALID, INVALID, UNREADABLE }

    /** What the hosts ranked ahead answered when asked whether they hold the blob. */
    public enum Holders { NOT_ASKED, CONFIRMED, UNCONFIRMED }

    /**
     * A copy in the node's other bucket (primary or archive, whichever the blob is not routed to),
     * as this cycle's listing found it.
     *
     * @param copied whether this cycle copied it into the routed bucket (a relocation under way)
     */
    public record OtherCopy(String bucket, ObjectFacts listed, boolean copied) {
    }

    /** A CID whose presence is not known yet. */
    public static CidFacts of(Cid cid, String bucket, boolean archived, Placement placement, CycleFacts cycle) {
        return new CidFacts(cid, cid.storageKey(), bucket, archived, placement, cycle, Presence.UNCHECKED,
                Presence.Source.NONE, null, Content.UNCHECKED, Holders.NOT_ASKED, null);
    }

    public CidFacts present(Presence.Source from, ObjectFacts facts) {
        return new CidFacts(cid, storageKey, bucket, archived, placement, cycle, Presence.PRESENT, from, facts, content, holders, other);
    }

    public CidFacts absent(Presence.Source from) {
        return new CidFacts(cid, storageKey, bucket, archived, placement, cycle, Presence.ABSENT, from, null, content, holders, other);
    }

    public CidFacts presenceUnknown() {
        return new CidFacts(cid, storageKey, bucket, archived, placement, cycle, Presence.UNKNOWN, Presence.Source.HEAD_OBJECT,
                null, content, holders, other);
    }

    public CidFacts content(Content read) {
        return new CidFacts(cid, storageKey, bucket, archived, placement, cycle, presence, source, object, read, holders, other);
    }

    public CidFacts holders(Holders answered) {
        return new CidFacts(cid, storageKey, bucket, archived, placement, cycle, presence, source, object, content, answered, other);
    }

    /** The listing found a copy in the other bucket too. */
    public CidFacts inOtherBucket(String otherBucket, ObjectFacts listed) {
        return new CidFacts(cid, storageKey, bucket, archived, placement, cycle, presence, source, object, content, holders,
                new OtherCopy(otherBucket, listed, false));
    }

    /**
     * The other bucket's copy was copied into the routed bucket: present there (as written by
     * this node, so never grounds for an over-replication deletion), its content not yet checked.
     */
    public CidFacts copiedFromOtherBucket() {
        return new CidFacts(cid, storageKey, bucket, archived, placement, cycle, Presence.PRESENT, Presence.Source.WRITTEN,
                other.listed(), Content.UNCHECKED, holders, new OtherCopy(other.bucket(), other.listed(), true));
    }

    /** The other bucket's copy was deleted. */
    public CidFacts otherCopyDeleted() {
        return new CidFacts(cid, storageKey, bucket, archived, placement, cycle, presence, source, object, content, holders, null);
    }

    /** Derived image variants, e.g. {@code Qm…/150x150.jpg}; the original is never one. */
    public boolean variant() {
        return isDerivedVariant(cid.value());
    }

    public static boolean isDerivedVariant(String cid) {
        return cid.endsWith(".jpg") && !cid.endsWith("original.jpg");
    }

    /** Whether the content can be checked against the CID (v1 CIDs; a legacy CID's hash is not its content's). */
    public boolean hashCheckable() {
        return cid.kind() == Cid.Kind.V1;
    }

    /**
     * Whether this presence (and its age) may ground an over-replication deletion: this cycle's
     * listing, or HeadObject when it is the configured source; never the written-since cache.
     */
    public boolean trustedPresence() {
        return object != null && (source == Presence.Source.LISTING
                || (source == Presence.Source.HEAD_OBJECT && cycle.headIsTrusted()));
    }

    /** Time since the blob was last modified, measured from the cycle's start; null when unknown. */
    public Long ageMillis() {
        return object == null || object.lastModifiedMillis() <= 0 ? null : cycle.startedAtMillis() - object.lastModifiedMillis();
    }

    @Override
    public String toString() {
        return cid.value();
    }
}
