package io.blobrepair;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.blobrepair.demo.Demo;
import io.blobrepair.ops.InvalidSettingException;
import io.blobrepair.ops.RepairService;
import io.blobrepair.repair.CycleReport;
import org.apache.camel.main.Main;

import java.util.ArrayList;
import java.util.List;

/**
 * Starts blob-repair. Without arguments it runs as a service (Quartz triggers cycles);
 * {@code demo} runs the self-contained demo network ({@link Demo}).
 * {@code --once} runs one cycle now, prints its report as one JSON line and exits 0, or 1
 * when the cycle aborted; {@code --cleanup} makes that cycle a cleanup cycle, {@code --dry-run}
 * only counts and logs the pulls and deletions it would make. A bad configuration
 * value exits 2 with one line naming the key and the accepted values.
 */
public final class BlobRepairApplication {

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
            System.exit(Demo.run(List.of(args).subList(1, args.length)));
        }
        List<String> camelArgs = new ArrayList<>();
        boolean once = false;
        boolean cleanup = false;
        boolean dryRun = false;
        for (String arg : args) {
            switch (arg) {
                case "--once" -> once = true;
                case "--cleanup" -> cleanup = true;
                case "--dry-run" -> dryRun = true;
                default -> camelArgs.add(arg);
            }
        }
        if (!once) {
            if (cleanup || dryRun) {
                System.err.println("blob-repair: --cleanup and --dry-run only apply to --once (set repair.dry-run for the service)");
                System.exit(2);
            }
            newMain().run(camelArgs.toArray(String[]::new));
            return;
        }
        System.exit(runOnce(cleanup, dryRun));
    }

    public static Main newMain() {
        Main main = new Main();
        main.configure().addConfiguration(BlobRepairConfiguration.class);
        return main;
    }

    private static int runOnce(boolean cleanup, boolean dryRun) throws Exception {
        Main main = newMain();
        if (dryRun) {
            main.addOverrideProperty("repair.dry-run", "true");
        }
        // no Quartz trigger, and servers on free ports so a running service on this host is no obstacle
        main.addOverrideProperty("repair.enabled", "false");
        main.addOverrideProperty("camel.server.port", "0");
        main.addOverrideProperty("camel.management.port", "0");
        main.start();
        try {
            RepairService service = main.getCamelContext().getRegistry().lookupByNameAndType("repairService", RepairService.class);
            CycleReport report = service.runCycle(cleanup);
            System.out.println(new ObjectMapper().writeValueAsString(report));
            return report.aborted() ? 1 : 0;
        } finally {
            main.stop();
        }
    }
}
