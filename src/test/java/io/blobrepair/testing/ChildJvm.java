package io.blobrepair.testing;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

/**
 * The service's command line in a child JVM on the test class path, configured as an operator
 * does (environment, -D, files), read with a deadline: a hung child fails its test with its output.
 * A child is also the honest way to bound the service's heap ({@code -Xmx}).
 */
public final class ChildJvm {

    private ChildJvm() {
    }

    /** How a child ended and what it printed. */
    public record Run(int exit, String stdout, String stderr) {
        /** The JSON report {@code --once} prints as its last stdout line. */
        public JsonNode report() throws IOException {
            String[] lines = stdout.strip().split("\n");
            return new ObjectMapper().readTree(lines[lines.length - 1]);
        }

        /** The one stderr line where the command line says why it stopped (log lines aside). */
        public String reasonLine() {
            List<String> lines = stderr.lines().filter(l -> l.startsWith("blob-repair: ")).toList();
            assertThat(lines).as(describe()).hasSize(1);
            return lines.get(0);
        }

        public String describe() {
            return "exit " + exit + "\n--- stdout\n" + stdout + "\n--- stderr\n" + stderr;
        }
    }

    /** Output of a child process, collected as it comes so a full pipe never blocks the child. */
    public static final class Drain {
        private final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        private final Thread thread;

        public Drain(InputStream in, String name) {
            thread = new Thread(() -> {
                byte[] buffer = new byte[8192];
                try {
                    for (int n; (n = in.read(buffer)) >= 0; ) {
                        synchronized (bytes) {
                            bytes.write(buffer, 0, n);
                        }
                    }
                } catch (IOException e) {
                    // the child went away
                }
            }, name);
            thread.setDaemon(true);
            thread.start();
        }

        public String text() throws InterruptedException {
            thread.join(5000);
            synchronized (bytes) {
                return bytes.toString(StandardCharsets.UTF_8);
            }
        }
    }

    /** Starts {@code io.blobrepair.BlobRepairApplication args} in {@code workDir} (null: this one). */
    public static Process launch(Path workDir, Map<String, String> env, List<String> jvmOptions, String... args) throws IOException {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        List<String> command = new ArrayList<>(List.of(java));
        command.addAll(jvmOptions);
        command.addAll(List.of("-cp", System.getProperty("java.class.path"), "io.blobrepair.BlobRepairApplication"));
        command.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(command);
        if (workDir != null) {
            pb.directory(workDir.toFile());
        }
        pb.environment().putAll(env);
        return pb.start();
    }

    /** Runs a child to its end, failing the test when it is still running after {@code deadlineSeconds}. */
    public static Run run(Path workDir, Map<String, String> env, List<String> jvmOptions, long deadlineSeconds,
                          String... args) throws Exception {
        Process p = launch(workDir, env, jvmOptions, args);
        Drain out = new Drain(p.getInputStream(), "child-stdout");
        Drain err = new Drain(p.getErrorStream(), "child-stderr");
        if (!p.waitFor(deadlineSeconds, TimeUnit.SECONDS)) {
            p.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            fail("child did not exit within " + deadlineSeconds + " s\n--- stdout\n" + out.text() + "\n--- stderr\n" + err.text());
        }
        return new Run(p.exitValue(), out.text(), err.text());
    }
}
