package io.blobrepair.work;

import javax.sql.DataSource;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;

/**
 * Reads the work lists in ascending key order, one batch after a cursor at a time, so a cycle
 * can stop anywhere and resume from the last saved cursor.
 */
public class WorkListStore {

    /** One batch: the CIDs it contributed, the key to resume after, and whether more rows follow. */
    public record Batch(List<WorkItem> items, int rows, String lastKey, boolean more, int malformedRows) {
    }

    private final DataSource dataSource;
    private final int batchSize;

    public WorkListStore(DataSource dataSource, int batchSize) {
        this.dataSource = dataSource;
        this.batchSize = batchSize;
    }

    /** Rows of a list, from the planner's statistics (cheap); an exact count while there are none. */
    public long estimateRows(WorkListName list) throws SQLException {
        try (Connection c = dataSource.getConnection();
             PreparedStatement ps = c.prepareStatement("SELECT reltuples::bigint FROM pg_class WHERE oid = to_regclass(?)")) {
            ps.setString(1, table(list));
            try (ResultSet rs = ps.executeQuery()) {
                if (rs.next() && rs.getLong(1) > 0) {
                    return rs.getLong(1);
                }
            }
            try (PreparedStatement count = c.prepareStatement("SELECT count(*) FROM " + table(list));
                 ResultSet rs = count.executeQuery()) {
                rs.next();
                return rs.getLong(1);
            }
        }
    }

    private static String table(WorkListName list) {
        return switch (list) {
            case UPLOADS -> "uploads";
            case PREVIEWS -> "audio_previews";
            case QM_CIDS -> "qm_cids";
            case DONE -> throw new IllegalArgumentException("no table after the last list");
        };
    }

    public Batch next(WorkListName list, String afterKey) throws SQLException {
        String sql = switch (list) {
            case UPLOADS -> "SELECT id, template, orig_file_cid, placement_hosts::text, transcode_results::text FROM uploads";
            case PREVIEWS -> "SELECT cid FROM audio_previews";
            case QM_CIDS -> "SELECT key FROM qm_cids";
            case DONE -> throw new IllegalArgumentException("no rows after the last list");
        };
        String keyColumn = switch (list) {
            case UPLOADS -> "id";
            case PREVIEWS -> "cid";
            default -> "key";
        };
        sql += (afterKey == null ? "" : " WHERE " + keyColumn + " > ?") + " ORDER BY " + keyColumn + " LIMIT ?";
        List<WorkItem> items = new ArrayList<>();
        String lastKey = afterKey;
        int rows = 0;
        int malformed = 0;
        try (Connection c = dataSource.getConnection(); PreparedStatement ps = c.prepareStatement(sql)) {
            int p = 1;
            if (afterKey != null) {
                ps.setString(p++, afterKey);
            }
            ps.setInt(p, batchSize);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    rows++;
                    lastKey = rs.getString(1);
                    if (list == WorkListName.UPLOADS) {
                        UploadRowCids.Result r = UploadRowCids.of(rs.getString(2), rs.getString(3), rs.getString(4), rs.getString(5));
                        items.addAll(r.items());
                        malformed += r.malformedJson() ? 1 : 0;
                    } else {
                        items.add(WorkItem.of(lastKey));
                    }
                }
            }
        }
        return new Batch(items, rows, lastKey, rows == batchSize, malformed);
    }
}
