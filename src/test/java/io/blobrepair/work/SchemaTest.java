package io.blobrepair.work;

import io.blobrepair.testing.TestDb;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/** Replicas starting together against one empty database all come up, with one schema. */
class SchemaTest {

    private static final int REPLICAS = 4;

    @Test
    void replicasInitialisingTogetherAllSucceedAndLeaveEveryTable() throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(REPLICAS);
        try {
            for (int round = 0; round < 5; round++) {
                TestDb db = TestDb.create();
                CyclicBarrier together = new CyclicBarrier(REPLICAS);
                List<Future<?>> starts = new ArrayList<>();
                for (int r = 0; r < REPLICAS; r++) {
                    starts.add(pool.submit(() -> {
                        together.await();
                        Schema.init(db.dataSource(), true);
                        return null;
                    }));
                }
                for (Future<?> start : starts) {
                    start.get(60, TimeUnit.SECONDS); // rethrows a replica's failure
                }
                assertThat(db.queryLong("SELECT count(*) FROM information_schema.tables WHERE table_name IN "
                        + "('uploads', 'audio_previews', 'qm_cids', 'repair_runs', 'lost_blobs', 'qrtz_triggers', 'qrtz_locks')"))
                        .isEqualTo(7);
                // a replica starting later changes nothing
                Schema.init(db.dataSource(), true);
            }
        } finally {
            pool.shutdownNow();
        }
    }
}
