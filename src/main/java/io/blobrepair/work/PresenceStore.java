package io.blobrepair.work;

import io.blobrepair.index.KeyHash;
import io.blobrepair.index.ListingCapture;
import io.blobrepair.index.ObjectFacts;
import io.blobrepair.index.PresenceAnswers;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import javax.sql.DataSource;
import java.sql.Array;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.random.RandomGenerator;

/**
 * The presence store ({@code repair.presence.source=store}): the keys of the node's buckets in
 * PostgreSQL (table {@code repair_presence}, scoped by bucket), as the last complete listing saw
 * them and as this service's own writes and deletes changed them since. A listing writes its pages
 * to a staging table as they come ({@link #beginCapture}) and, only when it was complete, replaces
 * the store's rows with them in one transaction; a partial one leaves them and marks the store as
 * not from a complete listing. It is read a batch of keys at a time, never whole.
 *
 * <p>Disabled ({@code repair.presence.source=listing}) every method is a no-op and the tables are
 * never touched. An update that fails (the database is down) is counted and logged, and the
 * store is not trusted again before the next complete listing.
 */
public class PresenceStore {

    private static final Logger LOG = LoggerFactory.getLogger(PresenceStore.class);

    /** What the store says of the listings into it, per bucket. */
    public record Listings(boolean everyBucketListed, boolean lastComplete, long keys, Instant listedAt) {
    }

    /** One stored key. */
    public record StoredKey(String bucket, String key) {
    }

    private final DataSource dataSource;
    private final boolean enabled;
    private final List<String> buckets;
    private final Clock clock;
    /** Why the store's rows may miss a change of ours since its last complete listing; null when they do not. */
    private final AtomicReference<String> missedUpdate = new AtomicReference<>();
    private final AtomicLong updateFailures = new AtomicLong();

    /** @param buckets the node's buckets (the primary, then the archive bucket when there is one) */
    public PresenceStore(DataSource dataSource, boolean enabled, List<String> buckets, Clock clock) {
        this.dataSource = dataSource;
        this.enabled = enabled;
        this.buckets = List.copyOf(buckets);
        this.clock = clock;
    }

    public boolean enabled() {
        return enabled;
    }

    /** Updates of ours the store failed to take since startup (the metric {@code presence_store_update_fail}). */
    public long updateFailures() {
        return updateFailures.get();
    }

    /** Why a change of ours may be missing from the store since its last complete listing, if one may be. */
    public Optional<String> missedUpdate() {
        return Optional.ofNullable(missedUpdate.get());
    }

    // --- the listing ----------------------------------------------------------------------------

    /**
     * A capture of the listing about to start; {@link ListingCapture#NONE} when disabled, or when
     * the database does not answer (the listing goes on for the index; counted and logged as a
     * missed update). Sweeps what listings that never finished (a crash) left in staging.
     */
    public ListingCapture beginCapture() {
        if (!enabled) {
            return ListingCapture.NONE;
        }
        try {
            return openCapture();
        } catch (SQLException e) {
            missed("the last listing could not be captured", e);
            return ListingCapture.NONE;
        }
    }

    private ListingCapture openCapture() throws SQLException {
        try (Connection c = dataSource.getConnection()) {
            try (PreparedStatement sweep = c.prepareStatement("DELETE FROM repair_presence_staging WHERE capture IN"
                    + " (SELECT id FROM repair_presence_captures WHERE started_at < now() - interval '1 day')");
                 PreparedStatement captures = c.prepareStatement(
                         "DELETE FROM repair_presence_captures WHERE started_at < now() - interval '1 day'")) {
                sweep.executeUpdate();
                captures.executeUpdate();
            }
            try (PreparedStatement ps = c.prepareStatement("INSERT INTO repair_presence_captures DEFAULT VALUES RETURNING id");
                 ResultSet rs = ps.executeQuery()) {
                rs.next();
                return new Capture(rs.getLong(1));
            }
        }
    }

    /** One listing's pages in staging, until it completes (swapped in) or is abandoned (dropped). */
    private final class Capture implements ListingCapture {

        private final long id;
        private final AtomicReference<Exception> failed = new AtomicReference<>();

        Capture(long id) {
            this.id = id;
        }

