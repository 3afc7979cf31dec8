package io.blobrepair.ops;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Optional;

/**
 * Turns {@code repair.interval}, {@code repair.cron} and {@code repair.startup-delay} into the
 * options of the Quartz endpoint that starts cycles. A cron expression, when given, wins over
 * the interval.
 */
public final class CycleSchedule {

    private CycleSchedule() {
    }

    /** Trigger options for the quartz URI, e.g. {@code trigger.repeatInterval=3600000&trigger.repeatCount=-1}. */
    public static String triggerOptions(Duration interval, Optional<String> cron) {
        if (cron.isPresent()) {
            return "cron=" + URLEncoder.encode(cron.get(), StandardCharsets.UTF_8);
        }
        return "trigger.repeatInterval=" + interval.toMillis() + "&trigger.repeatCount=-1";
    }
}
