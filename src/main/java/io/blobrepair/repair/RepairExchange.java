package io.blobrepair.repair;

/** Names of the exchange properties the cycle's routes carry. */
public final class RepairExchange {

    /** The {@link CycleState} of the running cycle. */
    public static final String CYCLE = "repairCycle";
    /** The cycle's {@code PresenceIndex}. */
    public static final String INDEX = "presenceIndex";
    /** The {@link CidDecision} of the CID going down the per-CID route. */
    public static final String CID = "cid";
    /** The {@code PeerClient.Result} of the CID's pull. */
    public static final String PULL = "pullAttempt";
    /** The {@code PullPlan} of the CID's pull: the hosts it asks, in order. */
    public static final String PULL_PLAN = "pullPlan";

    private RepairExchange() {
    }
}