        @Override
        public void page(String bucket, String[] keys, long[] sizes, long[] lastModifiedMillis, int count) {
            if (failed.get() != null || count == 0) {
                return; // the capture is lost already: the listing goes on for the index
            }
            Long[] hashes = new Long[count];
            Long[] boxedSizes = new Long[count];
            Long[] modified = new Long[count];
            for (int i = 0; i < count; i++) {
                hashes[i] = KeyHash.of(keys[i]).hi();
                boxedSizes[i] = sizes[i];
                modified[i] = lastModifiedMillis[i];
            }
            String[] pageKeys = count == keys.length ? keys : Arrays.copyOf(keys, count);
            try (Connection c = dataSource.getConnection(); PreparedStatement ps = c.prepareStatement(
                    "INSERT INTO repair_presence_staging (capture, bucket, key, key_hash, size, last_modified)"
                            + " SELECT ?, ?, k, h, s, m FROM unnest(?::text[], ?::bigint[], ?::bigint[], ?::bigint[]) AS t(k, h, s, m)")) {
                ps.setLong(1, id);
                ps.setString(2, bucket);
                ps.setArray(3, c.createArrayOf("text", pageKeys));
                ps.setArray(4, c.createArrayOf("bigint", hashes));
                ps.setArray(5, c.createArrayOf("bigint", boxedSizes));
                ps.setArray(6, c.createArrayOf("bigint", modified));
                ps.executeUpdate();
            } catch (SQLException e) {
                failed.compareAndSet(null, e);
            }
        }

        @Override
        public void complete() {
            Exception pageFailure = failed.get();
            if (pageFailure != null) {
                dropAndMark("a page of the listing could not be staged: " + pageFailure.getMessage());
                throw new IllegalStateException("a page of the listing could not be staged", pageFailure);
            }
            // a change of ours missed before this listing is in it; one missed from here on says so again
            missedUpdate.set(null);
            try (Connection c = dataSource.getConnection()) {
                c.setAutoCommit(false);
                try {
                    swapIn(c);
                    c.commit();
                } catch (SQLException | RuntimeException e) {
                    c.rollback();
                    throw e;
                }
            } catch (SQLException e) {
                dropAndMark("the listing could not be stored: " + e.getMessage());
                throw new IllegalStateException("the listing could not be stored in the presence store", e);
            }
        }

