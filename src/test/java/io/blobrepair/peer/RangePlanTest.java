package io.blobrepair.peer;

import io.blobrepair.peer.RangePlan.ContentRange;
import io.blobrepair.peer.RangePlan.Range;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** Range planning and resumption: which bytes each request asks for, and when a range has no request left. */
class RangePlanTest {

    private static final long MIB = 1 << 20;

    /** Serves the plan's requests from a peer that answers every range whole. */
    private static List<Range> servedWhole(RangePlan plan, long total) {
        List<Range> asked = new ArrayList<>();
        while (!plan.complete()) {
            Range r = plan.next();
            asked.add(r);
            long last = Math.min(r.last(), total - 1);
            assertThat(plan.problemWith(r, new ContentRange(new Range(r.first(), last), total))).isEmpty();
            plan.received(last - r.first() + 1);
        }
        return asked;
    }

    @Test
    void aBlobWithinOneRangeIsOneRequest() {
        RangePlan plan = new RangePlan(4 * MIB);
        assertThat(servedWhole(plan, 1000)).containsExactly(new Range(0, 4 * MIB - 1));
        assertThat(plan.total()).isEqualTo(1000);
        assertThat(plan.received()).isEqualTo(1000);
    }

    @Test
    void aLargerBlobIsAskedForInFixedRangesTheLastOneShort() {
        RangePlan plan = new RangePlan(4 * MIB);
        assertThat(servedWhole(plan, 10 * MIB)).containsExactly(
                new Range(0, 4 * MIB - 1), new Range(4 * MIB, 8 * MIB - 1), new Range(8 * MIB, 10 * MIB - 1));
        assertThat(new Range(8 * MIB, 10 * MIB - 1).header()).isEqualTo("bytes=8388608-10485759");
    }

    @Test
    void aBodyCutShortResumesFromTheByteItReachedToTheEndOfItsRange() {
        RangePlan plan = new RangePlan(4 * MIB);
        Range first = plan.next();
        assertThat(plan.problemWith(first, new ContentRange(first, 40 * MIB))).isEmpty();
        plan.received(3 * MIB); // then the connection broke
        assertThat(plan.mayRetry()).isTrue();

        Range resumed = plan.next();
        assertThat(resumed).isEqualTo(new Range(3 * MIB, 4 * MIB - 1));
        assertThat(plan.problemWith(resumed, new ContentRange(resumed, 40 * MIB))).isEmpty();
        plan.received(resumed.length());
        // the range is whole: the next one starts with all its attempts
        assertThat(plan.next()).isEqualTo(new Range(4 * MIB, 8 * MIB - 1));
        assertThat(plan.mayRetry()).isTrue();
    }

    @Test
    void aRangeHasThreeRequestsEvenWhenEachBringsAFewBytes() {
        RangePlan plan = new RangePlan(4 * MIB);
        Range first = plan.next();
        assertThat(plan.problemWith(first, new ContentRange(first, 40 * MIB))).isEmpty();
        plan.received(MIB);
        assertThat(plan.mayRetry()).isTrue();
        plan.next();
        plan.received(MIB);
        assertThat(plan.mayRetry()).isTrue();
        assertThat(plan.next()).isEqualTo(new Range(2 * MIB, 4 * MIB - 1));
        plan.received(MIB);
        assertThat(plan.mayRetry()).as("three requests for one range").isFalse();
        assertThat(RangePlan.ATTEMPTS_PER_RANGE).isEqualTo(3);
    }

    @Test
    void aPeerMaySendLessThanAskedAndTheRestOfTheRangeIsAskedNext() {
        RangePlan plan = new RangePlan(4 * MIB);
        Range first = plan.next();
        assertThat(plan.problemWith(first, new ContentRange(new Range(0, MIB - 1), 10 * MIB))).isEmpty();
        plan.received(MIB);
        assertThat(plan.next()).isEqualTo(new Range(MIB, 4 * MIB - 1));
    }

    @Test
    void answersOtherThanAskedAreProblems() {
        RangePlan plan = new RangePlan(4 * MIB);
        Range first = plan.next();
        assertThat(plan.problemWith(first, new ContentRange(new Range(0, 5 * MIB - 1), 10 * MIB)))
                .hasValueSatisfying(p -> assertThat(p).contains("longer than asked"));
        assertThat(plan.problemWith(first, new ContentRange(new Range(1, MIB), 10 * MIB)))
                .hasValueSatisfying(p -> assertThat(p).contains("asked from 0"));
        assertThat(plan.total()).as("no answer accepted yet").isEqualTo(-1);

        assertThat(plan.problemWith(first, new ContentRange(first, 10 * MIB))).isEmpty();
        plan.received(first.length());
        Range second = plan.next();
        assertThat(plan.problemWith(second, new ContentRange(second, 11 * MIB)))
                .hasValueSatisfying(p -> assertThat(p).contains("size changed"));
    }

    @Test
    void contentRangeHeadersAreReadStrictly() {
        assertThat(ContentRange.parse("bytes 0-99/1000")).contains(new ContentRange(new Range(0, 99), 1000));
        assertThat(ContentRange.parse(" bytes 999-999/1000 ")).contains(new ContentRange(new Range(999, 999), 1000));
        assertThat(ContentRange.parse("bytes 0-99/*")).isEmpty();
        assertThat(ContentRange.parse("bytes */1000")).isEmpty();
        assertThat(ContentRange.parse("bytes 0-1000/1000")).as("past the end").isEmpty();
        assertThat(ContentRange.parse("bytes 5-4/1000")).as("backwards").isEmpty();
        assertThat(ContentRange.parse("bytes 0-99/99999999999999999999")).as("absurd").isEmpty();
        assertThat(ContentRange.parse("items 0-99/1000")).isEmpty();
        assertThat(ContentRange.parse(null)).isEmpty();
    }
}
