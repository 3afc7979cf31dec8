package io.blobrepair.cycle;

import com.fasterxml.jackson.databind.JsonNode;
import io.blobrepair.peer.StagingArea;
import io.blobrepair.repair.CycleReport;
import io.blobrepair.testing.Blob;
import io.blobrepair.testing.ChildJvm;
import io.blobrepair.testing.TestDb;
import io.blobrepair.testing.TestNode;
import io.blobrepair.testing.TestPeer;
import io.blobrepair.testing.TestS3;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Large blobs pulled in byte ranges through a staging directory, from real HTTP peers into a real
 * S3 protocol server: resumed where a body was cut, read whole from a peer that ignores
 * {@code Range}, deferred when the staging disk has no room, refused from peers that break the
 * protocol or send other bytes; no staging file outlives its pull or a crash.
 */
@Timeout(value = 10, unit = TimeUnit.MINUTES)
class LargeBlobPullTest {

    private static final int MIB = 1 << 20;
    private static TestS3 s3;
    private static int buckets;

    @TempDir
    Path staging;

    @BeforeAll
    static void start() throws Exception {
        s3 = TestS3.start();
    }

    @AfterAll
    static void stop() throws Exception {
        s3.close();
    }

    /** A node missing {@code blob}, which only {@code peer} serves, pulling in 4 MiB ranges, storing in 5 MiB parts. */
    private Map<String, String> node(Blob blob, TestPeer peer) throws Exception {
        String bucket = "ranged-" + (++buckets);
        s3.createBucket(bucket);
        TestDb db = TestDb.create();
        db.createSchema();
        db.addRows("audio_previews", "cid", List.of(blob.cid()));
        Map<String, String> settings = TestNode.settings(s3, bucket, db, TestNode.freePort(), List.of(peer.url()));
        settings.put("repair.pull.range-size", "4MiB");
        settings.put("repair.s3.part-size", "5MiB");
        settings.put("repair.pull.staging-dir", staging.toString());
        settings.put("repair.pull.read-timeout", "5s");
        return settings;
    }

    private List<Path> stagingFiles() throws IOException {
        try (Stream<Path> files = Files.list(staging)) {
            return files.filter(f -> f.getFileName().toString().startsWith(StagingArea.PREFIX)).toList();
        }
    }

    /**
     * The case, in a child JVM whose heap is bounded: 40 MiB in 4 MiB ranges from a peer
     * that hangs up after 3 MiB of every answer, each range resumed at the byte it reached.
     */
    @Test
    void aFortyMibBlobCutEveryThreeMibArrivesWholeInACycleAtSixtyFourMibOfHeap() throws Exception {
        Blob blob = Blob.random(40 * MIB, 40);
        try (TestPeer peer = TestPeer.start()) {
            peer.serve(blob.cid(), blob.content());
            peer.cutEveryResponseAfter(blob.cid(), 3 * MIB);
            s3.createBucket("ranged-heap");
            TestDb db = TestDb.create();
            db.createSchema();
            db.addRows("audio_previews", "cid", List.of(blob.cid()));
            Map<String, String> env = new HashMap<>(Map.of(
                    "REPAIR_S3_ENDPOINT", s3.endpoint(),
                    "REPAIR_S3_ACCESS_KEY", TestS3.ACCESS_KEY,
                    "REPAIR_S3_SECRET_KEY", TestS3.SECRET_KEY,
                    "REPAIR_S3_BUCKET", "ranged-heap",
                    "REPAIR_DB_URL", db.jdbcUrl(),
                    "REPAIR_DB_USER", "postgres",
                    "REPAIR_SELF_HOST", "http://127.0.0.1:1",
                    "REPAIR_PEERS", peer.url(),
                    "REPAIR_REPLICATION_FACTOR", "3",
                    "REPAIR_PEER_AUTH", "none"));
            env.putAll(Map.of(
                    "REPAIR_PULL_RANGE_SIZE", "4MiB",
                    "REPAIR_S3_PART_SIZE", "8MiB",
                    "REPAIR_PULL_STAGING_DIR", staging.toString(),
                    "REPAIR_PULL_READ_TIMEOUT", "10s"));
            Path gcLog = staging.resolve("gc.log");

            ChildJvm.Run run = ChildJvm.run(null, env, List.of("-Xmx64m", "-Xlog:gc:file=" + gcLog), 240, "--once");

            assertThat(run.exit()).as(run.describe()).isZero();
            JsonNode report = run.report();
            assertThat(report.get("counters").get("pull_mine_needed").asLong()).isEqualTo(1);
            assertThat(report.get("counters").get("pull_mine_success").asLong()).as(run.describe()).isEqualTo(1);
            assertThat(report.get("counters").get("pull_mine_fail").asLong()).isZero();
            // 40 MiB in 8 MiB parts
            assertThat(report.get("s3_requests").get("UploadPart").asLong()).isEqualTo(5);
            assertThat(report.get("s3_requests").get("CompleteMultipartUpload").asLong()).isEqualTo(1);
            assertThat(report.get("s3_requests").get("PutObject").asLong()).isZero();
            assertThat(s3.read("ranged-heap", blob.key())).isEqualTo(blob.content());
            assertRangesResumedWhereTheyWereCut(peer.rangeRequests(), 10, 4 * MIB, 3 * MIB);
            assertThat(stagingFiles()).isEmpty();
            System.out.println("40 MiB pull at -Xmx64m: cycle " + report.get("duration_ms").asLong() + " ms, "
                    + heapSummary(Files.readString(gcLog)));
        }
    }

