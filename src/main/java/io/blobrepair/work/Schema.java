package io.blobrepair.work;

import javax.sql.DataSource;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;

/**
 * Creates the work tables, the service's own tables and, when clustered, Quartz's tables, each
 * only while missing ({@code repair.db.init-schema=true}). Replicas that start together take
 * turns: PostgreSQL's {@code CREATE TABLE IF NOT EXISTS} is not safe against a concurrent twin,
 * and Quartz's DDL drops its tables before creating them.
 */
public final class Schema {

    /** Quartz's DDL for PostgreSQL (clustered scheduling), shipped in the Quartz jar. */
    static final String QUARTZ_DDL = "/org/quartz/impl/jdbcjobstore/tables_postgres.sql";

    /** Advisory lock key of "a replica is creating the schema" ("schm" in ASCII). */
    static final long SCHEMA_LOCK = 0x7363686dL;

    private Schema() {
    }

    public static void init(DataSource dataSource, boolean clustered) throws IOException, SQLException {
        try (Connection c = dataSource.getConnection(); Statement st = c.createStatement()) {
            st.execute("SELECT pg_advisory_lock(" + SCHEMA_LOCK + ")");
            try {
                st.execute(resource("/db/schema.sql"));
                if (clustered && !quartzTablesExist(c)) {
                    st.execute(resource(QUARTZ_DDL));
                }
            } finally {
                st.execute("SELECT pg_advisory_unlock(" + SCHEMA_LOCK + ")");
            }
        }
    }

    private static String resource(String path) throws IOException {
        try (InputStream in = Schema.class.getResourceAsStream(path)) {
            if (in == null) {
                throw new IOException("missing resource " + path);
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    private static boolean quartzTablesExist(Connection c) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("SELECT to_regclass('qrtz_job_details') IS NOT NULL");
             ResultSet rs = ps.executeQuery()) {
            rs.next();
            return rs.getBoolean(1);
        }
    }
}
