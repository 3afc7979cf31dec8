package io.blobrepair.work;

import io.blobrepair.testing.TestDb;
import org.junit.jupiter.api.Test;

import java.time.Instant;

import static org.assertj.core.api.Assertions.assertThat;

/** Uploads carry their creation time; a node's table without created_at keeps working (read as NULL). */
class WorkListStoreTest {

    @Test
    void uploadsCarryTheirCreationTime() throws Exception {
        TestDb db = TestDb.create();
        db.createSchema();
        db.execute("INSERT INTO uploads (id, template, orig_file_cid, created_at) VALUES"
                + " ('u1', 'img_square', 'QmOrig', '2025-03-01T12:00:00Z'), ('u2', 'img_square', 'QmOther', NULL)");
        WorkListStore store = new WorkListStore(db.dataSource(), 1000);

        WorkListStore.Batch batch = store.next(store.resolve(WorkLists.UPLOADS), null);

        assertThat(batch.items()).extracting(WorkItem::createdAt).containsExactly(Instant.parse("2025-03-01T12:00:00Z"), null);
    }

    @Test
    void anUploadsTableWithoutCreatedAtIsReadWithNone() throws Exception {
        TestDb db = TestDb.create();
        db.execute("CREATE TABLE uploads (id text PRIMARY KEY, template text, orig_file_cid text, placement_hosts text,"
                + " transcode_results text)");
        db.execute("INSERT INTO uploads (id, template, orig_file_cid) VALUES ('u1', 'audio', 'QmOrig')");
        WorkListStore store = new WorkListStore(db.dataSource(), 1000);

        WorkListStore.Batch batch = store.next(store.resolve(WorkLists.UPLOADS), null);

        assertThat(batch.items()).containsExactly(new WorkItem("QmOrig", java.util.List.of(), null));
        assertThat(batch.malformedRows()).isZero();
    }
}