    /** The largest heap in use before and after a collection, from {@code -Xlog:gc} lines ("12M->4M(64M)"). */
    /**
     * {@code ranges} ranges of {@code rangeSize}, each asked from its start once, cut by the peer
     * after {@code cut} bytes and resumed from the byte reached, never from the range's start again.
     * The byte reached is at most the cut: the peer's hang-up may drop the last bytes in flight.
     */
    private static void assertRangesResumedWhereTheyWereCut(List<String> requests, int ranges, long rangeSize, long cut) {
        assertThat(requests).hasSizeGreaterThanOrEqualTo(2 * ranges);
        long previousFirst = -1;
        int range = -1;
        for (String request : requests) {
            long first = Long.parseLong(request.replaceAll("bytes=(\\d+)-\\d+", "$1"));
            long last = Long.parseLong(request.replaceAll("bytes=\\d+-(\\d+)", "$1"));
            if (first % rangeSize == 0 && first / rangeSize == range + 1) {
                range++; // the next range, from its start
            } else {
                assertThat(first).as(request + " resumes the request before it").isGreaterThan(previousFirst)
                        .isLessThanOrEqualTo(previousFirst + cut);
            }
            assertThat(last).as(request).isEqualTo((range + 1) * rangeSize - 1);
            previousFirst = first;
        }
        assertThat(range + 1).isEqualTo(ranges);
    }

    private static String heapSummary(String gcLog) {
        Matcher m = Pattern.compile("(\\d+)M->(\\d+)M\\((\\d+)M\\)").matcher(gcLog);
        int collections = 0;
        long before = 0;
        long after = 0;
        long committed = 0;
        while (m.find()) {
            collections++;
            before = Math.max(before, Long.parseLong(m.group(1)));
            after = Math.max(after, Long.parseLong(m.group(2)));
            committed = Math.max(committed, Long.parseLong(m.group(3)));
        }
        return collections + " collections, heap in use at most " + before + " MiB before one and " + after
                + " MiB after one, at most " + committed + " MiB committed";
    }

    @Test
    void aPeerThatIgnoresRangeStillServesTheBlobInOneStream() throws Exception {
        Blob blob = Blob.random(9 * MIB, 9);
        try (TestPeer peer = TestPeer.start()) {
            peer.serve(blob.cid(), blob.content(), "audio/mpeg");
            peer.fail(blob.cid(), TestPeer.Fault.IGNORE_RANGE);
            Map<String, String> settings = node(blob, peer);
            try (TestNode node = TestNode.start(settings)) {
                CycleReport report = node.runCycle();

                assertThat(report.counters()).containsEntry("pull_mine_success", 1L).containsEntry("pull_mine_fail", 0L);
                assertThat(peer.rangeRequests()).containsExactly("bytes=0-4194303");
                assertThat(report.s3Requests()).containsEntry("UploadPart", 2L).containsEntry("PutObject", 0L);
                assertThat(s3.read(node.bucket(), blob.key())).isEqualTo(blob.content());
                // stored in parts with the type it was served with, as a single PutObject would be
                assertThat(s3.client().headObject(b -> b.bucket(node.bucket()).key(blob.key())).contentType()).isEqualTo("audio/mpeg");
                assertThat(stagingFiles()).isEmpty();
            }
        }
    }