        /** In the caller's transaction: the staged keys replace the buckets' rows, the listings say complete. */
        private void swapIn(Connection c) throws SQLException {
            Map<String, Long> counts = new HashMap<>();
            try (PreparedStatement ps = c.prepareStatement(
                    "SELECT bucket, count(*) FROM repair_presence_staging WHERE capture = ? GROUP BY bucket")) {
                ps.setLong(1, id);
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        counts.put(rs.getString(1), rs.getLong(2));
                    }
                }
            }
            try (PreparedStatement delete = c.prepareStatement("DELETE FROM repair_presence WHERE bucket = ANY(?)")) {
                delete.setArray(1, c.createArrayOf("text", buckets.toArray()));
                delete.executeUpdate();
            }
            try (PreparedStatement insert = c.prepareStatement("INSERT INTO repair_presence (bucket, key, key_hash, size, last_modified)"
                    + " SELECT bucket, key, key_hash, size, last_modified FROM repair_presence_staging WHERE capture = ?"
                    + " ON CONFLICT (bucket, key) DO NOTHING")) {
                insert.setLong(1, id);
                insert.executeUpdate();
            }
            Timestamp now = Timestamp.from(clock.instant());
            for (String bucket : buckets) {
                markListing(c, bucket, true, now, counts.getOrDefault(bucket, 0L));
            }
            drop(c);
        }

        @Override
        public void abandon() {
            dropAndMark("the last listing failed part-way");
        }

        /** Staging dropped and the listings marked partial; when the database fails here too, only this process knows. */
        private void dropAndMark(String why) {
            missedUpdate.compareAndSet(null, why);
            try (Connection c = dataSource.getConnection()) {
                drop(c);
                Timestamp now = Timestamp.from(clock.instant());
                for (String bucket : buckets) {
                    try (PreparedStatement ps = c.prepareStatement("UPDATE repair_presence_listings SET complete = false,"
                            + " listed_at = ? WHERE bucket = ?")) {
                        ps.setTimestamp(1, now);
                        ps.setString(2, bucket);
                        ps.executeUpdate();
                    }
                }
            } catch (SQLException e) {
                LOG.warn("presence store: the listing's staged keys could not be dropped ({}); swept within a day", e.getMessage());
            }
        }

        private void drop(Connection c) throws SQLException {
            try (PreparedStatement staging = c.prepareStatement("DELETE FROM repair_presence_staging WHERE capture = ?");
                 PreparedStatement capture = c.prepareStatement("DELETE FROM repair_presence_captures WHERE id = ?")) {
                staging.setLong(1, id);
                staging.executeUpdate();
                capture.setLong(1, id);
                capture.executeUpdate();
            }
        }
    }

    private static void markListing(Connection c, String bucket, boolean complete, Timestamp at, long keys) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("INSERT INTO repair_presence_listings (bucket, complete, listed_at, keys)"
                + " VALUES (?, ?, ?, ?) ON CONFLICT (bucket) DO UPDATE SET complete = EXCLUDED.complete,"
                + " listed_at = EXCLUDED.listed_at, keys = EXCLUDED.keys")) {
            ps.setString(1, bucket);
            ps.setBoolean(2, complete);
            ps.setTimestamp(3, at);
            ps.setLong(4, keys);
            ps.executeUpdate();
        }
    }

    /** The last listing into the store, over every bucket of the node. */
    public Listings listings() throws SQLException {
        try (Connection c = dataSource.getConnection(); PreparedStatement ps = c.prepareStatement(
                "SELECT count(*), coalesce(bool_and(complete), false), coalesce(sum(keys), 0), min(listed_at)"
                        + " FROM repair_presence_listings WHERE bucket = ANY(?)")) {
            ps.setArray(1, c.createArrayOf("text", buckets.toArray()));
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                Timestamp at = rs.getTimestamp(4);
                return new Listings(rs.getInt(1) == buckets.size(), rs.getBoolean(2), rs.getLong(3),
                        at == null ? null : at.toInstant());
            }
        }
    }

    // --- the cycle ------------------------------------------------------------------------------

    /**
     * Up to {@code n} distinct stored keys at random: all of them when the store holds no more
     * than {@code n} ({@code storedKeys} from {@link #listings()}), else, in one query, the first
     * key at or after each of {@code 2n} random positions in key-hash order (wrapping round), the
     * first {@code n} distinct of them (two positions may fall before the same key). Key hashes are
     * uniform, so every key may be drawn and none is favoured by its name or bucket.
     */
    public List<StoredKey> sample(int n, long storedKeys, RandomGenerator random) throws SQLException {
        Set<StoredKey> sample = new LinkedHashSet<>();
        try (Connection c = dataSource.getConnection()) {
            Array bucketArray = c.createArrayOf("text", buckets.toArray());
            if (storedKeys <= n) {
                try (PreparedStatement ps = c.prepareStatement(
                        "SELECT bucket, key FROM repair_presence WHERE bucket = ANY(?) ORDER BY key_hash LIMIT ?")) {
                    ps.setArray(1, bucketArray);
                    ps.setInt(2, n);
                    readKeys(ps, sample);
                }
                return new ArrayList<>(sample);
            }
            Long[] positions = new Long[2 * n];
            for (int i = 0; i < positions.length; i++) {
                positions[i] = random.nextLong();
            }
            try (PreparedStatement ps = c.prepareStatement("SELECT coalesce(a.bucket, b.bucket), coalesce(a.key, b.key)"
                    + " FROM unnest(?::bigint[]) WITH ORDINALITY AS r(h, i)"
                    + " LEFT JOIN LATERAL (SELECT bucket, key FROM repair_presence WHERE key_hash >= r.h AND bucket = ANY(?)"
                    + " ORDER BY key_hash LIMIT 1) a ON true"
                    + " LEFT JOIN LATERAL (SELECT bucket, key FROM repair_presence WHERE a.key IS NULL AND bucket = ANY(?)"
                    + " ORDER BY key_hash LIMIT 1) b ON true ORDER BY r.i")) {
                ps.setArray(1, c.createArrayOf("bigint", positions));
                ps.setArray(2, bucketArray);
                ps.setArray(3, bucketArray);
                readKeys(ps, sample);
            }
        }
        return new ArrayList<>(sample).subList(0, Math.min(n, sample.size()));
    }

    private static void readKeys(PreparedStatement ps, Set<StoredKey> into) throws SQLException {
        try (ResultSet rs = ps.executeQuery()) {
            while (rs.next()) {
                if (rs.getString(2) != null) {
                    into.add(new StoredKey(rs.getString(1), rs.getString(2)));
                }
            }
        }
    }

    /** The store as a cycle's presence answers: nothing until a batch of keys is read ({@link PresenceAnswers#forKeys}). */
    public PresenceAnswers answers() {
        return new Unread();
    }

    /** The store's answers, before and after a batch is read: a cycle answered by them deletes nothing. */
    private abstract static class StoreAnswers implements PresenceAnswers {

        @Override
        public void markAbsent(String bucket, String key) {
            throw new IllegalStateException("a cycle answered from the presence store deletes nothing");
        }

        @Override
        public boolean fromStore() {
            return true;
        }
    }

    /** The store before a batch is read: it covers nothing. */
    private final class Unread extends StoreAnswers {

        /** One query for the batch's keys in every bucket of the node. */
        @Override
        public PresenceAnswers forKeys(Collection<String> storageKeys) {
            Map<StoredKey, ObjectFacts> found = new HashMap<>();
            try (Connection c = dataSource.getConnection(); PreparedStatement ps = c.prepareStatement(
                    "SELECT bucket, key, size, last_modified FROM repair_presence WHERE bucket = ANY(?) AND key = ANY(?)")) {
                ps.setArray(1, c.createArrayOf("text", buckets.toArray()));
                ps.setArray(2, c.createArrayOf("text", storageKeys.toArray()));
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        found.put(new StoredKey(rs.getString(1), rs.getString(2)), new ObjectFacts(rs.getLong(3), rs.getLong(4)));
                    }
                }
            } catch (SQLException e) {
                throw new IllegalStateException("the presence store could not be read: " + e.getMessage(), e);
            }
            return new Batch(Set.copyOf(storageKeys), found);
        }

        @Override
        public boolean covers(String bucket, String key) {
            return false;
        }

        @Override
        public ObjectFacts lookup(String bucket, String key) {
            return null;
        }
    }

    /** The store's answers for one batch of keys: it covers those keys in every bucket of the node. */
    private final class Batch extends StoreAnswers {

        private final Set<String> read;
        private final Map<StoredKey, ObjectFacts> found;

        Batch(Set<String> read, Map<StoredKey, ObjectFacts> found) {
            this.read = read;
            this.found = found;
        }

        @Override
        public PresenceAnswers forKeys(Collection<String> storageKeys) {
            return answers().forKeys(storageKeys);
        }

        @Override
        public boolean covers(String bucket, String key) {
            return buckets.contains(bucket) && read.contains(key);
        }

        @Override
        public ObjectFacts lookup(String bucket, String key) {
            return found.get(new StoredKey(bucket, key));
        }
    }

    // --- our own writes and deletes -------------------------------------------------------------

    /** This service stored {@code key} in {@code bucket} (a pull, a peer's push, a relocation's copy). */
    public void written(String bucket, String key, long size) {
        if (!enabled) {
            return;
        }
        update("written", bucket, key, c -> {
            try (PreparedStatement ps = c.prepareStatement("INSERT INTO repair_presence (bucket, key, key_hash, size, last_modified)"
                    + " VALUES (?, ?, ?, ?, ?) ON CONFLICT (bucket, key) DO UPDATE SET size = EXCLUDED.size,"
                    + " last_modified = EXCLUDED.last_modified")) {
                ps.setString(1, bucket);
                ps.setString(2, key);
                ps.setLong(3, KeyHash.of(key).hi());
                ps.setLong(4, size);
                ps.setLong(5, clock.millis());
                ps.executeUpdate();
            }
        });
    }

    /** This service deleted {@code key} from {@code bucket}. */
    public void deleted(String bucket, String key) {
        if (!enabled) {
            return;
        }
        update("deleted", bucket, key, c -> {
            try (PreparedStatement ps = c.prepareStatement("DELETE FROM repair_presence WHERE bucket = ? AND key = ?")) {
                ps.setString(1, bucket);
                ps.setString(2, key);
                ps.executeUpdate();
            }
        });
    }

    private interface Update {
        void apply(Connection c) throws SQLException;
    }

    /**
     * A failed update never fails the write or delete it follows: it is counted, the store is not
     * trusted until the next complete listing, and the first such failure since that listing is logged.
     */
    private void update(String what, String bucket, String key, Update update) {
        try (Connection c = dataSource.getConnection()) {
            update.apply(c);
        } catch (SQLException e) {
            missed("the store missed that " + key + " was " + what + " in " + bucket, e);
        }
    }

    private void missed(String why, SQLException e) {
        updateFailures.incrementAndGet();
        if (missedUpdate.compareAndSet(null, why)) {
            LOG.warn("presence store: {} ({}); it is not used before the next complete listing"
                    + " (later failures until then are only counted: presence_store_update_fail)", why, e.getMessage());
        }
    }
}
