package io.blobrepair.ops;

import org.apache.camel.CamelContext;
import org.apache.camel.spi.Resource;
import org.apache.camel.support.PluginHelper;
import org.apache.camel.support.ResourceHelper;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

/**
 * The operator's own routes: every {@code *.camel.yaml} of {@code repair.routes.dir}, loaded
 * beside the built-in routes (by the service and by {@code --once}), in file-name order. A file
 * that does not load stops startup with one line naming it and the error.
 */
public final class OpsRoutes {

    private static final Logger LOG = LoggerFactory.getLogger(OpsRoutes.class);

    private OpsRoutes() {
    }

    public static void load(CamelContext context, Path dir) {
        List<Path> files;
        try (Stream<Path> listing = Files.list(dir)) {
            files = listing.filter(f -> f.getFileName().toString().endsWith(".camel.yaml")).sorted().toList();
        } catch (IOException e) {
            throw new InvalidSettingException("repair.routes.dir", "cannot list " + dir + ": " + e.getMessage());
        }
        for (Path file : files) {
            Resource resource = ResourceHelper.resolveResource(context, "file:" + file.toAbsolutePath());
            try {
                PluginHelper.getRoutesLoader(context).loadRoutes(resource);
            } catch (Exception e) {
                throw new InvalidSettingException("repair.routes.dir", "route file " + file + " does not load: " + oneLine(e));
            }
            LOG.info("routes loaded from {}", file);
        }
    }

    /** The innermost message that says something, on one line. */
    private static String oneLine(Throwable e) {
        String message = e.getMessage();
        for (Throwable t = e.getCause(); t != null && t != t.getCause(); t = t.getCause()) {
            if (t.getMessage() != null) {
                message = t.getMessage();
            }
        }
        return (message == null ? e.getClass().getSimpleName() : message).replaceAll("\\s*\\R\\s*", " ");
    }
}
