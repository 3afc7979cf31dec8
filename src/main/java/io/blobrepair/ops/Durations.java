package io.blobrepair.ops;

import org.apache.camel.util.TimeUtils;

import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * Durations as operators write them: {@code 500ms}, {@code 30s}, {@code 10m}, {@code 1h30m},
 * {@code 1d} (Camel's {@link TimeUtils}), or ISO-8601 ({@code PT1H}).
 */
public final class Durations {

    /** What TimeUtils reads; checked first, as it reads anything else as zero. */
    private static final Pattern SHORT = Pattern.compile("(\\d+(ms|s|m|h|d))+");

    private Durations() {
    }

    public static Optional<Duration> parse(String text) {
        String t = text.trim();
        if (SHORT.matcher(t).matches()) {
            return Optional.of(TimeUtils.toDuration(t));
        }
        try {
            return Optional.of(Duration.parse(t));
        } catch (DateTimeParseException e) {
            return Optional.empty();
        }
    }

    public static String format(Duration d) {
        return d.toMillis() % 1000 == 0 ? d.toSeconds() + "s" : d.toMillis() + "ms";
    }
}
