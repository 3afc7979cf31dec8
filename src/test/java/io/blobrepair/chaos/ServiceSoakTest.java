package io.blobrepair.chaos;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The service soak run short: 30 cycles of one node on its schedule while its bucket and work
 * lists change. After them it holds no more threads, descriptors (beyond the slack of keep-alive
 * connections) or staging files than after the warm-up.
 */
class ServiceSoakTest {

    @Test
    void thirtyCyclesOfAChangingBucketLeaveNoMoreThreadsDescriptorsOrStagingFilesThanTheWarmUp() throws Exception {
        ServiceSoak.Result r;
        try (ServiceSoak soak = new ServiceSoak(30)) {
            r = soak.run();
        }
        String table = ServiceSoak.table(r);
        System.out.println(table);

        // the cycles had work: pulls of new and lost blobs, pulls that failed (wrong bytes), and
        // corrupted copies deleted by cleanups
        assertThat(r.counters().get("pull_mine_success")).isGreaterThan(30);
        assertThat(r.counters().get("pull_mine_fail")).isGreaterThan(10);
        assertThat(r.counters().get("delete_invalid_success")).isGreaterThanOrEqualTo(5);
        assertThat(r.threadsFlat()).as(table).isTrue();
        assertThat(r.fdsFlat()).as(table).isTrue();
        assertThat(r.tempFilesFlat()).as(table).isTrue();
    }
}
