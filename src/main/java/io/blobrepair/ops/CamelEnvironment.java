package io.blobrepair.ops;

import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/**
 * Camel's own environment variables for its embedded servers. camel-main 4.18 maps
 * {@code CAMEL_MAIN_*} and most other {@code CAMEL_*} variables to {@code camel.*} options, but
 * not {@code CAMEL_MANAGEMENT_*} nor {@code CAMEL_SERVER_*}: this service maps those itself, so
 * {@code CAMEL_MANAGEMENT_PORT} wins over {@code repair.management.port} as an operator expects
 * (a {@code -Dcamel.management.port} still wins over both).
 */
public final class CamelEnvironment {

    private static final String[] PREFIXES = {"CAMEL_MANAGEMENT_", "CAMEL_SERVER_"};

    private CamelEnvironment() {
    }

    /** The {@code camel.management.*} and {@code camel.server.*} options the environment sets. */
    public static Map<String, String> serverOptions(Map<String, String> environment) {
        Map<String, String> options = new TreeMap<>();
        environment.forEach((name, value) -> {
            String upper = name.toUpperCase(Locale.ROOT);
            for (String prefix : PREFIXES) {
                if (upper.startsWith(prefix)) {
                    options.put(upper.toLowerCase(Locale.ROOT).replace('_', '.'), value);
                }
            }
        });
        return options;
    }
}
