package io.blobrepair.repair;

import io.blobrepair.work.DataLossLedger.Entry;

import java.time.Instant;
import java.util.Map;

/**
 * The data-loss evidence a cycle starts with: every CID with an open entry (accumulating or
 * declared, not recovered), loaded once at the cycle's start as the reference loads its failing
 * CIDs and skips. It answers which pulls escalate, which declared losses wait for their recheck,
 * and whether a successful pull has evidence to close.
 */
public final class DataLossEvidence {

    private final Map<String, Entry> open;
    private final DataLossRules rules;

    public DataLossEvidence(Map<String, Entry> open, DataLossRules rules) {
        this.open = Map.copyOf(open);
        this.rules = rules;
    }

    static DataLossEvidence none() {
        return new DataLossEvidence(Map.of(), DataLossRules.DEFAULTS);
    }

    public boolean awaitingRecheck(String cid, Instant now) {
        return !open.isEmpty() && rules.awaitingRecheck(open.get(cid), now);
    }

    public boolean escalates(String cid) {
        return !open.isEmpty() && rules.escalates(open.get(cid));
    }

    /** Whether the CID had open evidence at the cycle's start (a successful pull then closes it). */
    public boolean open(String cid) {
        return open.containsKey(cid);
    }
}
