package io.blobrepair;

import io.blobrepair.json.Json;
import io.blobrepair.ops.CamelEnvironment;
import io.blobrepair.ops.CamelRepairEvents;
import io.blobrepair.ops.DatabaseReadiness;
import io.blobrepair.ops.InvalidSettingException;
import io.blobrepair.ops.RepairService;
import io.blobrepair.ops.S3Reachability;
import io.blobrepair.repair.CycleReport;
import org.apache.camel.main.Main;
import org.apache.camel.spi.Registry;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Starts blob-repair. Without arguments it runs as a service (Quartz triggers cycles);
 * The demo network has its own jar ({@code target/blob-repair-demo.jar}), so this one carries no
 * test servers.
 * {@code --once} runs one cycle now, prints its report as one JSON line and exits 0, or 1
 * when the cycle aborted (with one line on stderr saying why); {@code --cleanup} makes that
 * cycle a cleanup cycle, {@code --dry-run} only counts and logs the pulls and deletions it
 * would make. {@code --config FILE} (or {@code repair.config-file}) names the configuration
 * file; without it {@code ./application.properties} is read when present. A bad configuration
 * value exits 2 with one line naming the key and the accepted values.
 */
public final class BlobRepairApplication {

    /** The configuration file read when no other is named: beside the jar, in the working directory. */
    static final Path DEFAULT_CONFIG_FILE = Path.of("application.properties");

    private BlobRepairApplication() {
    }

    public static void main(String[] args) throws Exception {
        try {
            start(args);
        } catch (Exception e) {
            // a bad configuration value deserves one clear line, not a stack trace
            for (Throwable t = e; t != null; t = t.getCause()) {
                if (t instanceof InvalidSettingException) {
                    System.err.println("blob-repair: " + t.getMessage());
                    System.exit(2);
                }
            }
            throw e;
        }
    }

    private static void start(String[] args) throws Exception {
        if (args.length > 0 && "demo".equals(args[0])) {
            System.err.println("blob-repair: the demo has its own jar: java -jar target/blob-repair-demo.jar [--blobs N] [--data DIR]");
            System.exit(2);
        }
        List<String> camelArgs = new ArrayList<>();
        boolean once = false;
        boolean cleanup = false;
        boolean dryRun = false;
        String config = null;
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--once" -> once = true;
                case "--cleanup" -> cleanup = true;
                case "--dry-run" -> dryRun = true;
                case "--config" -> {
                    if (i + 1 == args.length) {
                        throw new InvalidSettingException("repair.config-file", "", "a file name after --config");
                    }
                    config = args[++i];
                }
                default -> camelArgs.add(args[i]);
            }
        }
        Optional<Path> configFile = configFile(config);
        if (!once) {
            if (cleanup || dryRun) {
                System.err.println("blob-repair: --cleanup and --dry-run only apply to --once (set repair.dry-run for the service)");
                System.exit(2);
            }
            newMain(configFile).run(camelArgs.toArray(String[]::new));
            return;
        }
        System.exit(runOnce(configFile, cleanup, dryRun));
    }

    /**
     * The configuration file: {@code --config FILE}, else {@code -Drepair.config-file} or
     * {@code REPAIR_CONFIG_FILE} (which must exist), else {@code ./application.properties} when present.
     */
    static Optional<Path> configFile(String fromCommandLine) {
        String named = fromCommandLine != null ? fromCommandLine
                : Optional.ofNullable(System.getProperty("repair.config-file")).orElse(System.getenv("REPAIR_CONFIG_FILE"));
        if (named != null && !named.isBlank()) {
            Path file = Path.of(named);
            if (!Files.isReadable(file) || Files.isDirectory(file)) {
                throw new InvalidSettingException("repair.config-file", named, "a readable properties file");
            }
            return Optional.of(file);
        }
        return Files.isRegularFile(DEFAULT_CONFIG_FILE) ? Optional.of(DEFAULT_CONFIG_FILE) : Optional.empty();
    }

    /** The service without a configuration file of its own (defaults, environment, -D): tests and the demo. */
    public static Main newMain() {
        return newMain(Optional.empty());
    }

    /**
     * Precedence, lowest first: the defaults in the jar's {@code application.properties}, the
     * configuration file, environment variables, {@code -D} system properties.
     */
    public static Main newMain(Optional<Path> configFile) {
        Main main = new Main();
        main.configure().addConfiguration(BlobRepairConfiguration.class);
        // of two locations holding a key, Camel takes the first: the file, then the jar's defaults
        configFile.ifPresent(file -> main.setPropertyPlaceholderLocations(
                "file:" + file.toAbsolutePath() + ",classpath:application.properties"));
        CamelEnvironment.serverOptions(System.getenv()).forEach((key, value) -> {
            if (System.getProperty(key) == null) {
                main.addOverrideProperty(key, value);
            }
        });
        return main;
    }

    private static int runOnce(Optional<Path> configFile, boolean cleanup, boolean dryRun) throws Exception {
        Main main = newMain(configFile);
        if (dryRun) {
            main.addOverrideProperty("repair.dry-run", "true");
        }
        // no Quartz trigger, and servers on free ports so a running service on this host is no obstacle
        main.addOverrideProperty("repair.enabled", "false");
        main.addOverrideProperty("camel.server.port", "0");
        main.addOverrideProperty("camel.management.port", "0");
        main.start();
        try {
            Registry registry = main.getCamelContext().getRegistry();
            CycleReport report = registry.lookupByNameAndType("repairService", RepairService.class).runCycle(cleanup);
            registry.lookupByNameAndType("repairEvents", CamelRepairEvents.class).drain(Duration.ofSeconds(10));
            System.out.println(Json.MAPPER.writeValueAsString(report));
            if (report.aborted()) {
                System.err.println("blob-repair: cycle aborted: " + report.abortedReason() + why(registry, report.abortedReason()));
            }
            return report.aborted() ? 1 : 0;
        } finally {
            main.stop();
        }
    }

    private static String why(Registry registry, String reason) {
        return switch (reason) {
            case CycleReport.DATABASE_UNREACHABLE -> {
                DatabaseReadiness db = registry.lookupByNameAndType("databaseReadiness", DatabaseReadiness.class);
                yield " (database " + db.url() + ": " + db.problem().orElse("?") + ")";
            }
            case CycleReport.S3_UNREACHABLE -> {
                S3Reachability s3 = registry.lookupByNameAndType("s3Reachability", S3Reachability.class);
                yield " (S3 at " + s3.endpoint() + " " + s3.problem().orElse("?") + ")";
            }
            case CycleReport.NOT_ENOUGH_PEERS -> " (no peer answered /health_check)";
            default -> "";
        };
    }
}
