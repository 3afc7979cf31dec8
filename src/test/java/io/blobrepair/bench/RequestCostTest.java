package io.blobrepair.bench;

import io.blobrepair.bench.RequestCost.Row;
import io.blobrepair.bench.RequestCost.Schedule;
import io.blobrepair.bench.RequestCost.Strategy;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

class RequestCostTest {

    private static final Schedule HOURLY = new Schedule(24, 4, 64, 30, 1.0);

    @Test
    void listingIsItsPagesPlusTheMeasuredOverhead() {
        assertThat(RequestCost.listingRequests(1_000_000, 30)).isEqualTo(1_030);
        assertThat(RequestCost.listingRequests(1_000_001, 0)).isEqualTo(1_001);
        assertThat(RequestCost.overheadOf(1_020, 990_000)).isEqualTo(30);
        assertThat(RequestCost.overheadOf(3, 2_970)).isZero();
    }

    @Test
    void hundredMillionKeysHourly() {
        List<Row> rows = RequestCost.rows(100_000_000, HOURLY);
        Row listing = rows.get(0);
        assertThat(listing.strategy()).isEqualTo(Strategy.LISTING_EVERY_CYCLE);
        assertThat(listing.listPerDay()).isEqualTo(24 * 100_030L);
        assertThat(listing.headPerDay()).isZero();
        assertThat(listing.dollarsPerDay()).isCloseTo(24 * 100_030 * 0.005 / 1000, within(1e-9));
        assertThat(listing.dollarsPerCycle()).isCloseTo(0.50015, within(1e-9));

        Row store = rows.get(1);
        // 6 cleanup cycles list, the other 18 send 64 HeadObject each
        assertThat(store.listPerDay()).isEqualTo(6 * 100_030L);
        assertThat(store.headPerDay()).isEqualTo(18 * 64L);
        assertThat(store.dollarsPerDay()).isCloseTo(6 * 100_030 * 0.005 / 1000 + 18 * 64 * 0.0004 / 1000, within(1e-9));
        assertThat(store.listPerCycle()).isCloseTo(6 * 100_030 / 24.0, within(1e-9));

        Row head = rows.get(2);
        assertThat(head.headPerDay()).isEqualTo(2_400_000_000L);
        assertThat(head.dollarsPerDay()).isCloseTo(960.0, within(1e-9));
        assertThat(head.dollarsPerCycle()).isCloseTo(40.0, within(1e-9));
    }

    @Test
    void badScheduleIsRefused() {
        assertThatThrownBy(() -> new Schedule(24, 0, 64, 0, 1)).isInstanceOf(IllegalArgumentException.class);
    }
}
