package dev.bnserve.store.pg;

import dev.bnserve.problem.Problem;
import java.sql.SQLException;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;
import javax.sql.DataSource;
import org.springframework.dao.DataAccessResourceFailureException;
import org.springframework.dao.QueryTimeoutException;
import org.springframework.dao.TransientDataAccessException;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.jdbc.datasource.DataSourceTransactionManager;
import org.springframework.transaction.CannotCreateTransactionException;
import org.springframework.transaction.TransactionDefinition;
import org.springframework.transaction.TransactionSystemException;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * The database the stores share: one {@link JdbcClient}, transactions, and the translation of "the database is not
 * there" into a 503 problem. Every write runs in one transaction, so a failure (or a crash) leaves the old state or the
 * new one; a write that cannot reach the database is refused as unavailable and changes nothing.
 */
public final class PgDatabase {
    private static final org.slf4j.Logger log = org.slf4j.LoggerFactory.getLogger(PgDatabase.class);
    /** One payload channel for every change: {@code <kind>:<key>}. */
    static final String CHANNEL = "bnserve";

    private final DataSource dataSource;
    private final JdbcClient jdbc;
    private final TransactionTemplate write;
    private final TransactionTemplate snapshot;
    private final AtomicLong lastSuccess = new AtomicLong();
    private final AtomicLong lastFailure = new AtomicLong();

    public PgDatabase(DataSource dataSource) {
        this.dataSource = dataSource;
        this.jdbc = JdbcClient.create(dataSource);
        DataSourceTransactionManager tm = new DataSourceTransactionManager(dataSource);
        this.write = new TransactionTemplate(tm);
        this.snapshot = new TransactionTemplate(tm);
        snapshot.setIsolationLevel(TransactionDefinition.ISOLATION_REPEATABLE_READ);
        snapshot.setReadOnly(true);
    }

    public DataSource dataSource() {
        return dataSource;
    }

    JdbcClient jdbc() {
        return jdbc;
    }

    /** Runs {@code work} in one read-write transaction; a database that cannot be reached is a 503 problem. */
    <T> T tx(Supplier<T> work) {
        return guarded(() -> write.execute(status -> work.get()));
    }

    /** Runs {@code work} in one read-only repeatable-read transaction: every query sees the same snapshot. */
    <T> T read(Supplier<T> work) {
        return guarded(() -> snapshot.execute(status -> work.get()));
    }

    /** {@link #read} for work without a result. */
    void readDo(Runnable work) {
        read(() -> {
            work.run();
            return null;
        });
    }

    /** Sends a notification to every replica (delivered when the surrounding transaction commits). */
    void notifyAll(String kind, String key) {
        jdbc.sql("SELECT pg_notify(?, ?)")
                .params(CHANNEL, kind + ":" + key)
                .query()
                .singleValue();
    }

    private <T> T guarded(Supplier<T> work) {
        for (int attempt = 0; ; attempt++) {
            try {
                T t = work.get();
                lastSuccess.set(System.currentTimeMillis());
                return t;
            } catch (RuntimeException e) {
                if (!unavailable(e)) throw e;
                // a pooled connection the server closed (it restarted) fails before the transaction begins: once
                // more on a fresh one is safe, since nothing of the work ran
                if (attempt == 0 && e instanceof CannotCreateTransactionException) continue;
                lastFailure.set(System.currentTimeMillis());
                log.warn("database unavailable: {}", rootCause(e).toString());
                throw unavailableProblem();
            }
        }
    }

    private static Throwable rootCause(Throwable e) {
        Throwable t = e;
        while (t.getCause() != null && t.getCause() != t) t = t.getCause();
        return t;
    }

    void succeeded() {
        lastSuccess.set(System.currentTimeMillis());
    }

    void failed() {
        lastFailure.set(System.currentTimeMillis());
    }

    /** Whether the last contact with the database succeeded. */
    boolean reachable() {
        return lastSuccess.get() >= lastFailure.get() && lastSuccess.get() > 0;
    }

    static Problem unavailableProblem() {
        return new Problem(
                Problem.Kind.UNAVAILABLE,
                null,
                null,
                "The database is unavailable, so nothing was changed; predictions from ready models go on."
                        + " Try again shortly.",
                List.of());
    }

    /** Whether {@code e} says the database cannot be reached (as opposed to a statement it refused). */
    static boolean unavailable(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof DataAccessResourceFailureException
                    || t instanceof CannotCreateTransactionException
                    || t instanceof TransactionSystemException
                    || t instanceof QueryTimeoutException
                    || t instanceof TransientDataAccessException) return true;
            if (t instanceof SQLException s && s.getSQLState() != null) {
                String state = s.getSQLState();
                // 08: connection exception, 57P: operator intervention (shutdown), 53: insufficient resources
                if (state.startsWith("08") || state.startsWith("57P") || state.startsWith("53")) return true;
            }
            if (t.getCause() == t) break;
        }
        return false;
    }
}
