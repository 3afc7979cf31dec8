package io.blobrepair.repair;

import io.blobrepair.index.PresenceAnswers;
import io.blobrepair.work.PresenceStore;
import org.apache.camel.ExchangeProperty;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.NoSuchKeyException;
import software.amazon.awssdk.services.s3.model.S3Exception;

import java.sql.SQLException;
import java.util.List;
import java.util.OptionalLong;
import java.util.random.RandomGenerator;

/**
 * The cycle's steps for the presence store ({@code repair.presence.source=store}): whether it
 * answers this cycle instead of a listing ({@link PresenceStoreReadiness}: never a cleanup cycle,
 * which always lists; the liveness sample's HeadObjects go through the registry's S3 client, so
 * the S3 request counters count them), and the cycle's presence answers from it. One log line
 * per cycle says which source it used and, when the store was not ready, why.
 */
public class PresenceStoreSteps {

    private static final Logger LOG = LoggerFactory.getLogger(PresenceStoreSteps.class);

    private final PresenceStore store;
    private final S3Client s3;
    private final RandomGenerator random;
    private volatile long storedKeys;

    public PresenceStoreSteps(PresenceStore store, S3Client s3, RandomGenerator random) {
        this.store = store;
        this.s3 = s3;
        this.random = random;
    }

    /** True when this cycle's presence comes from the store; false (list as ever) otherwise. */
    public boolean answersCycle(@ExchangeProperty(RepairExchange.CYCLE) CycleState cycle) {
        if (!store.enabled()) {
            return false;
        }
        if (cycle.isCleanup()) {
            LOG.info("cycle {}: presence from a listing: a cleanup cycle always lists (repair.presence.source=store)", cycle.getCycle());
            return false;
        }
        PresenceStoreReadiness.Verdict verdict = readiness(cycle);
        if (verdict.ready()) {
            cycle.getCounters().increment(RepairCounter.PRESENCE_FROM_STORE);
            LOG.info("cycle {}: presence from the presence store, no listing ({})", cycle.getCycle(), verdict.reason());
        } else {
            cycle.getCounters().increment(RepairCounter.PRESENCE_STORE_NOT_READY);
            LOG.info("cycle {}: presence from a listing: the presence store is not ready ({})", cycle.getCycle(), verdict.reason());
        }
        return verdict.ready();
    }

    private PresenceStoreReadiness.Verdict readiness(CycleState cycle) {
        try {
            PresenceStore.Listings listings = store.listings();
            PresenceStoreReadiness.Verdict before = PresenceStoreReadiness.beforeSample(listings.everyBucketListed(),
                    listings.lastComplete(), store.missedUpdate());
            if (!before.ready()) {
                return before;
            }
            List<PresenceStore.StoredKey> sample = store.sample(PresenceStoreReadiness.SAMPLE_SIZE, listings.keys(), random);
            int missing = 0;
            for (PresenceStore.StoredKey key : sample) {
                if (!stillThere(key, cycle)) {
                    missing++;
                }
            }
            storedKeys = listings.keys();
            return PresenceStoreReadiness.afterSample(sample.size(), missing);
        } catch (SQLException e) {
            return new PresenceStoreReadiness.Verdict(false, "the store could not be read: " + e.getMessage());
        }
    }

    /** One HeadObject of the sample; one that fails other than "absent" is counted and taken as missing. */
    private boolean stillThere(PresenceStore.StoredKey key, CycleState cycle) {
        try {
            s3.headObject(b -> b.bucket(key.bucket()).key(key.key()));
            return true;
        } catch (NoSuchKeyException e) {
            return false;
        } catch (S3Exception e) {
            if (e.statusCode() != 404) {
                headFailed(key, cycle, e);
            }
            return false;
        } catch (SdkException e) {
            headFailed(key, cycle, e);
            return false;
        }
    }

    private static void headFailed(PresenceStore.StoredKey key, CycleState cycle, Exception e) {
        CycleLog.count(cycle, RepairCounter.READ_ATTRS_FAIL, "HeadObject {} of the presence store's liveness sample failed,"
                + " taken as missing: {}", key.key(), CycleLog.describe(e));
    }

    /**
     * The cycle's presence answers from the store. Its view is not this cycle's listing: nothing is
     * deleted on it (no complete view, and the store's presence is never trusted for a deletion),
     * and the keys handled are tracked by their hashes, without an index.
     */
    public PresenceAnswers fromStore(@ExchangeProperty(RepairExchange.CYCLE) CycleState cycle) {
        cycle.setHeldAtStart(storedKeys);
        cycle.presenceKnown(OptionalLong.empty(), false, false);
        cycle.trackHandledKeysByHash();
        return store.answers();
    }
}
