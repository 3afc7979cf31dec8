package io.blobrepair.repair;

import io.blobrepair.cid.Cid;
import io.blobrepair.cid.ContentHash;
import io.blobrepair.index.ObjectFacts;
import io.blobrepair.index.PresenceIndex;
import io.blobrepair.peer.PeerClient;
import io.blobrepair.peer.PeerFilters;
import io.blobrepair.work.LostBlobs;
import io.blobrepair.placement.Placement;
import io.blobrepair.placement.PlacementPolicy;
import io.blobrepair.work.WorkItem;
import org.apache.camel.Exchange;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import software.amazon.awssdk.services.s3.model.HeadObjectResponse;

import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Path;
import java.security.DigestOutputStream;
import java.security.MessageDigest;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Arrays;
import java.util.Optional;

/**
 * The steps of the per-CID routes ({@code repair-cid} and the routes it calls): each reads the
 * facts the route gathered, applies {@link RepairDecision} and counts. The rules themselves live
 * in {@link RepairDecision}, {@link PlacementPolicy} and {@link DeleteBrake}; this class only
 * connects them to the exchange.
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
    private final PeerClient peers;
    private final PeerFilters filters;
    private final LostBlobs lost;
    private final Duration lostRetryPeriod;
    private final String self;
    private final boolean storeAll;
    private final boolean headMode;
    private final boolean dryRun;
    private final double maxDeleteFraction;
    private final RepairEvents events;
    private final Clock clock;

    /**
     * @param lostRetryPeriod a blob found lost is not tried again within this period (one cleanup period)
     * @param events          receives {@code blob_lost} and {@code delete_brake_engaged}
     */
    public CidRepair(PlacementPolicy placement, KnownPresentCache knownPresent, PeerClient peers, PeerFilters filters,
                     LostBlobs lost, Duration lostRetryPeriod, String self, boolean storeAll,
                     boolean headMode, boolean dryRun, double maxDeleteFraction, RepairEvents events, Clock clock) {
        this.placement = placement;
        this.knownPresent = knownPresent;
        this.peers = peers;
        this.filters = filters;
        this.lost = lost;
        this.lostRetryPeriod = lostRetryPeriod;
        this.self = self;
        this.storeAll = storeAll;
        this.headMode = headMode;
        this.dryRun = dryRun;
        this.maxDeleteFraction = maxDeleteFraction;
        this.events = events;
        this.clock = clock;
    }

    /**
     * The batch step: triages every CID of a work-list batch and, where the listing answers,
     * decides it, all in Java. Only the CIDs that need more — a HeadObject (not covered by the
     * listing) or an action (pull, validate, delete) — are returned, for the per-CID route; a
     * CID that is simply held costs no exchange at all.
     */
    public List<CidCheck> triageBatch(Exchange exchange) {
        CycleState cycle = cycle(exchange);
        PresenceIndex index = exchange.getProperty(INDEX, PresenceIndex.class);
        @SuppressWarnings("unchecked")
        List<WorkItem> items = exchange.getMessage().getBody(List.class);
        List<CidCheck> needRoute = new ArrayList<>();
        for (WorkItem item : items) {
            try {
                CidCheck check = triage(cycle, item);
                if (check == null || !check.isPresenceNeeded()) {
                    continue;
                }
                presenceFromIndex(cycle, check, index);
                if (check.getPresence() != null) {
                    decide(cycle, check);
                    if (!check.getAction().needsWork()) {
                        continue;
                    }
                }
                needRoute.add(check);
            } catch (RuntimeException e) {
                // one bad CID must not stop the batch: counted and logged like any per-CID error
                count(cycle, RepairCounter.REPAIR_CID_ERROR, "repair of {} failed: {}", item.cid(), e.toString());
            }
        }
        return needRoute;
    }

    /** Validates the CID, ranks it and decides whether its presence is worth asking for; null when skipped. */
    CidCheck triage(CycleState cycle, WorkItem item) {
        if (item.cid() == null || item.cid().isEmpty()) {
            cycle.getCounters().increment(RepairCounter.EMPTY_CID);
            return null;
        }
        Optional<Cid> cid = Cid.parse(item.cid());
        if (cid.isEmpty()) {
            count(cycle, RepairCounter.INVALID_CID, "malformed CID skipped: '{}'", abbreviate(item.cid()));
            return null;
        }
        cycle.getCounters().increment(RepairCounter.TOTAL_CHECKED);
        Placement where = placement.place(cid.get().value(), item.placementHosts());
        if (where.unknownHosts() > 0) {
            cycle.getCounters().add(RepairCounter.PLACEMENT_HOST_UNKNOWN, where.unknownHosts());
        }
        CidCheck check = new CidCheck(cid.get(), where);
        boolean seen = !cycle.firstTimeSeen(check.getStorageKey());
        check.setTriage(RepairDecision.triage(seen, where.mine(), cycle.isCleanup(), knownPresent.contains(check.getStorageKey())));
        switch (check.getTriage()) {
            case DUPLICATE -> cycle.getCounters().increment(RepairCounter.REPAIR_DEDUPED);
            case KNOWN_PRESENT -> cycle.getCounters().increment(RepairCounter.REPAIR_KNOWN_PRESENT);
            default -> { }
        }
        return check;
    }

    /**
     * Presence from the listing, for the keys it covers; an uncovered key is left for HeadObject.
     * A key written since the listing counts as present, but without listed facts: such
     * presence never grounds a deletion.
     */
    void presenceFromIndex(CycleState cycle, CidCheck check, PresenceIndex index) {
        if (!index.covers(check.getStorageKey())) {
            if (!headMode) {
                cycle.getCounters().increment(RepairCounter.HEAD_FALLBACK_KEYS);
            }
            return;
        }
        ObjectFacts facts = index.lookup(check.getStorageKey());
        if (facts != null) {
            cycle.getCounters().increment(RepairCounter.PRESENCE_INDEX_HIT);
            check.setPresence(Presence.PRESENT, facts, true);
        } else {
            cycle.getCounters().increment(RepairCounter.PRESENCE_INDEX_MISS);
            check.setPresence(knownPresent.contains(check.getStorageKey()) ? Presence.PRESENT : Presence.ABSENT, null, false);
        }
    }

    /** The per-CID route's first step: the CID it carries. */
    public void begin(Exchange exchange) {
        exchange.setProperty(CHECK, exchange.getMessage().getBody(CidCheck.class));
    }

    public void presentFromHead(Exchange exchange) {
        HeadObjectResponse head = exchange.getMessage().getBody(HeadObjectResponse.class);
        long modified = head.lastModified() == null ? 0 : head.lastModified().toEpochMilli();
        check(exchange).setPresence(Presence.PRESENT,
                new ObjectFacts(head.contentLength() == null ? 0 : head.contentLength(), modified), headMode);
    }

    public void absentFromHead(Exchange exchange) {
        check(exchange).setPresence(Presence.ABSENT, null, false);
    }

    /** A HeadObject that failed for another reason than "absent": presence stays unknown. */
    public void unknownFromHead(Exchange exchange) {
        CidCheck check = check(exchange);
        count(cycle(exchange), RepairCounter.READ_ATTRS_FAIL, "HeadObject {} failed, presence unknown, nothing done: {}",
                check.getStorageKey(), causeOf(exchange));
        check.setPresence(Presence.UNKNOWN, null, false);
    }

    /** Decides what to do now that presence (and, after validation, content) is known. */
    public void decide(Exchange exchange) {
        decide(cycle(exchange), check(exchange));
    }

    void decide(CycleState cycle, CidCheck check) {
        boolean firstDecision = check.getAction() == null;
        RepairDecision.Action action = RepairDecision.act(facts(cycle, check));
        check.setAction(action);
        if (firstDecision && check.getPresence() == Presence.PRESENT) {
            cycle.presentSeen();
            if (check.getFacts() != null) {
                cycle.addContentSize(check.getFacts().size());
            }
        }
        switch (action) {
            case ALREADY_HAVE -> cycle.getCounters().increment(RepairCounter.ALREADY_HAVE);
            case PULL -> cycle.getCounters().increment(RepairCounter.PULL_MINE_NEEDED);
            case DELETE_OVER_REPLICATED -> cycle.getCounters().increment(RepairCounter.DELETE_OVER_REPLICATED_NEEDED);
            default -> { }
        }
    }

    private RepairDecision.Facts facts(CycleState cycle, CidCheck check) {
        Placement where = check.getPlacement();
        ObjectFacts facts = check.getFacts();
        Long age = facts == null || facts.lastModifiedMillis() <= 0 ? null : clock.millis() - facts.lastModifiedMillis();
        return new RepairDecision.Facts(cycle.isCleanup(), where.mine(), where.placed(), storeAll, check.getPresence(),
                check.isTrustedPresence(), check.getCid().contentSha256().isPresent(), check.isValidated(),
                RepairDecision.isDerivedVariant(check.getCid().value()), where.position(),
                cycle.getOverReplicationThreshold(), age);
    }

    /**
     * Cleanup: reads the blob (the body is the GetObject stream) and compares its hash with the
     * CID. A mismatch becomes DELETE_INVALID; a match is decided again as validated content.
     */
    public void validate(Exchange exchange) throws IOException {
        CycleState cycle = cycle(exchange);
        CidCheck check = check(exchange);
        MessageDigest digest = ContentHash.newDigest();
        try (InputStream in = exchange.getMessage().getMandatoryBody(InputStream.class);
             OutputStream sink = new DigestOutputStream(OutputStream.nullOutputStream(), digest)) {
            in.transferTo(sink);
        } catch (org.apache.camel.InvalidPayloadException e) {
            throw new IOException("GetObject returned no content stream", e);
        }
        if (Arrays.equals(digest.digest(), check.getCid().contentSha256().orElseThrow())) {
            check.markValidated();
            decide(cycle, check);
        } else {
            cycle.getCounters().increment(RepairCounter.DELETE_INVALID_NEEDED);
            LOG.warn("cycle {}: {} does not hash to its CID: deleting it", cycle.getCycle(), check.getStorageKey());
            check.setAction(RepairDecision.Action.DELETE_INVALID);
        }
    }

    /** Reading the blob failed: counted, and the blob is kept whatever its content. */
    public void validateReadFailed(Exchange exchange) {
        CidCheck check = check(exchange);
        count(cycle(exchange), RepairCounter.VALIDATE_READ_FAIL, "reading {} to validate it failed, kept: {}",
                check.getStorageKey(), causeOf(exchange));
        check.setAction(RepairDecision.Action.NONE);
    }

    /**
     * Before deleting an over-replicated copy, asks the hosts ranked ahead: only when at least R
     * of them hold the blob does this copy go, so a deletion never leaves fewer than R copies.
     */
    public boolean holdersAheadConfirmed(Exchange exchange) {
        CycleState cycle = cycle(exchange);
        CidCheck check = check(exchange);
        int needed = placement.replicationFactor();
        int confirmed = 0;
        for (String host : check.getPlacement().ahead()) {
            if (peers.holds(host, check.getCid().value()) && ++confirmed >= needed) {
                return true;
            }
        }
        count(cycle, RepairCounter.OVER_REPLICATED_UNCONFIRMED, "{} is over-replicated but only {} of {} hosts ahead confirmed it: kept",
                check.getStorageKey(), confirmed, needed);
        return false;
    }

    /** Dry run and the delete brake: whether this deletion may go ahead. */
    public boolean deletePermitted(Exchange exchange) {
        CycleState cycle = cycle(exchange);
        CidCheck check = check(exchange);
        if (dryRun) {
            cycle.getCounters().increment(RepairCounter.DRY_RUN_SKIPPED);
            LOG.info("cycle {}: dry run: would delete {} ({})", cycle.getCycle(), check.getStorageKey(), check.getAction());
            return false;
        }
        if (cycle.isBrakeEngaged()) {
            return false;
        }
        if (DeleteBrake.allows(cycle.getDeletions(), cycle.heldForBrake(), maxDeleteFraction)) {
            return true;
        }
        if (cycle.engageBrake()) {
            cycle.getCounters().increment(RepairCounter.DELETE_BRAKE_ENGAGED);
            LOG.warn("cycle {}: delete brake engaged after {} deletions of {} blobs held (repair.max-delete-fraction={}):"
                            + " no more deletions this cycle; check the peer list and replication settings",
                    cycle.getCycle(), cycle.getDeletions(), cycle.heldForBrake(), maxDeleteFraction);
            events.publish(RepairEvent.deleteBrakeEngaged(cycle.getCycle(), clock.instant(), cycle.getDeletions(),
                    cycle.heldForBrake(), maxDeleteFraction));
        }
        return false;
    }

    /** The blob is gone: the cycle must not trust an earlier "present" for it any more. */
    public void deleted(Exchange exchange) {
        CycleState cycle = cycle(exchange);
        CidCheck check = check(exchange);
        cycle.deleted();
        knownPresent.remove(check.getStorageKey());
        exchange.getProperty(INDEX, PresenceIndex.class).markAbsent(check.getStorageKey());
        check.setPresence(Presence.ABSENT, null, false);
        cycle.getCounters().increment(switch (check.getAction()) {
            case DELETE_INVALID -> RepairCounter.DELETE_INVALID_SUCCESS;
            case DELETE_VARIANT -> RepairCounter.DELETE_RESIZED_IMAGE_OK;
            default -> RepairCounter.DELETE_OVER_REPLICATED_SUCCESS;
        });
        LOG.info("cycle {}: deleted {} ({})", cycle.getCycle(), check.getStorageKey(), check.getAction());
    }

    public void deleteFailed(Exchange exchange) {
        CidCheck check = check(exchange);
        RepairCounter counter = switch (check.getAction()) {
            case DELETE_INVALID -> RepairCounter.DELETE_INVALID_FAIL;
            case DELETE_VARIANT -> RepairCounter.DELETE_RESIZED_IMAGE_FAILED;
            default -> RepairCounter.DELETE_OVER_REPLICATED_FAIL;
        };
        count(cycle(exchange), counter, "DeleteObject {} failed: {}", check.getStorageKey(), causeOf(exchange));
    }

    /** Whether an invalid copy just deleted is one this node should hold, so it is pulled again. */
    public boolean repullAfterDelete(Exchange exchange) {
        CidCheck check = check(exchange);
        if (check.getPresence() == Presence.ABSENT && check.getPlacement().mine()) {
            cycle(exchange).getCounters().increment(RepairCounter.PULL_MINE_NEEDED);
            check.setAction(RepairDecision.Action.PULL);
            return true;
        }
        return false;
    }

    /** Dry run: a needed pull is only logged. */
    public boolean pullPermitted(Exchange exchange) {
        if (!dryRun) {
            return true;
        }
        CycleState cycle = cycle(exchange);
        cycle.getCounters().increment(RepairCounter.DRY_RUN_SKIPPED);
        LOG.info("cycle {}: dry run: would pull {}", cycle.getCycle(), check(exchange).getStorageKey());
        return false;
    }

    /**
     * Pulls from the ranked peers, those whose presence filter may hold the blob first; the body
     * becomes the verified blob file, or null. A blob no peer holds is reported lost, and not
     * tried again within the lost-retry period.
     */
    public File pull(Exchange exchange) throws SQLException {
        CycleState cycle = cycle(exchange);
        CidCheck check = check(exchange);
        if (knownPresent.contains(check.getStorageKey())) {
            // written (pulled or pushed) since the batch was triaged: nothing to fetch any more
            cycle.getCounters().increment(RepairCounter.REPAIR_KNOWN_PRESENT);
            return null;
        }
        String cid = check.getCid().value();
        Instant now = clock.instant();
        if (lost.count() > 0 && lost.triedWithin(cid, lostRetryPeriod, now)) {
            cycle.getCounters().increment(RepairCounter.PULL_LOST_SKIPPED);
            return null;
        }
        List<String> ranked = check.getPlacement().ranked();
        PeerClient.Result result = peers.pull(check.getCid(), filters.order(ranked, check.getStorageKey()));
        cycle.getCounters().add(RepairCounter.PULL_MINE_FAIL, result.failures().size());
        if (!result.succeeded()) {
            if (filters.allSayAbsent(ranked, self, check.getStorageKey())) {
                cycle.getCounters().increment(RepairCounter.LOST_BLOB_RECORDED);
                lost.record(cid, check.getStorageKey(), result.hostsTried(), now);
                events.publish(RepairEvent.blobLost(cycle.getCycle(), now, cid, check.getStorageKey(), result.hostsTried()));
                warn(cycle, "lost", "{} is lost: no peer's presence filter holds it and {} direct attempts failed", check,
                        result.failures().size());
            } else {
                warn(cycle, "pull", "could not pull {} from any of {} hosts: {}", check, result.failures().size(), result.failures());
            }
            return null;
        }
        if (lost.count() > 0) {
            lost.found(cid);
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
        count(cycle(exchange), RepairCounter.PULL_STORE_FAIL, "PutObject {} failed, the blob is not marked present: {}",
                check(exchange).getStorageKey(), causeOf(exchange));
    }

    public void discardPulled(Exchange exchange) {
        PeerClient.discard(exchange.getProperty(PULLED_BLOB, Path.class));
    }

    /** An unexpected error on one CID: counted and logged, the cycle goes on. */
    public void failed(Exchange exchange) {
        CidCheck check = exchange.getProperty(CHECK, CidCheck.class);
        count(cycle(exchange), RepairCounter.REPAIR_CID_ERROR, "repair of {} failed: {}",
                check == null ? "?" : check, causeOf(exchange));
    }

    private static CycleState cycle(Exchange exchange) {
        return exchange.getProperty(CYCLE, CycleState.class);
    }

    private static CidCheck check(Exchange exchange) {
        return exchange.getProperty(CHECK, CidCheck.class);
    }

    private static String causeOf(Exchange exchange) {
        Exception cause = exchange.getProperty(Exchange.EXCEPTION_CAUGHT, Exception.class);
        return cause == null ? "unknown" : cause.getClass().getSimpleName() + ": " + cause.getMessage();
    }

    /** Counts, and logs the first few of a kind per cycle. */
    private static void count(CycleState cycle, RepairCounter counter, String message, Object... args) {
        cycle.getCounters().increment(counter);
        warn(cycle, counter.metricName(), message, args);
    }

    /** Logs the first {@value #LOGGED_PER_KIND} warnings of a kind per cycle; the rest are only counted. */
    private static void warn(CycleState cycle, String kind, String message, Object... args) {
        int n = cycle.warningNumber(kind);
        if (n <= LOGGED_PER_KIND) {
            Object[] all = new Object[args.length + 1];
            all[0] = cycle.getCycle();
            System.arraycopy(args, 0, all, 1, args.length);
            LOG.warn("cycle {}: " + message + (n == LOGGED_PER_KIND ? " (further ones this cycle only counted)" : ""), all);
        }
    }

    private static String abbreviate(String s) {
        return s.length() <= 80 ? s : s.substring(0, 80) + "…(" + s.length() + " chars)";
    }
}
