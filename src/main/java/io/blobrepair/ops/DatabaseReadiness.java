package io.blobrepair.ops;

import io.blobrepair.work.Schema;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import javax.sql.DataSource;
import java.io.IOException;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.Optional;

/**
 * Whether the node's PostgreSQL answers. A database that is down at startup does not stop the
 * service: the schema is created ({@code repair.db.init-schema}) once it first answers, and
 * until then every cycle aborts as {@code DATABASE_UNREACHABLE} before it begins and is retried.
 * Messages name the database by its URL without query parameters, where credentials may be.
 */
public class DatabaseReadiness {

    private static final Logger LOG = LoggerFactory.getLogger(DatabaseReadiness.class);

    private final DataSource dataSource;
    private final boolean initSchema;
    private final boolean clustered;
    private final String url;
    private volatile boolean schemaReady;
    private volatile String problem;

    public DatabaseReadiness(DataSource dataSource, String jdbcUrl, boolean initSchema, boolean clustered) {
        this.dataSource = dataSource;
        this.url = withoutCredentials(jdbcUrl);
        this.initSchema = initSchema;
        this.clustered = clustered;
    }

    /** {@code jdbc:postgresql://u:p@host:5432/db?password=…} → {@code jdbc:postgresql://host:5432/db}. */
    static String withoutCredentials(String jdbcUrl) {
        String noQuery = jdbcUrl.replaceFirst("[?;].*$", "");
        return noQuery.replaceFirst("//[^/@]*@", "//");
    }

    public String url() {
        return url;
    }

    /** At startup: prepares the schema when the database answers; logs one line when it does not. */
    public void checkAtStartup() {
        if (!ready()) {
            LOG.warn("database {} unreachable ({}): the service stays up, cycles are retried until it answers", url, problem);
        }
    }

    /** True when the database does not answer (or its schema cannot be created) now: the cycle guard and the health check. */
    public boolean unreachable() {
        boolean before = problem == null;
        if (ready()) {
            return false;
        }
        if (before) {
            LOG.warn("database {} unreachable: {}", url, problem);
        }
        return true;
    }

    /** Why the database did not answer the last time it was asked, or empty. */
    public Optional<String> problem() {
        return Optional.ofNullable(problem);
    }

    private boolean ready() {
        try {
            if (!schemaReady) {
                if (initSchema) {
                    Schema.init(dataSource, clustered);
                }
                schemaReady = true;
            } else {
                try (Connection c = dataSource.getConnection()) {
                    if (!c.isValid(3)) {
                        throw new SQLException("the database did not answer a validity check within 3 s");
                    }
                }
            }
            problem = null;
            return true;
        } catch (SQLException | IOException e) {
            problem = rootMessage(e);
            return false;
        }
    }

    private static String rootMessage(Throwable e) {
        Throwable root = e;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        return root.getMessage() == null ? root.getClass().getSimpleName() : root.getMessage();
    }
}
