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
                        + "('uploads', 'audio_previews', 'qm_cids', 'repair_runs', 'repair_data_loss', 'qrtz_triggers', 'qrtz_locks')"))
                        .isEqualTo(7);
                // a replica starting later changes nothing
                Schema.init(db.dataSource(), true);
            }
        } finally {
            pool.shutdownNow();
        }
    }

    /** A table the reference created before its exhaustive sweep (no last_attempt_exhaustive) gains the column. */
    @Test
    void anOlderReferenceDataLossTableGainsTheExhaustiveColumn() throws Exception {
        TestDb db = TestDb.create();
        db.execute("""
                create table if not exists repair_data_loss (
                  "cid" text primary key,
                  "first_failed_at" timestamptz not null default now(),
                  "last_failed_at" timestamptz not null default now(),
                  "failed_cycles" int not null default 0,
                  "declared_at" timestamptz, "recheck_after" timestamptz, "recovered_at" timestamptz);
                insert into repair_data_loss (cid, failed_cycles) values ('baeaaaiqsedr3brcctd6byfe27p2mrglpxescplsb4rsjxe2muskzsg3ykk4fk', 2);
                """);

        Schema.init(db.dataSource(), false);

        DataLossLedger.Entry kept = new DataLossLedger(db.dataSource()).find("baeaaaiqsedr3brcctd6byfe27p2mrglpxescplsb4rsjxe2muskzsg3ykk4fk");
        assertThat(kept.failedCycles()).isEqualTo(2);
        assertThat(kept.lastAttemptExhaustive()).isFalse();
        assertThat(kept.lastFailedCycle()).isNull();
    }

    /** Rows of the one-bad-cycle ledger of earlier versions carry over as evidence; the old table is kept, renamed. */
    @Test
    void lostBlobsOfEarlierVersionsCarryOverAsEvidence() throws Exception {
        TestDb db = TestDb.create();
        db.execute("""
                CREATE TABLE lost_blobs (cid text PRIMARY KEY, storage_key text NOT NULL, first_seen timestamptz NOT NULL,
                    last_tried timestamptz NOT NULL, hosts_tried text NOT NULL, tries integer NOT NULL);
                INSERT INTO lost_blobs VALUES ('QmLost1', 'QmLost1', '2025-01-01T00:00:00Z', '2025-01-05T00:00:00Z', 'http://a,http://b', 3),
                                              ('QmLost2', 'QmLost2', '2025-02-01T00:00:00Z', '2025-02-01T00:00:00Z', 'http://a', 1);
                """);

        Schema.init(db.dataSource(), false);
        Schema.init(db.dataSource(), false); // a restart changes nothing

        DataLossLedger ledger = new DataLossLedger(db.dataSource());
        DataLossLedger.Entry first = ledger.find("QmLost1");
        assertThat(first.failedCycles()).isEqualTo(3);
        assertThat(first.firstFailedAt()).isEqualTo(java.time.Instant.parse("2025-01-01T00:00:00Z"));
        assertThat(first.lastFailedAt()).isEqualTo(java.time.Instant.parse("2025-01-05T00:00:00Z"));
        assertThat(first.declaredAt()).isNull();
        assertThat(first.recoveredAt()).isNull();
        assertThat(ledger.open()).containsOnlyKeys("QmLost1", "QmLost2");
        assertThat(ledger.recent(10)).extracting(row -> row.get("cid")).containsExactly("QmLost2", "QmLost1");
        assertThat(db.queryLong("SELECT count(*) FROM lost_blobs_before_data_loss")).isEqualTo(2);
        assertThat(db.queryLong("SELECT count(*) FROM information_schema.tables WHERE table_name = 'lost_blobs'")).isZero();
    }
}
