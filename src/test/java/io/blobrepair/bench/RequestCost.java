package io.blobrepair.bench;

import java.util.List;

/**
 * S3 request charges of three ways to answer presence, per cycle and per day, at the published S3
 * Standard request prices: a full listing every cycle; a presence store with a liveness sample
 * (a sample of HeadObject per non-cleanup cycle, a full listing every cleanup cycle); HeadObject
 * per key every cycle. A listing costs one ListObjectsV2 per 1,000 keys plus the listing's
 * partition overhead (requests beyond the pages, as the benchmark measured them).
 */
public final class RequestCost {

    /** S3 Standard: LIST requests, dollars per 1,000. */
    public static final double LIST_PER_1000 = 0.005;
    /** S3 Standard: GET and HEAD requests, dollars per 1,000. */
    public static final double GET_HEAD_PER_1000 = 0.0004;

    /** The presence strategies compared. */
    public enum Strategy {
        LISTING_EVERY_CYCLE("listing every cycle"),
        STORE_WITH_SAMPLE("presence store + liveness sample"),
        HEAD_PER_KEY("HeadObject per key");

        private final String label;

        Strategy(String label) {
            this.label = label;
        }

        public String label() {
            return label;
        }
    }

    /** What a node does: cycles a day, every how many cycles a cleanup, the liveness sample, the measured listing overhead. */
    public record Schedule(int cyclesPerDay, int cleanupEvery, int livenessSample, long listingOverhead, double headPerKey) {
        public Schedule {
            if (cyclesPerDay < 1 || cleanupEvery < 1 || livenessSample < 0 || listingOverhead < 0 || headPerKey < 0) {
                throw new IllegalArgumentException("bad schedule");
            }
        }

        /** Cleanup cycles among a day's cycles (cycle numbers 1..cyclesPerDay, every cleanupEvery-th). */
        long cleanupCyclesPerDay() {
            return cyclesPerDay / cleanupEvery;
        }
    }

    /** Requests of one strategy at one bucket size, per day, and their cost. */
    public record Row(Strategy strategy, long keys, long listPerDay, long headPerDay, int cyclesPerDay) {

        public double listPerCycle() {
            return listPerDay / (double) cyclesPerDay;
        }

        public double headPerCycle() {
            return headPerDay / (double) cyclesPerDay;
        }

        public double dollarsPerDay() {
            return listPerDay * LIST_PER_1000 / 1000 + headPerDay * GET_HEAD_PER_1000 / 1000;
        }

        public double dollarsPerCycle() {
            return dollarsPerDay() / cyclesPerDay;
        }
    }

    private RequestCost() {
    }

    /** ListObjectsV2 requests of one full listing of {@code keys} keys: its pages plus the partition overhead. */
    public static long listingRequests(long keys, long overhead) {
        return (keys + 999) / 1000 + overhead;
    }

    /** The partition overhead a measured listing showed: its requests beyond its pages (never below 0). */
    public static long overheadOf(long measuredRequests, long measuredKeys) {
        return Math.max(0, measuredRequests - (measuredKeys + 999) / 1000);
    }

    /** One row per strategy for a bucket of {@code keys} keys. */
    public static List<Row> rows(long keys, Schedule s) {
        long listing = listingRequests(keys, s.listingOverhead());
        long cleanups = s.cleanupCyclesPerDay();
        long others = s.cyclesPerDay() - cleanups;
        return List.of(
                new Row(Strategy.LISTING_EVERY_CYCLE, keys, listing * s.cyclesPerDay(), 0, s.cyclesPerDay()),
                new Row(Strategy.STORE_WITH_SAMPLE, keys, listing * cleanups, others * s.livenessSample(), s.cyclesPerDay()),
                new Row(Strategy.HEAD_PER_KEY, keys, 0, Math.round(keys * s.headPerKey()) * s.cyclesPerDay(), s.cyclesPerDay()));
    }
}
