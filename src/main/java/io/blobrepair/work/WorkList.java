package io.blobrepair.work;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.List;

/**
 * One work list: the table a cycle walks in key order, and how a row becomes CIDs to check.
 * Adding a list is one descriptor in {@link WorkLists} and one route file.
 *
 * @param name      the list's name: its cursor's name in {@code repair_runs.cursors}, its sub-route
 *                  ({@code direct:repair-<name>}) and its progress phase
 * @param table     the table
 * @param keyColumn the primary key the cursor moves along
 * @param columns   the selected columns, key first
 * @param rows      how one row becomes work items
 */
public record WorkList(String name, String table, String keyColumn, String columns, RowReader rows) {

    /** Reads one row (positioned by the caller) into work items; returns false when the row was malformed. */
    @FunctionalInterface
    public interface RowReader {
        boolean read(ResultSet row, List<WorkItem> into) throws SQLException;
    }

    /** A table whose key column is itself the CID. */
    public static WorkList ofCidColumn(String name, String table, String column) {
        return new WorkList(name, table, column, column, (row, into) -> {
            into.add(WorkItem.of(row.getString(1)));
            return true;
        });
    }

    @Override
    public String toString() {
        return name;
    }
}
