package io.blobrepair.index;

import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Lookups, coverage and deletions per bucket, on a table built as a listing builds it. */
class PresenceIndexTest {

    private static final Instant BUILT = Instant.parse("2026-01-02T03:04:05Z");
    /** Last-modified times, in whole seconds (the table keeps seconds since 2000). */
    private static final long T1 = Instant.parse("2025-01-01T00:00:01Z").toEpochMilli();
    private static final long T2 = Instant.parse("2025-01-01T00:00:02Z").toEpochMilli();
    private static final long T3 = Instant.parse("2025-01-01T00:00:03Z").toEpochMilli();

    /** Primary keys "a1" (10 bytes) and "b1" (20), listed up to "m"; archive key "x1" (30), listed completely. */
    private static PresenceIndex index(ListingCoverage primary, ListingCoverage archive) {
        List<ListedKeyTableTest.Cell> cells = List.of(cell("a1", false, 10, T1), cell("b1", false, 20, T2),
                cell("x1", true, 30, T3));
        return new PresenceIndex(ListedKeyTableTest.seal(cells, 2), "primary", "archive", primary, archive, BUILT, 30, null,
                new ListingStats(3, 2, 1, 5));
    }

    private static PresenceIndex index() {
        return index(new ListingCoverage(List.of(new ListingCoverage.Part("", "m", true))),
                new ListingCoverage(List.of(ListingCoverage.Part.complete(""))));
    }

    private static ListedKeyTableTest.Cell cell(String key, boolean archive, long size, long modified) {
        KeyHash h = KeyHash.of(key);
        return new ListedKeyTableTest.Cell(h.hi(), h.lo(), archive, size, modified);
    }

    @Test
    void anUnavailableIndexCoversNothingInAnyBucket() {
        PresenceIndex index = PresenceIndex.unavailable(BUILT);

        assertThat(index.available()).isFalse();
        assertThat(index.covers("a1")).isFalse();
        assertThat(index.covers("primary", "a1")).isFalse();
        assertThat(index.covers("archive", "a1")).isFalse();
        assertThat(index.lookup("a1")).isNull();
        assertThat(index.lookup("primary", "a1")).isNull();
        index.markAbsent("primary", "a1");
        assertThat(index.entries()).isZero();
        assertThat(index.totalBytes()).isZero();
        assertThat(index.filter()).isEmpty();
        assertThat(index.builtAt()).isEqualTo(BUILT);
        assertThat(index.stats()).isEqualTo(ListingStats.NONE);
    }

    @Test
    void eachBucketHasItsOwnCoverage() {
        PresenceIndex index = index();

        assertThat(index.available()).isTrue();
        assertThat(index.covers("a1")).isTrue();
        assertThat(index.covers("primary", "a1")).isTrue();
        assertThat(index.covers("n1")).isFalse();
        assertThat(index.covers("primary", "n1")).isFalse();
        assertThat(index.covers("archive", "n1")).isTrue();
    }

    @Test
    void anIndexIsAvailableWhenEitherBucketIsPartlyListed() {
        assertThat(index(ListingCoverage.none(), new ListingCoverage(List.of(ListingCoverage.Part.complete("")))).available()).isTrue();
        assertThat(index(new ListingCoverage(List.of(new ListingCoverage.Part("", "m", true))), ListingCoverage.none()).available())
                .isTrue();
        assertThat(index(ListingCoverage.none(), ListingCoverage.none()).available()).isFalse();
    }

    @Test
    void lookupsAnswerWithTheListedFactsOfTheNamedBucket() {
        PresenceIndex index = index();

        assertThat(index.lookup("a1")).isEqualTo(new ObjectFacts(10, T1));
        assertThat(index.lookup("primary", "b1")).isEqualTo(new ObjectFacts(20, T2));
        assertThat(index.lookup("archive", "x1")).isEqualTo(new ObjectFacts(30, T3));
        assertThat(index.lookup("archive", "a1")).isNull();
        assertThat(index.lookup("x1")).isNull();
        assertThat(index.lookup("c1")).isNull();
        assertThat(index.entries()).isEqualTo(3);
        assertThat(index.totalBytes()).isEqualTo(30);
        assertThat(index.builtAt()).isEqualTo(BUILT);
        assertThat(index.stats()).isEqualTo(new ListingStats(3, 2, 1, 5));
    }

    @Test
    void aKeyMarkedAbsentIsGoneFromItsBucketOnly() {
        PresenceIndex index = index();

        index.markAbsent("a1");
        index.markAbsent("archive", "x1");

        assertThat(index.lookup("a1")).isNull();
        assertThat(index.lookup("archive", "x1")).isNull();
        assertThat(index.lookup("b1")).isEqualTo(new ObjectFacts(20, T2));
        assertThat(index.entries()).isEqualTo(1);
        // still covered: the listing saw the key, which is now known absent
        assertThat(index.covers("a1")).isTrue();
    }

    @Test
    void markingAbsentInTheArchiveLeavesThePrimaryCopy() {
        PresenceIndex index = index();

        index.markAbsent("archive", "a1");
        index.markAbsent("primary", "b1");

        assertThat(index.lookup("a1")).isEqualTo(new ObjectFacts(10, T1));
        assertThat(index.lookup("b1")).isNull();
        assertThat(index.lookup("archive", "x1")).isEqualTo(new ObjectFacts(30, T3));
    }

    @Test
    void aBucketTheIndexDidNotListIsAnError() {
        PresenceIndex index = index();

        assertThatThrownBy(() -> index.covers("elsewhere", "a1")).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("elsewhere");
        assertThatThrownBy(() -> index.lookup("elsewhere", "a1")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> index.markAbsent("elsewhere", "a1")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> index.lookup(null, "a1")).isInstanceOf(NullPointerException.class);
    }

    /** A complete listing's filter is served to peers; an index without one has none to serve. */
    @Test
    void theFilterIsTheOneTheListingBuilt() {
        ListedKeyTable table = ListedKeyTableTest.seal(List.of(cell("a1", false, 10, T1)), 2);
        PresenceFilter filter = PresenceFilter.of(table, BUILT);
        ListingCoverage complete = new ListingCoverage(List.of(ListingCoverage.Part.complete("")));

        PresenceIndex index = new PresenceIndex(table, "primary", null, complete, ListingCoverage.none(), BUILT, 10, filter,
                ListingStats.NONE);

        assertThat(index.filter()).containsSame(filter);
        assertThat(index().filter()).isEmpty();
    }
}
