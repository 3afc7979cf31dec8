package io.blobrepair.work;

import javax.sql.DataSource;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

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
    public long estimateRows(WorkList list) throws SQLException {
        try (Connection c = dataSource.getConnection();
             PreparedStatement ps = c.prepareStatement("SELECT reltuples::bigint FROM pg_class WHERE oid = to_regclass(?)")) {
            ps.setString(1, list.table());
            try (ResultSet rs = ps.executeQuery()) {
                if (rs.next() && rs.getLong(1) > 0) {
                    return rs.getLong(1);
                }
            }
            try (PreparedStatement count = c.prepareStatement("SELECT count(*) FROM " + list.table());
                 ResultSet rs = count.executeQuery()) {
                rs.next();
                return rs.getLong(1);
            }
        }
    }

    /**
     * The list as this database's table allows it to be read: each optional column that the
     * table lacks is selected as NULL (an older node's {@code uploads} without {@code created_at}).
     */
    public WorkList resolve(WorkList list) throws SQLException {
        if (list.optional().isEmpty()) {
            return list;
        }
        Set<String> present = new HashSet<>();
        try (Connection c = dataSource.getConnection(); PreparedStatement ps = c.prepareStatement(
                "SELECT column_name FROM information_schema.columns WHERE table_name = ? AND table_schema = current_schema()")) {
            ps.setString(1, list.table());
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    present.add(rs.getString(1));
                }
            }
        }
        StringBuilder columns = new StringBuilder(list.columns());
        list.optional().forEach((column, type) -> columns.append(", ")
                .append(present.contains(column) ? column : "NULL::" + type + " AS " + column));
        return list.selecting(columns.toString());
    }

    /** The batch after {@code afterKey} of a list {@link #resolve resolved} against its table. */
    public Batch next(WorkList list, String afterKey) throws SQLException {
        if (!list.optional().isEmpty()) {
            throw new IllegalArgumentException("work list " + list + " must be resolved against its table first");
        }
        String sql = "SELECT " + list.columns() + " FROM " + list.table()
                + (afterKey == null ? "" : " WHERE " + list.keyColumn() + " > ?")
                + " ORDER BY " + list.keyColumn() + " LIMIT ?";
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
                    if (!list.rows().read(rs, items)) {
                        malformed++;
                    }
                }
            }
        }
        return new Batch(items, rows, lastKey, rows == batchSize, malformed);
    }
}
