package io.blobrepair.work;

import java.util.List;
import java.util.Map;

/**
 * The work lists a cycle walks, in the order it walks them: the one place that order lives.
 */
public final class WorkLists {

    /**
     * Original files with their placement hosts, and the transcode results of audio uploads, with the
     * upload's creation time (store-recent; a table without {@code created_at} reads NULL).
     */
    public static final WorkList UPLOADS = new WorkList("uploads", "uploads", "id",
            "id, template, orig_file_cid, placement_hosts::text, transcode_results::text",
            Map.of("created_at", "timestamptz"),
            (row, into) -> {
                java.sql.Timestamp createdAt = row.getTimestamp(6);
                UploadRowCids.Result r = UploadRowCids.of(row.getString(2), row.getString(3), row.getString(4), row.getString(5),
                        createdAt == null ? null : createdAt.toInstant());
                into.addAll(r.items());
                return !r.malformedJson();
            });
    public static final WorkList PREVIEWS = WorkList.ofCidColumn("previews", "audio_previews", "cid");
    public static final WorkList QM_CIDS = WorkList.ofCidColumn("qm_cids", "qm_cids", "key");

    /** The phase of a run that walked every list. */
    public static final String DONE = "done";

    private static final List<WorkList> IN_ORDER = List.of(UPLOADS, PREVIEWS, QM_CIDS);

    private WorkLists() {
    }

    public static List<WorkList> inOrder() {
        return IN_ORDER;
    }

    /** The list names in walking order, for the cycle route's split. */
    public static List<String> names() {
        return IN_ORDER.stream().map(WorkList::name).toList();
    }

    public static WorkList named(String name) {
        return IN_ORDER.stream().filter(l -> l.name().equals(name)).findFirst()
                .orElseThrow(() -> new IllegalArgumentException("unknown work list '" + name + "'"));
    }

    public static String first() {
        return IN_ORDER.get(0).name();
    }

    /** The list walked after {@code name}, or {@link #DONE} after the last. */
    public static String after(String name) {
        int at = IN_ORDER.indexOf(named(name));
        return at + 1 < IN_ORDER.size() ? IN_ORDER.get(at + 1).name() : DONE;
    }

    /** Whether a run whose phase is {@code phase} has already walked all of {@code list}. */
    public static boolean walkedBefore(String phase, String list) {
        if (DONE.equals(phase)) {
            return true;
        }
        return IN_ORDER.indexOf(named(phase)) > IN_ORDER.indexOf(named(list));
    }
}
