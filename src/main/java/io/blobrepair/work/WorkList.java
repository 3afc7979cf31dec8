package io.blobrepair.work;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * One work list: the table a cycle walks in key order, and how a row becomes CIDs to check.
 * Adding a list is one descriptor in {@link WorkLists} and one route file.
 *
 * @param name      the list's name: its cursor's name in {@code repair_runs.cursors}, its sub-route
 *                  ({@code direct:repair-<name>}) and its progress phase
 * @param table     the table
 * @param keyColumn the primary key the cursor moves along
 * @param columns   the selected columns, key first
 * @param optional  columns selected after {@code columns} that a table may lack (name → SQL type):
 *                  read as NULL there ({@link WorkListStore#resolve})
 * @param rows      how one row becomes work items
 */
public record WorkList(String name, String table, String keyColumn, String columns, Map<String, String> optional,
                       RowReader rows) {

    public WorkList {
        optional = Collections.unmodifiableMap(new LinkedHashMap<>(optional));
    }

    /** Reads one row (positioned by the caller) into work items; returns false when the row was malformed. */
    @FunctionalInterface
    public interface RowReader {
        boolean read(ResultSet row, List<WorkItem> into) throws SQLException;
    }

    /** A table whose key column is itself the CID. */
    public static WorkList ofCidColumn(String name, String table, String column) {
        return new WorkList(name, table, column, column, Map.of(), (row, into) -> {
            into.add(WorkItem.of(row.getString(1)));
            return true;
        });
    }

    /** The same list selecting {@code columns} as given: the optional ones resolved against the table. */
    public WorkList selecting(String resolvedColumns) {
        return new WorkList(name, table, keyColumn, resolvedColumns, Map.of(), rows);
    }

    @Override
    public String toString() {
        return name;
    }
}
