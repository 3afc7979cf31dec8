package io.blobrepair.repair;

import io.blobrepair.cid.ContentHash;
import org.apache.camel.Body;
import org.apache.camel.Exchange;
import org.apache.camel.ExchangeProperty;

import java.io.IOException;
import java.io.InputStream;

/**
 * Cleanup: compares a held v1 blob's content (the GetObject stream) with its CID, as a new
 * decision. A blob that cannot be read is kept, whatever its content: {@code read_blob_fail}
 * when GetObject failed, {@code validate_read_fail} when the stream broke while hashing.
 */
public class ContentCheck {

    public CidDecision compare(@ExchangeProperty(RepairExchange.CID) CidDecision decision,
                               @ExchangeProperty(RepairExchange.CYCLE) CycleState cycle,
                               @Body InputStream content) {
        boolean valid;
        try (InputStream in = content) {
            valid = ContentHash.matches(decision.facts().cid(), in);
        } catch (IOException e) {
            CycleLog.count(cycle, RepairCounter.VALIDATE_READ_FAIL, "reading {} to validate it failed, kept: {}",
                    decision.storageKey(), CycleLog.describe(e));
            return DecisionCounts.next(decision, decision.facts().content(CidFacts.Content.UNREADABLE), cycle);
        }
        if (!valid) {
            CycleLog.warn(cycle, "invalid", "{} does not hash to its CID", decision.storageKey());
        }
        return DecisionCounts.next(decision, decision.facts().content(valid ? CidFacts.Content.VALID : CidFacts.Content.INVALID), cycle);
    }

    /** GetObject failed: the blob is kept. */
    public CidDecision unreadable(@ExchangeProperty(RepairExchange.CID) CidDecision decision,
                                  @ExchangeProperty(RepairExchange.CYCLE) CycleState cycle,
                                  @ExchangeProperty(Exchange.EXCEPTION_CAUGHT) Exception cause) {
        CycleLog.count(cycle, RepairCounter.READ_BLOB_FAIL, "GetObject {} to validate it failed, kept: {}",
                decision.storageKey(), CycleLog.describe(cause));
        return DecisionCounts.next(decision, decision.facts().content(CidFacts.Content.UNREADABLE), cycle);
    }
}
