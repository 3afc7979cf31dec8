package io.blobrepair.repair;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Warnings of a cycle, rate-limited per kind: the first {@value #LOGGED_PER_KIND} of a kind are
 * logged with the cycle number, the rest only counted, so a failing dependency cannot flood the log.
 */
public final class CycleLog {

    static final int LOGGED_PER_KIND = 5;

    private static final Logger LOG = LoggerFactory.getLogger("io.blobrepair.repair");

    private CycleLog() {
    }

    /** Counts {@code counter} and logs the first few of its kind this cycle. */
    public static void count(CycleState cycle, RepairCounter counter, String message, Object... args) {
        cycle.getCounters().increment(counter);
        warn(cycle, counter.metricName(), message, args);
    }

    public static void warn(CycleState cycle, String kind, String message, Object... args) {
        int n = cycle.warningNumber(kind);
        if (n <= LOGGED_PER_KIND) {
            Object[] all = new Object[args.length + 1];
            all[0] = cycle.getCycle();
            System.arraycopy(args, 0, all, 1, args.length);
            LOG.warn("cycle {}: " + message + (n == LOGGED_PER_KIND ? " (further ones this cycle only counted)" : ""), all);
        }
    }

    /** One line at INFO, for what an operator wants to see each time (a deletion, a dry-run action). */
    public static void info(CycleState cycle, String message, Object... args) {
        Object[] all = new Object[args.length + 1];
        all[0] = cycle.getCycle();
        System.arraycopy(args, 0, all, 1, args.length);
        LOG.info("cycle {}: " + message, all);
    }

    /** A value from a work list, shortened for a log line. */
    static String abbreviate(String s) {
        return s.length() <= 80 ? s : s.substring(0, 80) + "…(" + s.length() + " chars)";
    }

    static String describe(Throwable t) {
        return t == null ? "unknown" : t.getClass().getSimpleName() + ": " + t.getMessage();
    }
}
