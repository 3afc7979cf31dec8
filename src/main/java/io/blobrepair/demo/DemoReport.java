package io.blobrepair.demo;

import io.blobrepair.json.Json;
import com.fasterxml.jackson.core.JsonProcessingException;
import io.blobrepair.repair.CycleReport;
import io.blobrepair.s3.S3RequestCounter;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;

/** What the demo prints: the setup, both cycles side by side, and one JSON line summing them up. */
final class DemoReport {

    /** Counters always shown, in this order; any other counter is shown when not zero. */
    private static final List<String> MAIN_COUNTERS = List.of(
            "total_checked", "already_have",
            "pull_mine_needed", "pull_mine_success", "pull_mine_fail",
            "presence_index_entries", "presence_index_hit", "presence_index_miss",
            "delete_invalid_needed", "delete_invalid_success", "delete_invalid_fail",
            "delete_over_replicated_needed", "delete_over_replicated_success", "delete_over_replicated_fail",
            "over_replicated_unconfirmed", "delete_brake_engaged");
    private static final String ROW = "  %-38s %12s %12s";

    private final Demo.Options options;
    private final boolean removedPrevious;
    private final String s3Endpoint;
    private final List<Demo.Node> nodes;
    private final SeededNetwork network;
    private final long capacityBytes;
    private final CycleReport normal;
    private final CycleReport cleanup;
    private final Demo.FinalState state;

    DemoReport(Demo.Options options, boolean removedPrevious, String s3Endpoint, List<Demo.Node> nodes, SeededNetwork network,
               long capacityBytes, CycleReport normal, CycleReport cleanup, Demo.FinalState state) {
        this.options = options;
        this.removedPrevious = removedPrevious;
        this.s3Endpoint = s3Endpoint;
        this.nodes = nodes;
        this.network = network;
        this.capacityBytes = capacityBytes;
        this.normal = normal;
        this.cleanup = cleanup;
        this.state = state;
    }

    /** One HeadObject per key the cycle looked up: what presence would cost without the listing. */
    static long perKeyHeadObject(CycleReport report) {
        return counter(report, "presence_index_hit") + counter(report, "presence_index_miss");
    }

    List<String> text() {
        List<String> out = new ArrayList<>();
        out.add("");
        out.add("blob-repair demo");
        out.add("================");
        out.add("Three storage nodes in this process, each with its own S3 bucket and PostgreSQL database.");
        out.add("node-1 runs a normal repair cycle, then a cleanup cycle; nodes 2 and 3 serve it as peers.");
        out.add("");
        out.add(String.format("  %-11s %s (%s)", "data", options.data(), removedPrevious
                ? "the previous run's s3/ and pg/ were removed: every run starts afresh"
                : "every run starts afresh: the next one removes s3/ and pg/ first"));
        out.add(String.format("  %-11s s3proxy at %s, one directory per bucket under %s", "S3", s3Endpoint,
                options.data().resolve("s3")));
        out.add(String.format("  %-11s embedded PostgreSQL under %s, databases %s", "PostgreSQL", options.data().resolve("pg"),
                nodes.stream().map(Demo.Node::database).collect(Collectors.joining(", "))));
        for (Demo.Node node : nodes) {
            out.add(String.format("  %-11s %s, bucket %s%s", node.name(), node.host(), node.bucket(),
                    node.number() == 1 ? "  <- repaired here" : ""));
        }
        out.add(String.format("  %-11s rendezvous ranking over the %d nodes, replication factor %d", "placement",
                nodes.size(), Demo.REPLICATION_FACTOR));
        out.add("");
        out.add("Seeded " + options.blobs() + " blobs; every node's audio_previews lists all of them:");
        for (SeededNetwork.Kind kind : SeededNetwork.Kind.values()) {
            out.add(String.format("  %5d  %s", network.count(kind), kind.description));
        }
        out.add("");
        out.add("Settings of node-1 for the demo:");
        out.add("  - its clock runs " + Demo.CLOCK_AHEAD.toDays() + " days ahead so seeded blobs count as old"
                + " (a copy modified within 7 days is never deleted as over-replicated)");
        out.add(String.format("  - repair.capacity-bytes=%d: once its missing blobs are pulled it is %.0f%% full; under 5%% free",
                capacityBytes, 100 * (1 - Demo.FREE_AFTER_PULLS)));
        out.add(String.format("    counts as full, which lowers the over-replication threshold from R+2 = %d to R = %d:",
                Demo.REPLICATION_FACTOR + 2, Demo.REPLICATION_FACTOR));
        out.add("    with four nodes, the copy node 1 holds at 0-based rank 3 (above T = R) is one too many");
        long deletions = network.count(SeededNetwork.Kind.CORRUPTED) + network.count(SeededNetwork.Kind.OVER_REPLICATED);
        long held = network.mine() + network.count(SeededNetwork.Kind.OVER_REPLICATED);
        out.add(String.format("  - repair.max-delete-fraction=%s: its cleanup deletes %d of the %d blobs it holds, more than the"
                + " default 0.05 allows", Demo.MAX_DELETE_FRACTION, deletions, held));
        out.add("");
        out.add(String.format(ROW, "", "cycle " + normal.cycle(), "cycle " + cleanup.cycle()));
        out.add(String.format(ROW, "", normal.cleanup() ? "cleanup" : "normal", cleanup.cleanup() ? "cleanup" : "normal"));
        out.add(String.format(ROW, "outcome", outcome(normal), outcome(cleanup)));
        out.add(String.format(ROW, "duration (ms)", normal.durationMs(), cleanup.durationMs()));
        out.add("Counters");
        for (String name : counterNames()) {
            out.add(String.format(ROW, name, counter(normal, name), counter(cleanup, name)));
        }
        out.add("S3 requests sent by node-1");
        for (String op : S3RequestCounter.REPORTED) {
            out.add(String.format(ROW, op, requests(normal, op), requests(cleanup, op)));
        }
        out.add(String.format(ROW, "total", total(normal), total(cleanup)));
        out.add("Presence: one bucket listing instead of a HeadObject per key");
        out.add(String.format(ROW, "keys looked up (index hit + miss)", perKeyHeadObject(normal), perKeyHeadObject(cleanup)));
        out.add(String.format(ROW, "ListObjects requests that answered them", requests(normal, "ListObjects"),
                requests(cleanup, "ListObjects")));
        out.add(String.format(ROW, "HeadObject requests per-key would send", perKeyHeadObject(normal), perKeyHeadObject(cleanup)));
        out.add("");
        out.add("What node-1 did:");
        out.add(String.format("  cycle %d: listed its bucket once (%s) and pulled %d of %s from its peers",
                normal.cycle(), plural(counter(normal, "presence_index_entries"), "key"),
                counter(normal, "pull_mine_success"), plural(counter(normal, "pull_mine_needed"), "missing blob")));
        out.add(String.format("  cycle %d: read and hashed %s (GetObject); deleted %s whose bytes did not match the CID",
                cleanup.cycle(), plural(requests(cleanup, "GetObject"), "blob"), plural(counter(cleanup, "delete_invalid_success"), "blob")));
        out.add(String.format("           and pulled %s back; deleted %s once R = 2 nodes ranked ahead confirmed theirs",
                plural(counter(cleanup, "pull_mine_success"), "good copy", "good copies"),
                plural(counter(cleanup, "delete_over_replicated_success"), "over-replicated copy", "over-replicated copies")));
        out.add(String.format("  now:     node-1 holds %d of the %d blobs ranked for it, with the right content, and %d it should not: %s",
                state.holdsValid(), state.shouldHold(), state.holdsExtra(), state.repaired() ? "repaired" : "NOT repaired"));
        out.add("");
        out.add("Summary (JSON):");
        return out;
    }

