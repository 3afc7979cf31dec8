package io.blobrepair.index;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** What a partition vouches for after each way its listing can end. */
class ListingPartitionTest {

    @Test
    void aNewPartitionHasPagesToListAndVouchesForNothing() {
        ListingPartition p = new ListingPartition(0, "a", null);

        assertThat(p.hasMorePages()).isTrue();
        assertThat(p.isSplit()).isFalse();
        assertThat(p.hasFailed()).isFalse();
        assertThat(p.subPartitions()).isEmpty();
        assertThat(p.coverage()).isEqualTo(new ListingCoverage.Part("a", null, false));
    }

    @Test
    void pagesAddUpAndTheLastPageCompletesIt() {
        ListingPartition p = new ListingPartition(0, "a", null);

        p.listed(1000, "a5", "token1");
        assertThat(p.hasMorePages()).isTrue();
        assertThat(p.token()).isEqualTo("token1");
        assertThat(p.lastKey()).isEqualTo("a5");
        assertThat(p.keysListed()).isEqualTo(1000);
        assertThat(p.coverage()).isEqualTo(new ListingCoverage.Part("a", "a5", true));

        p.listed(7, "a9", null);
        assertThat(p.hasMorePages()).isFalse();
        assertThat(p.token()).isNull();
        assertThat(p.lastKey()).isEqualTo("a9");
        assertThat(p.keysListed()).isEqualTo(1007);
        assertThat(p.coverage()).isEqualTo(ListingCoverage.Part.complete("a"));
        assertThat(p.coverage().complete()).isTrue();
    }

    /** An empty page (no last key) keeps where the partition got to. */
    @Test
    void anEmptyPageKeepsTheLastKey() {
        ListingPartition p = new ListingPartition(0, "a", null);
        p.listed(3, "a3", "t1");

        p.listed(0, null, "t2");

        assertThat(p.lastKey()).isEqualTo("a3");
        assertThat(p.keysListed()).isEqualTo(3);
        assertThat(p.token()).isEqualTo("t2");
    }

    @Test
    void aFailedPartitionVouchesUpToItsLastKeyAndListsNoMore() {
        ListingPartition p = new ListingPartition(0, "a", null);
        p.listed(1000, "a5", "token1");

        p.failed();

        assertThat(p.hasFailed()).isTrue();
        assertThat(p.hasMorePages()).isFalse();
        assertThat(p.isSplit()).isFalse();
        assertThat(p.coverage()).isEqualTo(new ListingCoverage.Part("a", "a5", true));
        assertThat(p.coverage().complete()).isFalse();
    }

    /** Failed on its first page after a split: it reached its start key, which the partition before it listed. */
    @Test
    void aPartitionFailingAtOnceVouchesUpToItsStartKey() {
        ListingPartition p = new ListingPartition(0, "a5", "a5x");

        p.failed();

        assertThat(p.coverage()).isEqualTo(new ListingCoverage.Part("a5", "a5x", true));
    }

    @Test
    void aPartitionFailingAtOnceWithoutAStartKeyVouchesForNothing() {
        ListingPartition p = new ListingPartition(0, "a", null);

        p.failed();

        assertThat(p.coverage()).isEqualTo(new ListingCoverage.Part("a", null, false));
    }

    @Test
    void aSplitPartitionHandsTheRestToItsSubPartitions() {
        ListingPartition p = new ListingPartition(1, "a", null);
        p.listed(1000, "a5", "token1");
        List<ListingPartition> rest = new ArrayList<>(List.of(new ListingPartition(1, "a5", "a5"), new ListingPartition(1, "a6", null)));

        p.split(rest);
        rest.clear();

        assertThat(p.isSplit()).isTrue();
        assertThat(p.hasMorePages()).isFalse();
        assertThat(p.hasFailed()).isFalse();
        assertThat(p.subPartitions()).extracting(s -> s.prefix).containsExactly("a5", "a6");
        assertThat(p.coverage()).isEqualTo(new ListingCoverage.Part("a", "a5", true));
    }

    /** A key range vouches for its keys only: after its start, up to its end once done, up to the last key listed before a failure. */
    @Test
    void aKeyRangeVouchesForItsOwnKeys() {
        ListingPartition done = ListingPartition.range(0, "b", "d");
        done.listed(5, "d", null);
        ListingCoverage doneCoverage = new ListingCoverage(List.of(done.coverage()));
        assertThat(doneCoverage.covers("b")).isFalse();
        assertThat(doneCoverage.covers("b0")).isTrue();
        assertThat(doneCoverage.covers("d")).isTrue();
        assertThat(doneCoverage.covers("d0")).isFalse();
        assertThat(done.coverage().complete()).isTrue();
        assertThat(done.pastEnd("d0")).isTrue();
        assertThat(done.isEnd("d")).isTrue();

        ListingPartition failed = ListingPartition.range(0, "b", "d");
        failed.listed(3, "c", "t1");
        failed.failed();
        ListingCoverage failedCoverage = new ListingCoverage(List.of(failed.coverage()));
        assertThat(failedCoverage.covers("c")).isTrue();
        assertThat(failedCoverage.covers("c0")).isFalse();
        assertThat(failed.coverage().complete()).isFalse();

        ListingPartition nothing = ListingPartition.range(0, null, "d");
        nothing.failed();
        assertThat(nothing.coverage().listed()).isFalse();

        ListingPartition last = ListingPartition.range(0, "x", null);
        last.listed(2, "z", null);
        assertThat(new ListingCoverage(List.of(last.coverage())).covers("zzzz")).isTrue();
        assertThat(last.pastEnd("zzzz")).isFalse();
    }
}
