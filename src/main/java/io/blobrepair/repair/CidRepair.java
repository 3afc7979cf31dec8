package io.blobrepair.repair;

import io.blobrepair.cid.Cid;
import io.blobrepair.index.ObjectFacts;
import io.blobrepair.index.PresenceIndex;
import io.blobrepair.peer.PeerPuller;
import io.blobrepair.placement.Placement;
import io.blobrepair.placement.PlacementPolicy;
import io.blobrepair.work.WorkItem;
import org.apache.camel.Exchange;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import software.amazon.awssdk.services.s3.model.HeadObjectResponse;

import java.io.File;
import java.nio.file.Path;
import java.util.Optional;

/**
 * The steps of the per-CID route ({@code repair-cid}): each reads the facts the route gathered,
 * applies {@link RepairDecision} and counts. The rules themselves live in {@link RepairDecision}
 * and {@link PlacementPolicy}; this class only connects them to the exchange.
 */
public class CidRepair {

    public static final String CYCLE = "repairCycle";
    public static final String CHECK = "cidCheck";
    public static final String INDEX = "presenceIndex";
    public static final String PULLED_BLOB = "pulledBlob";

    private static final Logger LOG = LoggerFactory.getLogger(CidRepair.class);
    /** Failures of one kind logged per cycle before they are only counted. */
    private static final int LOGGED_PER_KIND = 5;

    private final PlacementPolicy placement;
    private final KnownPresentCache knownPresent;
    private final PeerPuller puller;

    public CidRepair(PlacementPolicy placement, KnownPresentCache knownPresent, PeerPuller puller) {
        this.placement = placement;
        this.knownPresent = knownPresent;
        this.puller = puller;
    }

    /** Validates the CID, ranks it and decides whether its presence is worth asking for. */
    public void triage(Exchange exchange) {
        CycleState cycle = cycle(exchange);
        WorkItem item = exchange.getMessage().getBody(WorkItem.class);
        if (item.cid() == null || item.cid().isEmpty()) {
            cycle.getCounters().increment(RepairCounter.EMPTY_CID);
            return;
        }
        Optional<Cid> cid = Cid.parse(item.cid());
        if (cid.isEmpty()) {
            count(cycle, RepairCounter.INVALID_CID, "malformed CID skipped: '{}'", abbreviate(item.cid()));
            return;
        }
        cycle.getCounters().increment(RepairCounter.TOTAL_CHECKED);
        Placement where = placement.place(cid.get().value(), item.placementHosts());
        CidCheck check = new CidCheck(cid.get(), where);
        boolean seen = !cycle.firstTimeSeen(check.getStorageKey());
        check.setTriage(RepairDecision.triage(seen, where.mine(), cycle.isCleanup(), knownPresent.contains(check.getStorageKey())));
        switch (check.getTriage()) {
            case DUPLICATE -> cycle.getCounters().increment(RepairCounter.REPAIR_DEDUPED);
            case KNOWN_PRESENT -> cycle.getCounters().increment(RepairCounter.REPAIR_KNOWN_PRESENT);
            default -> { }
        }
        exchange.setProperty(CHECK, check);
    }

    /** Presence from the listing; a key written since the listing counts as present. */
    public void presenceFromIndex(Exchange exchange) {
        CycleState cycle = cycle(exchange);
        CidCheck check = check(exchange);
        PresenceIndex index = exchange.getProperty(INDEX, PresenceIndex.class);
        ObjectFacts facts = index.lookup(check.getStorageKey());
        if (facts != null) {
            cycle.getCounters().increment(RepairCounter.PRESENCE_INDEX_HIT);
            check.setPresence(Presence.PRESENT, facts);
        } else {
            cycle.getCounters().increment(RepairCounter.PRESENCE_INDEX_MISS);
            check.setPresence(knownPresent.contains(check.getStorageKey()) ? Presence.PRESENT : Presence.ABSENT, null);
        }
    }

    public void presentFromHead(Exchange exchange) {
        HeadObjectResponse head = exchange.getMessage().getBody(HeadObjectResponse.class);
        long modified = head.lastModified() == null ? 0 : head.lastModified().toEpochMilli();
        check(exchange).setPresence(Presence.PRESENT, new ObjectFacts(head.contentLength() == null ? 0 : head.contentLength(), modified));
    }

    public void absentFromHead(Exchange exchange) {
        check(exchange).setPresence(Presence.ABSENT, null);
    }

