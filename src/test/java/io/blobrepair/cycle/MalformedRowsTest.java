package io.blobrepair.cycle;

import io.blobrepair.repair.CycleReport;
import io.blobrepair.testing.Blob;
import io.blobrepair.testing.TestDb;
import io.blobrepair.testing.TestNode;
import io.blobrepair.testing.TestPeer;
import io.blobrepair.testing.TestS3;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** Rows that hold no usable CID are counted and skipped; the cycle carries on with the rest. */
class MalformedRowsTest {

    @Test
    void malformedRowsAreCountedAndSkipped() throws Exception {
        try (TestS3 s3 = TestS3.start(); TestPeer peer = TestPeer.start()) {
            s3.createBucket("malformed");
            TestDb db = TestDb.create();
            db.createSchema();
            Blob good = Blob.of("the one good blob");
            s3.put("malformed", good.key(), good.content());

            db.addUpload("a-empty", "audio", "", null, null);
            db.addUpload("b-null", "audio", null, null, null);
            db.addUpload("c-space", "audio", "   ", null, "{\"320\": \"not a cid\"}");
            db.addUpload("d-huge", "audio", "b" + "a".repeat(10_000), null, null);
            db.addUpload("e-good", "audio", good.cid(), null, "{\"320\": \"" + good.cid() + "\"}");
            db.execute("INSERT INTO uploads (id, template, orig_file_cid, placement_hosts, transcode_results) "
                    + "VALUES ('f-bad-json', 'audio', 'QmNotReallyACid', '{\"not\": \"an array\"}', '[1,2]')");
            db.addRows("audio_previews", "cid", List.of("", "hello world", "ba" + "z".repeat(60), "\u00e9t\u00e9"));
            db.addRows("qm_cids", "key", List.of("../../etc/passwd", "Qm" + "0".repeat(44), "QmP8Wuu1kN9iHBoBptB4UrTN3orna3Z6ZW2xevNkoE2y22/a b.jpg"));

            try (TestNode node = TestNode.start(TestNode.settings(s3, "malformed", db, TestNode.freePort(), List.of(peer.url())))) {
                CycleReport report = node.runCycle();

                assertThat(report.abortedReason()).isNull();
                assertThat(report.counters())
                        .containsEntry("empty_cid", 3L) // '' and NULL in uploads, '' in previews
                        // '   ', 'not a cid', the 10,000-char value, QmNotReallyACid, 3 previews, 3 qm_cids
                        .containsEntry("invalid_cid", 10L)
                        .containsEntry("invalid_work_row", 1L)
                        .containsEntry("total_checked", 2L) // the good CID twice
                        .containsEntry("repair_deduped", 1L)
                        // the duplicate of a held blob counts as held too, as the reference counts it
                        .containsEntry("already_have", 2L)
                        .containsEntry("repair_cid_error", 0L);
                assertThat(report.s3Requests()).containsEntry("HeadObject", 0L).containsEntry("PutObject", 0L);
                assertThat(peer.blobRequests()).isEmpty();
            }
        }
    }
}
