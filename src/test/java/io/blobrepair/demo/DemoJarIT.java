package io.blobrepair.demo;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.jar.JarFile;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The README's Quick start on the packaged jars (Failsafe, after {@code package}): the demo jar
 * runs the demo to a repaired node 1, and the service jar carries no test server.
 */
@Timeout(value = 6, unit = TimeUnit.MINUTES)
class DemoJarIT {

    private static final Path TARGET = Path.of("target");

    @TempDir
    Path dir;

    @Test
    void theDemoJarRunsTheDemo() throws Exception {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        Path out = dir.resolve("demo.stdout");
        Path err = dir.resolve("demo.stderr");
        Process p = new ProcessBuilder(List.of(java, "-jar", TARGET.resolve("blob-repair-demo.jar").toString(),
                "--blobs", "30", "--data", dir.resolve("data").toString()))
                .redirectOutput(out.toFile()).redirectError(err.toFile()).start();
        boolean exited = p.waitFor(5, TimeUnit.MINUTES);
        if (!exited) {
            p.destroyForcibly();
        }
        String stdout = Files.readString(out);
        assertThat(exited).as("the demo did not exit in 5 minutes\n%s\n%s", stdout, Files.readString(err)).isTrue();
        assertThat(p.exitValue()).as("%s\n%s", stdout, Files.readString(err)).isZero();
        String[] lines = stdout.strip().split("\n");
        JsonNode summary = new ObjectMapper().readTree(lines[lines.length - 1]);
        assertThat(summary.get("node_1").get("repaired").asBoolean()).isTrue();
    }

    @Test
    void theServiceJarCarriesNoTestServer() throws Exception {
        try (JarFile jar = new JarFile(TARGET.resolve("blob-repair.jar").toFile())) {
            assertThat(jar.stream().map(e -> e.getName())
                    .filter(n -> n.startsWith("org/gaul/") || n.startsWith("io/zonky/") || n.startsWith("org/jclouds/")
                            || n.startsWith("io/blobrepair/demo/") || n.endsWith(".txz")))
                    .isEmpty();
            assertThat(jar.getManifest().getMainAttributes().getValue("Main-Class")).isEqualTo("io.blobrepair.BlobRepairApplication");
        }
    }
}