    @Test
    void aStagingDirectoryWithoutRoomDefersThePullAndLeavesNoFile() throws Exception {
        Blob blob = Blob.random(9 * MIB, 10);
        try (TestPeer peer = TestPeer.start()) {
            peer.serve(blob.cid(), blob.content());
            Map<String, String> settings = node(blob, peer);
            // more than any disk here has free: no blob fits above it
            settings.put("repair.pull.staging-reserve", "1000TiB");
            try (TestNode node = TestNode.start(settings)) {
                CycleReport report = node.runCycle();

                assertThat(report.counters()).containsEntry("pull_mine_needed", 1L).containsEntry("pull_staging_full", 1L)
                        .containsEntry("pull_mine_fail", 0L).containsEntry("pull_mine_success", 0L)
                        .containsEntry("data_loss_evidence_recorded", 0L);
                // its size was asked, the blob was not
                assertThat(peer.infoRequests()).containsExactly(blob.cid());
                assertThat(peer.blobRequests()).isEmpty();
                assertThat(report.s3Requests()).containsEntry("PutObject", 0L);
                assertThat(s3.exists(node.bucket(), blob.key())).isFalse();
                assertThat(stagingFiles()).isEmpty();
            }
        }
    }

    /** How a bad peer breaks a ranged pull. */
    enum BadPeer { ANSWER_416, LONGER_RANGE, WRONG_BYTES }

    @ParameterizedTest
    @EnumSource(BadPeer.class)
    void aPeerAnswering416ALongerRangeOrWrongBytesIsACountedFailureAndNothingIsStored(BadPeer bad) throws Exception {
        Blob blob = Blob.random(9 * MIB, 11 + bad.ordinal());
        try (TestPeer peer = TestPeer.start()) {
            switch (bad) {
                case ANSWER_416 -> {
                    peer.serve(blob.cid(), blob.content());
                    peer.fail(blob.cid(), TestPeer.Fault.ANSWER_416);
                }
                case LONGER_RANGE -> {
                    peer.serve(blob.cid(), blob.content());
                    peer.fail(blob.cid(), TestPeer.Fault.LONGER_RANGE);
                }
                case WRONG_BYTES -> {
                    byte[] other = blob.content().clone();
                    other[6 * MIB] ^= 1;
                    peer.serve(blob.cid(), other);
                }
            }
            try (TestNode node = TestNode.start(node(blob, peer))) {
                CycleReport report = node.runCycle();

                assertThat(report.counters()).containsEntry("pull_mine_needed", 1L).containsEntry("pull_mine_fail", 1L)
                        .containsEntry("pull_mine_success", 0L);
                // a protocol break ends the attempt at its first answer; wrong bytes show only once all arrived
                assertThat(peer.rangeRequests()).hasSize(bad == BadPeer.WRONG_BYTES ? 3 : 1);
                assertThat(report.s3Requests()).containsEntry("PutObject", 0L).doesNotContainKey("CreateMultipartUpload");
                assertThat(s3.exists(node.bucket(), blob.key())).isFalse();
                assertThat(stagingFiles()).isEmpty();
            }
        }
    }

    @Test
    void aStagingFileLeftByACrashIsRemovedAtStart() throws Exception {
        Path leftover = Files.write(staging.resolve(StagingArea.PREFIX + "1234567890.blob"), new byte[4096]);
        Files.setLastModifiedTime(leftover, FileTime.from(Instant.now().minus(Duration.ofDays(2))));
        // another running instance's pull in the same directory: written just now, it stays
        Path inFlight = Files.write(staging.resolve(StagingArea.PREFIX + "2345678901.blob"), new byte[4096]);
        Path notOurs = Files.writeString(staging.resolve("notes.txt"), "not a staging file");
        Blob blob = Blob.of("a small blob, so the node has something to do");
        try (TestPeer peer = TestPeer.start()) {
            peer.serve(blob.cid(), blob.content());
            try (TestNode node = TestNode.start(node(blob, peer))) {
                assertThat(leftover).doesNotExist();
                assertThat(inFlight).exists();
                assertThat(notOurs).exists();
                Files.delete(inFlight);
                assertThat(node.runCycle().counters()).containsEntry("pull_mine_success", 1L);
                assertThat(stagingFiles()).isEmpty();
            }
        }
    }
}
