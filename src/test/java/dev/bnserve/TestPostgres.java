package dev.bnserve;

import static org.assertj.core.api.Assertions.fail;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import dev.bnserve.store.pg.PgDatabase;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.util.Locale;
import java.util.concurrent.ThreadLocalRandom;
import org.flywaydb.core.Flyway;
import org.junit.jupiter.api.Assumptions;

/**
 * The real PostgreSQL of the tests: {@code -Dbnserve.test.postgres=jdbc:postgresql://…} names a server (.ci/postgres.sh
 * starts a throwaway one and prints its URL). Without it the PostgreSQL tests are skipped with a message saying so,
 * unless {@code -Dpostgres.required=true} (CI), which makes them fail instead. Each test gets a database of its own.
 */
public final class TestPostgres {
    public static final String URL = "bnserve.test.postgres";
    public static final String DIR = "bnserve.test.postgres.dir";

    private TestPostgres() {}

    /** The server's URL (its maintenance database), or the test is skipped (failed under postgres.required). */
    public static String serverUrl() {
        String url = System.getProperty(URL, "");
        if (url.isBlank()) {
            String message = "PostgreSQL tests skipped: no server given (-D" + URL
                    + "=jdbc:postgresql://127.0.0.1:PORT/postgres?user=postgres; .ci/postgres.sh DIR starts one)";
            if (Boolean.getBoolean("postgres.required"))
                fail(message.replace("skipped", "required (-Dpostgres.required=true)"));
            Assumptions.abort(message);
        }
        return url;
    }

    /** Creates an empty database of its own for one test; returns its URL. */
    public static String newDatabase(String label) {
        String server = serverUrl();
        String name = ("t_" + label + "_"
                        + Long.toString(ThreadLocalRandom.current().nextLong() >>> 1, 36))
                .toLowerCase(Locale.ROOT)
                .replaceAll("[^a-z0-9_]", "_");
        try (Connection c = DriverManager.getConnection(server);
                Statement s = c.createStatement()) {
            s.execute("CREATE DATABASE " + name);
        } catch (Exception e) {
            fail("cannot create a test database on " + server + ": " + e, e);
        }
        return withDatabase(server, name);
    }

    static String withDatabase(String url, String name) {
        int slash = url.indexOf('/', "jdbc:postgresql://".length());
        int query = url.indexOf('?', slash);
        return url.substring(0, slash + 1) + name + (query < 0 ? "" : url.substring(query));
    }

    /** A migrated database with a small pool, as the service opens it. */
    public static Db open(String label) {
        return connect(newDatabase(label));
    }

    public static Db connect(String url) {
        HikariConfig c = new HikariConfig();
        c.setJdbcUrl(url);
        c.setMaximumPoolSize(8);
        c.setConnectionTimeout(5000);
        HikariDataSource ds = new HikariDataSource(c);
        Flyway.configure()
                .dataSource(ds)
                .locations("classpath:db/migration")
                .load()
                .migrate();
        return new Db(url, ds, new PgDatabase(ds));
    }

    /** A test database: its URL, pool and the stores' handle on it. */
    public record Db(String url, HikariDataSource dataSource, PgDatabase db) implements AutoCloseable {
        /** Runs one SQL statement and returns the first column of its first row as a long (for checks). */
        public long scalar(String sql) {
            try (Connection c = dataSource.getConnection();
                    Statement s = c.createStatement();
                    var rs = s.executeQuery(sql)) {
                rs.next();
                return rs.getLong(1);
            } catch (Exception e) {
                throw new IllegalStateException(sql, e);
            }
        }

        @Override
        public void close() {
            dataSource.close();
        }
    }
}