    String json() throws JsonProcessingException {
        Map<String, Object> seeded = new LinkedHashMap<>();
        for (SeededNetwork.Kind kind : SeededNetwork.Kind.values()) {
            seeded.put(kind.name().toLowerCase(java.util.Locale.ROOT), network.count(kind));
        }
        Map<String, Object> perKey = new LinkedHashMap<>();
        perKey.put("normal", perKeyHeadObject(normal));
        perKey.put("cleanup", perKeyHeadObject(cleanup));
        Map<String, Object> nodeOne = new LinkedHashMap<>();
        nodeOne.put("should_hold", state.shouldHold());
        nodeOne.put("holds_valid", state.holdsValid());
        nodeOne.put("holds_extra", state.holdsExtra());
        nodeOne.put("repaired", state.repaired());
        Map<String, Object> summary = new LinkedHashMap<>();
        summary.put("blobs", options.blobs());
        summary.put("seeded", seeded);
        summary.put("normal", normal);
        summary.put("cleanup", cleanup);
        summary.put("per_key_head_object", perKey);
        summary.put("node_1", nodeOne);
        return Json.MAPPER.writeValueAsString(summary);
    }

    private Set<String> counterNames() {
        Set<String> names = new java.util.LinkedHashSet<>(MAIN_COUNTERS);
        Set<String> others = new TreeSet<>();
        for (CycleReport report : List.of(normal, cleanup)) {
            report.counters().forEach((name, value) -> {
                if (value != null && value != 0 && !names.contains(name)) {
                    others.add(name);
                }
            });
        }
        names.addAll(others);
        return names;
    }

    private static String plural(long n, String one) {
        return plural(n, one, one + "s");
    }

    private static String plural(long n, String one, String many) {
        return n + " " + (n == 1 ? one : many);
    }

    private static String outcome(CycleReport report) {
        return report.aborted() ? "ABORTED: " + report.abortedReason() : "completed";
    }

    private static long counter(CycleReport report, String name) {
        Long value = report.counters().get(name);
        return value == null ? 0 : value;
    }

    private static long requests(CycleReport report, String operation) {
        Long value = report.s3Requests().get(operation);
        return value == null ? 0 : value;
    }

    private static long total(CycleReport report) {
        return report.s3Requests().values().stream().mapToLong(Long::longValue).sum();
    }
}
