package io.blobrepair.index;

import java.util.List;

/**
 * Which keys a listing saw, so a partly failed listing is still trusted where it got to. The
 * bucket is listed in partitions (key prefixes); a partition whose listing failed part-way
 * covers its keys up to the last one it listed, in ListObjects' (lexicographic) order.
 */
public final class ListingCoverage {

    /**
     * One partition's reach.
     *
     * @param prefix  the partition's key prefix ("" = the whole bucket)
     * @param lastKey the last key listed before a failure, or null when the partition was listed to its end;
     *                when nothing was listed before the failure, the partition covers nothing
     * @param listed  whether any page of it was listed
     */
    public record Part(String prefix, String lastKey, boolean listed) {

        public static Part complete(String prefix) {
            return new Part(prefix, null, true);
        }

        public boolean complete() {
            return listed && lastKey == null;
        }

        boolean covers(String key) {
            if (!listed || !key.startsWith(prefix)) {
                return false;
            }
            return lastKey == null || key.compareTo(lastKey) <= 0;
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
