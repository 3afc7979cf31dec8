package io.blobrepair.index;

import java.util.List;

/**
 * Which keys a listing saw, so a partly failed listing is still trusted where it got to. The
 * bucket is listed in partitions (key prefixes, or key ranges planned from the last listing); a
 * partition whose listing failed part-way covers its keys up to the last one it listed, in
 * ListObjects' (lexicographic) order.
 */
public final class ListingCoverage {

    /**
     * One partition's reach: the keys under {@code prefix}, after {@code after} (exclusive), up to
     * {@code upTo} (inclusive).
     *
     * @param prefix   the partition's key prefix ("" = the whole bucket)
     * @param after    the key a key range starts after, or null: from the prefix's first key
     * @param upTo     the last key listed before a failure, or the end of a listed key range; null
     *                 when the partition was listed to the end of its prefix
     * @param listed   whether any page of it was listed; when nothing was listed before a failure,
     *                 the partition covers nothing
     * @param toItsEnd whether it was listed to its end (not cut short by a failure or a split)
     */
    public record Part(String prefix, String after, String upTo, boolean listed, boolean toItsEnd) {

        /** A prefix partition: listed to its end when {@code lastKey} is null, else up to it. */
        public Part(String prefix, String lastKey, boolean listed) {
            this(prefix, null, lastKey, listed, listed && lastKey == null);
        }

        public static Part complete(String prefix) {
            return new Part(prefix, null, true);
        }

        /** A key range (after, upTo] listed to its end; either bound null: open on that side. */
        public static Part completeRange(String after, String upTo) {
            return new Part("", after, upTo, true, true);
        }

        public boolean complete() {
            return listed && toItsEnd;
        }

        boolean covers(String key) {
            if (!listed || !key.startsWith(prefix)) {
                return false;
            }
            return (after == null || key.compareTo(after) > 0) && (upTo == null || key.compareTo(upTo) <= 0);
        }
    }

    private final List<Part> parts;

    public ListingCoverage(List<Part> parts) {
        this.parts = List.copyOf(parts);
    }

    public static ListingCoverage none() {
        return new ListingCoverage(List.of());
    }

    /** Whether the listing saw every key that {@code key}'s position could hold. */
    public boolean covers(String key) {
        for (Part part : parts) {
            if (part.covers(key)) {
                return true;
            }
        }
        return false;
    }

    public boolean isComplete() {
        return !parts.isEmpty() && parts.stream().allMatch(Part::complete);
    }

    public boolean coversAnything() {
        return parts.stream().anyMatch(Part::listed);
    }
}
