package io.blobrepair.index;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

class KeyPartitionsTest {

    /** Every character a storage key can start with: base58's digits 1-9, A-Z but I and O, a-z (base32 adds l). */
    private static final List<String> FIRST = characters("123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz");

    @Test
    void aSequentialListingIsOnePartitionOfTheWholeBucket() {
        assertThat(KeyPartitions.forParallelism(1)).containsExactly("");
        assertThat(KeyPartitions.forParallelism(0)).containsExactly("");
    }

    @Test
    void aParallelListingHasOnePartitionPerFirstCharacterInS3Order() {
        assertThat(KeyPartitions.forParallelism(2)).containsExactlyElementsOf(FIRST);
        assertThat(KeyPartitions.forParallelism(8)).containsExactlyElementsOf(FIRST);
    }

    /** The whole bucket split after "b12": "b" first (listed on from there), then every later first character. */
    @Test
    void splittingTheWholeBucketContinuesUnderTheReachedCharacterThenTheLaterOnes() {
        List<String> expected = new ArrayList<>(List.of("b"));
        expected.addAll(FIRST.subList(FIRST.indexOf("c"), FIRST.size()));

        assertThat(KeyPartitions.nextCharacterPrefixes("", "b12")).containsExactlyElementsOf(expected);
    }

    /** A partition split after "aQ7": "aQ", then a + every character after Q; the '/' after a shard sorts first. */
    @Test
    void splittingAPartitionUsesTheCharactersThatCanFollowAPrefix() {
        List<String> expected = new ArrayList<>(List.of("aQ"));
        for (String c : FIRST.subList(FIRST.indexOf("R"), FIRST.size())) {
            expected.add("a" + c);
        }

        assertThat(KeyPartitions.nextCharacterPrefixes("a", "aQ7")).containsExactlyElementsOf(expected);
    }

    /** Reached only the prefix itself (the key "a"): every longer key is still to come, "a/" first. */
    @Test
    void reachingThePrefixItselfLeavesEveryNextCharacter() {
        List<String> expected = new ArrayList<>(List.of("a/"));
        for (String c : FIRST) {
            expected.add("a" + c);
        }

        assertThat(KeyPartitions.nextCharacterPrefixes("a", "a")).containsExactlyElementsOf(expected);
    }

    @Test
    void reachingTheLastCharacterLeavesOnlyItsOwnPartition() {
        assertThat(KeyPartitions.nextCharacterPrefixes("", "zzz")).containsExactly("z");
    }

    /**
     * A key's position under a prefix: its next three characters as digits of base 61 (60 key
     * characters, 0 for none), '/' the lowest key character.
     */
    @Test
    void positionReadsTheNextThreeCharactersAsDigits() {
        double digit = 1.0 / 61;
        assertThat(KeyPartitions.position("", 0)).isZero();
        assertThat(KeyPartitions.position("/", 0)).isEqualTo(digit);
        assertThat(KeyPartitions.position("1", 0)).isEqualTo(2 * digit);
        assertThat(KeyPartitions.position("z", 0)).isEqualTo(60 * digit);
        assertThat(KeyPartitions.position("//", 0)).isEqualTo(digit + digit * digit);
        assertThat(KeyPartitions.position("///", 0)).isEqualTo(digit + digit * digit + digit * digit * digit);
        // only three characters count
        assertThat(KeyPartitions.position("////", 0)).isEqualTo(KeyPartitions.position("///", 0));
        // the prefix's own characters do not
        assertThat(KeyPartitions.position("ab", 1)).isEqualTo(KeyPartitions.position("b", 0));
        assertThat(KeyPartitions.position("a", 1)).isZero();
    }

    /** A character no key uses counts as the key character just below it. */
    @Test
    void aCharacterNoKeyUsesSortsBetweenItsNeighbours() {
        // '0' is neither base32 nor base58: between '/' and '1'
        assertThat(KeyPartitions.position("0", 0)).isEqualTo(KeyPartitions.position("/", 0));
        assertThat(KeyPartitions.position("!", 0)).isZero();
        assertThat(KeyPartitions.position("~", 0)).isEqualTo(KeyPartitions.position("z", 0));
    }

    @Test
    void positionsFollowTheKeysOrderAndStayBelowOne() {
        List<String> keys = List.of("1", "11", "19", "2", "Q", "Qm", "QmZ", "a", "a/", "b7", "zzy", "zzz");
        for (int i = 1; i < keys.size(); i++) {
            assertThat(KeyPartitions.position(keys.get(i), 0)).as(keys.get(i))
                    .isGreaterThan(KeyPartitions.position(keys.get(i - 1), 0));
        }
        assertThat(KeyPartitions.position("zzzzzz", 0)).isLessThan(1);
    }

    /** Ten pages of 100 keys from two partitions, in no order: four ranges end after 300, 500 and 800 keys. */
    @Test
    void rangeEndsCutTheListedKeysIntoEqualShares() {
        List<KeyPartitions.PageEnd> pages = new java.util.ArrayList<>();
        for (int p = 9; p >= 0; p--) {
            pages.add(new KeyPartitions.PageEnd((p < 5 ? "a" : "b") + p, 100));
        }
        assertThat(KeyPartitions.balancedRangeEnds(pages, 4)).containsExactly("a2", "a4", "b7");
        assertThat(KeyPartitions.balancedRangeEnds(pages, 1)).isEmpty();
    }

    /** Short pages (a partition's last) weigh what they hold; an end is never the last page's, and never twice. */
    @Test
    void rangeEndsWeighPagesByTheirKeys() {
        List<KeyPartitions.PageEnd> pages = List.of(new KeyPartitions.PageEnd("a1", 1000), new KeyPartitions.PageEnd("a2", 10),
                new KeyPartitions.PageEnd("b1", 1000), new KeyPartitions.PageEnd("b2", 1000), new KeyPartitions.PageEnd("c1", 990));
        assertThat(KeyPartitions.balancedRangeEnds(pages, 4)).containsExactly("a1", "b1", "b2");
        assertThat(KeyPartitions.balancedRangeEnds(List.of(new KeyPartitions.PageEnd("a", 1000), new KeyPartitions.PageEnd("b", 5)), 8))
                .containsExactly("a");
        assertThat(KeyPartitions.balancedRangeEnds(List.of(), 8)).isEmpty();
    }

    private static List<String> characters(String chars) {
        return chars.chars().mapToObj(c -> String.valueOf((char) c)).toList();
    }
}