    /** A HeadObject that failed for another reason than "absent": presence stays unknown. */
    public void unknownFromHead(Exchange exchange) {
        CidCheck check = check(exchange);
        Exception cause = exchange.getProperty(Exchange.EXCEPTION_CAUGHT, Exception.class);
        count(cycle(exchange), RepairCounter.READ_ATTRS_FAIL, "HeadObject {} failed, presence unknown, nothing done: {}",
                check.getStorageKey(), cause == null ? "?" : cause.getMessage());
        check.setPresence(Presence.UNKNOWN, null);
    }

    /** Decides what to do now that presence is known. */
    public void decide(Exchange exchange) {
        CycleState cycle = cycle(exchange);
        CidCheck check = check(exchange);
        RepairDecision.Action action = RepairDecision.act(check.getPlacement().mine(), check.getPresence());
        check.setAction(action);
        switch (action) {
            case ALREADY_HAVE -> cycle.getCounters().increment(RepairCounter.ALREADY_HAVE);
            case PULL -> cycle.getCounters().increment(RepairCounter.PULL_MINE_NEEDED);
            default -> { }
        }
        if (check.getPresence() == Presence.PRESENT && check.getFacts() != null) {
            cycle.addContentSize(check.getFacts().size());
        }
    }

    /** Pulls from the ranked peers; the body becomes the verified blob file, or null. */
    public File pull(Exchange exchange) {
        CycleState cycle = cycle(exchange);
        CidCheck check = check(exchange);
        PeerPuller.Result result = puller.pull(check.getCid(), check.getPlacement().ranked());
        cycle.getCounters().add(RepairCounter.PULL_MINE_FAIL, result.failures().size());
        if (!result.succeeded()) {
            LOG.warn("cycle {}: could not pull {} from any of {} hosts: {}", cycle.getCycle(), check,
                    result.failures().size(), result.failures());
            return null;
        }
        exchange.setProperty(PULLED_BLOB, result.blob());
        return result.blob().toFile();
    }

    /** The pulled blob is in the bucket: remember it so nothing asks for it again. */
    public void stored(Exchange exchange) {
        CidCheck check = check(exchange);
        knownPresent.add(check.getStorageKey());
        cycle(exchange).getCounters().increment(RepairCounter.PULL_MINE_SUCCESS);
    }

    public void storeFailed(Exchange exchange) {
        Exception cause = exchange.getProperty(Exchange.EXCEPTION_CAUGHT, Exception.class);
        count(cycle(exchange), RepairCounter.PULL_STORE_FAIL, "PutObject {} failed, the blob is not marked present: {}",
                check(exchange).getStorageKey(), cause == null ? "?" : cause.getMessage());
    }

    public void discardPulled(Exchange exchange) {
        PeerPuller.discard(exchange.getProperty(PULLED_BLOB, Path.class));
    }

    /** An unexpected error on one CID: counted and logged, the cycle goes on. */
    public void failed(Exchange exchange) {
        Exception cause = exchange.getProperty(Exchange.EXCEPTION_CAUGHT, Exception.class);
        CidCheck check = exchange.getProperty(CHECK, CidCheck.class);
        count(cycle(exchange), RepairCounter.REPAIR_CID_ERROR, "repair of {} failed: {}",
                check == null ? "?" : check, String.valueOf(cause));
    }

    private static CycleState cycle(Exchange exchange) {
        return exchange.getProperty(CYCLE, CycleState.class);
    }

    private static CidCheck check(Exchange exchange) {
        return exchange.getProperty(CHECK, CidCheck.class);
    }

    /** Counts, and logs the first few of a kind per cycle so a failing dependency cannot flood the log. */
    private static void count(CycleState cycle, RepairCounter counter, String message, Object... args) {
        cycle.getCounters().increment(counter);
        long n = cycle.getCounters().get(counter);
        if (n <= LOGGED_PER_KIND) {
            LOG.warn("cycle {}: " + message + (n == LOGGED_PER_KIND ? " (further " + counter.metricName() + " only counted)" : ""),
                    prepend(cycle.getCycle(), args));
        }
    }

    private static Object[] prepend(Object first, Object[] rest) {
        Object[] all = new Object[rest.length + 1];
        all[0] = first;
        System.arraycopy(rest, 0, all, 1, rest.length);
        return all;
    }

    private static String abbreviate(String s) {
        return s.length() <= 80 ? s : s.substring(0, 80) + "…(" + s.length() + " chars)";
    }
}
