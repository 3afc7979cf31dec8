package io.blobrepair.ops;

import org.quartz.SimpleTrigger;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Optional;

/**
 * Turns {@code repair.interval}, {@code repair.cron} and {@code repair.startup-delay} into the
 * options of the Quartz endpoint that starts cycles. A cron expression, when given, wins over
 * the interval. The startup delay holds back the Quartz scheduler itself (BlobRepairConfiguration
 * starts it): the endpoint's own {@code triggerStartDelay} only applies to a scheduler that is
 * already running, so at startup it was ignored and the first cycle ran at once.
 */
public final class CycleSchedule {

    private CycleSchedule() {
    }

    /**
     * Trigger options for the quartz URI, e.g. {@code trigger.repeatInterval=3600000&trigger.repeatCount=-1}.
     * Clustered, the job lives in the shared JDBC store: a replica that stops must not delete or
     * pause it for the others, and a job a dead replica was running is recovered by another.
     */
    public static String triggerOptions(Duration interval, Optional<String> cron, boolean clustered) {
        // a first fire held back by the startup delay (or a fire held back by a long cycle) happens
        // as soon as it can, as Camel's cron triggers do, instead of waiting for the next interval
        String trigger = cron.isPresent()
                ? "cron=" + URLEncoder.encode(cron.get(), StandardCharsets.UTF_8)
                : "trigger.repeatInterval=" + interval.toMillis() + "&trigger.repeatCount=-1&trigger.misfireInstruction="
                + SimpleTrigger.MISFIRE_INSTRUCTION_FIRE_NOW;
        return clustered ? trigger + "&deleteJob=false&pauseJob=false&durableJob=true&recoverableJob=true"
                + "&usingFixedCamelContextName=true" : trigger;
    }
}
