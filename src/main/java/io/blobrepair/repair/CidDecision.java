package io.blobrepair.repair;

/**
 * One CID's facts and what to do about them, carried down the per-CID route as the exchange
 * property {@code cid}. The route's predicates only read it ({@code ${exchangeProperty.cid.pull}});
 * every step that learns something replaces it with a new decision.
 */
public record CidDecision(CidFacts facts, Action action, Reason reason) {

    /** The same facts, the action held back for {@code why} (dry run, delete brake, …). */
    public CidDecision heldBack(Reason why) {
        return new CidDecision(facts, Action.NONE, why);
    }

    public boolean isLookUpPresence() {
        return action == Action.LOOK_UP_PRESENCE;
    }

    public boolean isConfirmAbsence() {
        return action == Action.CONFIRM_ABSENCE;
    }

    public boolean isRelocate() {
        return action == Action.RELOCATE;
    }

    public boolean isVerifyCopy() {
        return action == Action.VERIFY_COPY;
    }

    public boolean isValidate() {
        return action == Action.VALIDATE;
    }

    public boolean isConfirmHolders() {
        return action == Action.CONFIRM_HOLDERS;
    }

    public boolean isDelete() {
        return action.isDelete();
    }

    public boolean isPull() {
        return action == Action.PULL;
    }

    /** Whether the per-CID route has anything to do (a request to S3 or a peer). */
    public boolean needsRoute() {
        return !action.isTerminal();
    }

    public String storageKey() {
        return facts.storageKey();
    }

    /** The bucket the action addresses: the routed one, or the other one for a deletion there. */
    public String bucket() {
        return action.deletesOtherCopy() ? facts.other().bucket() : facts.bucket();
    }

    @Override
    public String toString() {
        return facts.cid() + " " + action + (reason == Reason.RULES ? "" : " (" + reason + ")");
    }
}
