package io.blobrepair.demo;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** The demo runs end to end on its embedded services, twice in the same directory. */
class DemoTest {

    @TempDir
    Path data;

    private record Run(int exit, String stdout) {
        JsonNode summary() throws Exception {
            String[] lines = stdout.strip().split("\n");
            return new ObjectMapper().readTree(lines[lines.length - 1]);
        }
    }

    private Run demo() throws Exception {
        PrintStream original = System.out;
        ByteArrayOutputStream captured = new ByteArrayOutputStream();
        System.setOut(new PrintStream(captured, true, StandardCharsets.UTF_8));
        try {
            int exit = Demo.run(List.of("--blobs", "30", "--data", data.toString()));
            return new Run(exit, captured.toString(StandardCharsets.UTF_8));
        } finally {
            System.setOut(original);
        }
    }

    @Test
    void demoRepairsNodeOneAndReportsWhatItCost() throws Exception {
        for (int run = 1; run <= 2; run++) {
            Run r = demo();
            assertThat(r.exit()).as("run " + run).isZero();
            assertThat(r.stdout()).contains("normal cycle 1").contains("cleanup cycle 2").contains("per-key HeadObject would have cost");
            JsonNode s = r.summary();
            JsonNode normal = s.get("normal");
            JsonNode cleanup = s.get("cleanup");
            assertThat(normal.get("counters").get("pull_mine_success").asLong()).isEqualTo(s.get("seeded_missing").asLong()).isPositive();
            assertThat(cleanup.get("counters").get("delete_invalid_success").asLong()).isEqualTo(1);
            assertThat(cleanup.get("counters").get("delete_over_replicated_success").asLong())
                    .isEqualTo(s.get("seeded_over_replicated").asLong()).isPositive();
            for (JsonNode cycle : List.of(normal, cleanup)) {
                assertThat(cycle.get("s3_requests").get("HeadObject").asLong()).isZero();
                assertThat(cycle.get("s3_requests").get("ListObjects").asLong()).isEqualTo(1);
            }
        }
    }
}
