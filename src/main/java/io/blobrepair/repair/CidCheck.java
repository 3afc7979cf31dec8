package io.blobrepair.repair;

import io.blobrepair.cid.Cid;
import io.blobrepair.index.ObjectFacts;
import io.blobrepair.placement.Placement;

/**
 * What the cycle learns about one CID as it goes down the per-CID route; carried by the
 * exchange property {@code cidCheck}.
 */
public final class CidCheck {

    private final Cid cid;
    private final String storageKey;
    private final Placement placement;
    private RepairDecision.Triage triage;
    private Presence presence;
    private boolean trustedPresence;
    private ObjectFacts facts;
    private RepairDecision.Action action;
    private boolean validated;

    public CidCheck(Cid cid, Placement placement) {
        this.cid = cid;
        this.storageKey = cid.storageKey();
        this.placement = placement;
    }

    public Cid getCid() {
        return cid;
    }

    public String getStorageKey() {
        return storageKey;
    }

    public Placement getPlacement() {
        return placement;
    }

    public RepairDecision.Triage getTriage() {
        return triage;
    }

    void setTriage(RepairDecision.Triage triage) {
        this.triage = triage;
    }

    public Presence getPresence() {
        return presence;
    }

    public ObjectFacts getFacts() {
        return facts;
    }

    /**
     * @param trusted whether this presence (and its age) may ground an over-replication
     *                deletion: a covering listing or HeadObject as the configured source, never
     *                the known-present cache or a HeadObject fallback for an uncovered key
     */
    void setPresence(Presence presence, ObjectFacts facts, boolean trusted) {
        this.presence = presence;
        this.facts = facts;
        this.trustedPresence = trusted && facts != null;
    }

    public boolean isTrustedPresence() {
        return trustedPresence;
    }

    public RepairDecision.Action getAction() {
        return action;
    }

    /** Whether presence must be looked up at all (not a duplicate, not skipped as not mine or known present). */
    public boolean isPresenceNeeded() {
        return triage == RepairDecision.Triage.CHECK_PRESENCE;
    }

    /** The action's name, for the route's choice (a plain string compare per CID, no type conversion). */
    public String getActionName() {
        return action == null ? "" : action.name();
    }

    void setAction(RepairDecision.Action action) {
        this.action = action;
    }

    public boolean isValidated() {
        return validated;
    }

    void markValidated() {
        this.validated = true;
    }

    @Override
    public String toString() {
        return cid.value();
    }
}
