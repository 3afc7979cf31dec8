package io.blobrepair.index;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * How the bucket splits for a parallel listing. Storage keys are sharded by the end of their
 * CID, so they start with a base32 character (v1 CIDs), a base58 character (strict legacy CIDs)
 * or {@code Q} (legacy keys with a path): one partition per possible first character. A
 * partition split further is split by its next character, which can also be the {@code /} after
 * the shard. Keys starting with any other character are no CID's and no partition's.
 *
 * <p>Once a bucket has been listed completely, the next listing splits it into key ranges of
 * about equal numbers of keys instead, cut at page ends of the last listing: no partition is
 * empty, and each ends on its last key rather than on a short page.
 */
public final class KeyPartitions {

    private static final String BASE32 = "abcdefghijklmnopqrstuvwxyz234567";
    private static final String BASE58 = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz";
    /** Characters a storage key can start with, in S3's (byte) order. */
    private static final char[] FIRST = sorted(BASE32 + BASE58 + "Q");
    /** Characters that can follow a prefix of a storage key, in S3's order. */
    private static final char[] NEXT = sorted(BASE32 + BASE58 + "Q/");

    private KeyPartitions() {
    }

    /** One prefix per first character a storage key can have; {@code [""]} for a sequential listing. */
    public static List<String> forParallelism(int parallelism) {
        if (parallelism <= 1) {
            return List.of("");
        }
        List<String> prefixes = new ArrayList<>();
        for (char c : FIRST) {
            prefixes.add(String.valueOf(c));
        }
        return prefixes;
    }

    /** A listed page's last key and how many keys it listed. */
    record PageEnd(String lastKey, int keys) {
    }

    /**
     * The ends of {@code ranges} key ranges of about equal numbers of keys (the last range open,
     * so at most {@code ranges - 1} ends), chosen among the page ends of a complete listing: the
     * pages of disjoint partitions, each page holding the keys since the one before it in its
     * partition, so in key order their counts add up to each end's rank.
     */
    static List<String> balancedRangeEnds(List<PageEnd> pages, int ranges) {
        List<PageEnd> sorted = new ArrayList<>(pages);
        sorted.sort(Comparator.comparing(PageEnd::lastKey));
        long total = sorted.stream().mapToLong(PageEnd::keys).sum();
        List<String> ends = new ArrayList<>();
        long reached = 0;
        int next = 1;
        for (int i = 0; i < sorted.size() - 1 && next < ranges; i++) {
            reached += sorted.get(i).keys();
            if (reached * ranges >= total * next) {
                ends.add(sorted.get(i).lastKey());
                while (next < ranges && reached * ranges >= total * next) {
                    next++;
                }
            }
        }
        return ends;
    }

    /**
     * The partitions that list the rest of {@code prefix} after {@code reached} (a key under it):
     * first the one continuing after {@code reached} under its next character, then one per
     * character that can follow {@code prefix} and sorts after that one.
     */
    static List<String> nextCharacterPrefixes(String prefix, String reached) {
        char[] chars = prefix.isEmpty() ? FIRST : NEXT;
        List<String> prefixes = new ArrayList<>();
        int depth = prefix.length();
        char from;
        if (reached.length() > depth) {
            from = reached.charAt(depth);
            prefixes.add(prefix + from);
        } else {
            from = 0; // reached is the prefix itself: every longer key is still to come
        }
        for (char c : chars) {
            if (c > from) {
                prefixes.add(prefix + c);
            }
        }
        return prefixes;
    }

    /**
     * Where {@code key} lies among the keys under a prefix of {@code depth} characters, in [0, 1):
     * its next three characters read as digits in the order of the characters keys use. Listed
     * keys per unit of it estimate how many keys a partition has left.
     */
    static double position(String key, int depth) {
        double position = 0;
        double scale = 1;
        for (int i = depth; i < Math.min(key.length(), depth + 3); i++) {
            scale /= NEXT.length + 1;
            position += rank(key.charAt(i)) * scale;
        }
        return position;
    }

    /** How many key characters sort before {@code c}, plus one if {@code c} is one. */
    private static int rank(char c) {
        int below = 0;
        while (below < NEXT.length && NEXT[below] < c) {
            below++;
        }
        return below < NEXT.length && NEXT[below] == c ? below + 1 : below;
    }

    private static char[] sorted(String chars) {
        return chars.chars().distinct().sorted().collect(StringBuilder::new, StringBuilder::appendCodePoint, StringBuilder::append)
                .toString().toCharArray();
    }
}
