package io.blobrepair.demo;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.blobrepair.testing.ChildJvm.Drain;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

/**
 * The demo (io.blobrepair.demo.Demo, the demo jar's main class) in a child JVM, as the README runs it, with a small seed: it exits 0,
 * prints its report, and its last line shows the repairs it made and what they cost. A second
 * run in the same directory works the same.
 */
@Timeout(value = 15, unit = TimeUnit.MINUTES)
class DemoTest {

    private static final int BLOBS = 30;

    @TempDir
    Path dir;

    record Run(int exit, String stdout, String stderr) {
        JsonNode summary() throws Exception {
            String[] lines = stdout.strip().split("\n");
            return new ObjectMapper().readTree(lines[lines.length - 1]);
        }
    }

    private Run demo(Path data, String name) throws Exception {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        Process p = new ProcessBuilder(List.of(java, "-cp", System.getProperty("java.class.path"),
                "io.blobrepair.demo.Demo", "--blobs", String.valueOf(BLOBS), "--data", data.toString()))
                .start();
        // read as it comes, with a deadline: a hung demo fails the test with its output, it does not hang the build
        Drain out = new Drain(p.getInputStream(), name + "-stdout");
        Drain err = new Drain(p.getErrorStream(), name + "-stderr");
        if (!p.waitFor(300, TimeUnit.SECONDS)) {
            p.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            fail("demo did not exit within 300 s\n--- stdout\n" + out.text() + "\n--- stderr\n" + err.text());
        }
        return new Run(p.exitValue(), out.text(), err.text());
    }

    @Test
    void demoRepairsItsNetworkAndRunsAgainInTheSameDirectory() throws Exception {
        Path data = dir.resolve("data");

        Run first = demo(data, "first");
        assertThat(first.exit()).as(first.stderr()).isZero();
        assertRepairedCheaply(first);
        assertThat(first.stdout()).contains("blob-repair demo", "S3 requests sent by node-1", "per-key would send");

        Run second = demo(data, "second");
        assertThat(second.exit()).as(second.stderr()).isZero();
        assertRepairedCheaply(second);
        assertThat(second.stdout()).contains("the previous run's s3/ and pg/ were removed");
    }

    @Test
    void neverRemovesFilesItDidNotCreate() throws Exception {
        Path data = dir.resolve("someone-elses");
        Path theirs = Files.createDirectories(data.resolve("s3")).resolve("keep-me");
        Files.writeString(theirs, "not the demo's");

        assertThat(Demo.run(List.of("--blobs", String.valueOf(BLOBS), "--data", data.toString()))).isEqualTo(2);
        assertThat(theirs).hasContent("not the demo's");
    }

    private static void assertRepairedCheaply(Run run) throws Exception {
        JsonNode summary = run.summary();
        assertThat(summary.get("blobs").asInt()).isEqualTo(BLOBS);
        JsonNode normal = summary.get("normal");
        JsonNode cleanup = summary.get("cleanup");
        assertThat(normal.get("cleanup").asBoolean()).isFalse();
        assertThat(cleanup.get("cleanup").asBoolean()).isTrue();
        assertThat(normal.get("aborted_reason").isNull()).isTrue();
        assertThat(cleanup.get("aborted_reason").isNull()).isTrue();

        // the missing blobs were pulled from peers
        long missing = summary.get("seeded").get("missing").asLong();
        assertThat(missing).isPositive();
        assertThat(normal.get("counters").get("pull_mine_success").asLong()).isEqualTo(missing);
        // the corrupted copy was deleted as invalid and a good one pulled back
        assertThat(cleanup.get("counters").get("delete_invalid_success").asLong()).isEqualTo(1);
        assertThat(cleanup.get("counters").get("pull_mine_success").asLong()).isEqualTo(1);
        // the over-replicated copies were deleted
        long overReplicated = summary.get("seeded").get("over_replicated").asLong();
        assertThat(cleanup.get("counters").get("delete_over_replicated_success").asLong()).isPositive().isEqualTo(overReplicated);
        assertThat(summary.get("node_1").get("repaired").asBoolean()).isTrue();

        // presence from one listing per cycle; HeadObject only confirms an absence before its pull
        for (JsonNode cycle : List.of(normal, cleanup)) {
            assertThat(cycle.get("s3_requests").get("ListObjects").asLong()).isEqualTo(1);
            assertThat(cycle.get("s3_requests").get("HeadObject").asLong())
                    .isEqualTo(cycle.get("counters").get("head_confirm_absent").asLong());
        }
        assertThat(normal.get("counters").get("head_confirm_absent").asLong()).isEqualTo(missing);
        JsonNode perKey = summary.get("per_key_head_object");
        assertThat(perKey.get("normal").asLong()).isEqualTo(
                normal.get("counters").get("presence_index_hit").asLong() + normal.get("counters").get("presence_index_miss").asLong());
        assertThat(perKey.get("cleanup").asLong()).isEqualTo(BLOBS);
    }
}
