package io.blobrepair.ops;

/** A configuration value that stops startup; the message names the key and what it accepts. */
public class InvalidSettingException extends IllegalArgumentException {

    public InvalidSettingException(String key, String value, String accepted) {
        super("Invalid configuration " + key + "='" + value + "': accepted " + accepted
                + " (environment variable " + envName(key) + ")");
    }

    /** A value that is well-formed but does not work, e.g. a bucket that does not exist. */
    public InvalidSettingException(String key, String problem) {
        super("Invalid configuration " + key + ": " + problem + " (environment variable " + envName(key) + ")");
    }

    public static String envName(String key) {
        return key.toUpperCase().replace('.', '_').replace('-', '_');
    }
}
