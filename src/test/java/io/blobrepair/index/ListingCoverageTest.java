package io.blobrepair.index;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

class ListingCoverageTest {

    @Test
    void aCompleteListingCoversEveryKey() {
        ListingCoverage coverage = new ListingCoverage(List.of(ListingCoverage.Part.complete("")));

        assertThat(coverage.covers("a")).isTrue();
        assertThat(coverage.covers("zzz")).isTrue();
        assertThat(coverage.isComplete()).isTrue();
        assertThat(coverage.coversAnything()).isTrue();
    }

    @Test
    void noListingCoversNothingAndIsNotComplete() {
        ListingCoverage none = ListingCoverage.none();

        assertThat(none.covers("a")).isFalse();
        assertThat(none.isComplete()).isFalse();
        assertThat(none.coversAnything()).isFalse();
    }

    /** A listing that failed after "m": trusted up to and including its last key, not after it. */
    @Test
    void aPartlyListedPartitionCoversUpToItsLastKeyInclusive() {
        ListingCoverage coverage = new ListingCoverage(List.of(new ListingCoverage.Part("", "m", true)));

        assertThat(coverage.covers("a")).isTrue();
        assertThat(coverage.covers("m")).isTrue();
        assertThat(coverage.covers("m0")).isFalse();
        assertThat(coverage.covers("n")).isFalse();
        assertThat(coverage.isComplete()).isFalse();
        assertThat(coverage.coversAnything()).isTrue();
    }

    /** Failed on its first page: the partition covers nothing, not even keys before where it stopped. */
    @Test
    void aPartitionWithNothingListedCoversNothing() {
        ListingCoverage coverage = new ListingCoverage(List.of(new ListingCoverage.Part("", null, false)));

        assertThat(coverage.covers("a")).isFalse();
        assertThat(coverage.isComplete()).isFalse();
        assertThat(coverage.coversAnything()).isFalse();
    }

    /** Each partition covers only keys under its prefix; one incomplete partition makes the whole incomplete. */
    @Test
    void partitionsCoverOnlyTheirOwnPrefix() {
        ListingCoverage coverage = new ListingCoverage(List.of(
                ListingCoverage.Part.complete("a"),
                new ListingCoverage.Part("b", "b5", true),
                new ListingCoverage.Part("c", null, false)));

        assertThat(coverage.covers("a9")).isTrue();
        assertThat(coverage.covers("b1")).isTrue();
        assertThat(coverage.covers("b6")).isFalse();
        assertThat(coverage.covers("c1")).isFalse();
        assertThat(coverage.covers("d")).isFalse();
        assertThat(coverage.isComplete()).isFalse();
        assertThat(coverage.coversAnything()).isTrue();
    }

    @Test
    void everyPartitionListedToItsEndIsComplete() {
        ListingCoverage coverage = new ListingCoverage(List.of(ListingCoverage.Part.complete("a"), ListingCoverage.Part.complete("b")));

        assertThat(coverage.isComplete()).isTrue();
        assertThat(coverage.covers("b")).isTrue();
        assertThat(coverage.covers("c")).isFalse();
    }

    /** The coverage keeps its own copy: a later change to the caller's list does not widen it. */
    @Test
    void theCallersListIsCopied() {
        List<ListingCoverage.Part> parts = new java.util.ArrayList<>(List.of(new ListingCoverage.Part("", "m", true)));
        ListingCoverage coverage = new ListingCoverage(parts);

        parts.set(0, ListingCoverage.Part.complete(""));

        assertThat(coverage.covers("n")).isFalse();
        assertThat(coverage.isComplete()).isFalse();
    }
}
