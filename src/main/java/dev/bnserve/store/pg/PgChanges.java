package dev.bnserve.store.pg;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.time.Duration;
import java.util.Properties;
import java.util.concurrent.atomic.AtomicLong;
import org.postgresql.PGConnection;
import org.postgresql.PGNotification;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * How a replica learns of the others' changes: one connection of its own that {@code LISTEN}s on the
 * {@code bnserve} channel (each notification reloads the one dataset, model or name it names, or wakes the training
 * workers), and a poll every {@code bnserve.postgres.poll-interval} that compares revisions with the database, for
 * notifications missed while the connection was down, and fails jobs whose lease expired. After the listening
 * connection comes back, a full comparison runs at once.
 */
public final class PgChanges implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(PgChanges.class);

    private final PgDatabase db;
    private final String url;
    private final Properties credentials;
    private final Duration pollInterval;
    private final PostgresDatasetStore datasets;
    private final PostgresModelStore models;
    private final PostgresNameStore names;
    private final PostgresJobQueue jobs;
    private final Thread listener;
    private final Thread poller;
    private final AtomicLong polls = new AtomicLong();
    private volatile boolean listening;
    private volatile boolean running = true;
    private volatile Connection connection;

    public PgChanges(
            PgDatabase db,
            String url,
            String user,
            String password,
            Duration pollInterval,
            PostgresDatasetStore datasets,
            PostgresModelStore models,
            PostgresNameStore names,
            PostgresJobQueue jobs) {
        this.db = db;
        this.url = url;
        this.credentials = new Properties();
        if (user != null && !user.isEmpty()) credentials.setProperty("user", user);
        if (password != null && !password.isEmpty()) credentials.setProperty("password", password);
        credentials.setProperty("connectTimeout", "3");
        credentials.setProperty("tcpKeepAlive", "true");
        this.pollInterval = pollInterval;
        this.datasets = datasets;
        this.models = models;
        this.names = names;
        this.jobs = jobs;
        this.listener = new Thread(this::listen, "bnserve-pg-listen");
        this.poller = new Thread(this::poll, "bnserve-pg-poll");
        listener.setDaemon(true);
        poller.setDaemon(true);
    }

    public void start() {
        listener.start();
        poller.start();
    }

    /** Whether the listening connection is up (the replica hears of changes as they happen). */
    public boolean listening() {
        return listening;
    }

    /** Whether the database answered the last time it was asked. */
    public boolean reachable() {
        return listening && db.reachable();
    }

    private void listen() {
        long backoff = 200;
        while (running) {
            try (Connection c = DriverManager.getConnection(url, credentials)) {
                connection = c;
                try (Statement s = c.createStatement()) {
                    s.execute("LISTEN " + PgDatabase.CHANNEL);
                }
                boolean wasDown = !listening;
                listening = true;
                db.succeeded();
                backoff = 200;
                if (wasDown) {
                    log.info("listening for changes on PostgreSQL");
                    catchUp(); // whatever changed while this replica was not listening
                }
                PGConnection pg = c.unwrap(PGConnection.class);
                while (running) {
                    PGNotification[] ns = pg.getNotifications(500);
                    if (ns == null) continue;
                    for (PGNotification n : ns) dispatch(n.getParameter());
                }
            } catch (Exception e) {
                if (!running) return;
                if (listening) log.warn("lost the PostgreSQL listening connection: {}", e.toString());
                listening = false;
                db.failed();
                try {
                    Thread.sleep(backoff);
                } catch (InterruptedException ie) {
                    return;
                }
                backoff = Math.min(2000, backoff * 2);
            }
        }
    }

    private void dispatch(String payload) {
        int colon = payload.indexOf(':');
        if (colon < 0) return;
        String kind = payload.substring(0, colon);
        String key = payload.substring(colon + 1);
        try {
            switch (kind) {
                case "m", "md" -> models.changed(kind, key);
                case "d", "dd" -> datasets.changed(kind, key);
                case "a" -> names.refresh(key);
                case "j" -> jobs.queuedListeners.forEach(Runnable::run);
                case "c" -> jobs.cancelListeners.forEach(l -> l.accept(key));
                default -> {}
            }
        } catch (RuntimeException e) {
            log.debug("could not apply change {}: {}", payload, e.toString());
        }
    }

    /** A full comparison with the database: what a missed notification would have said. */
    void catchUp() {
        try {
            datasets.sync();
            names.sync();
            models.sync();
            jobs.queuedListeners.forEach(Runnable::run);
        } catch (RuntimeException e) {
            log.debug("catching up with PostgreSQL failed: {}", e.toString());
        }
    }

    private void poll() {
        while (running) {
            try {
                Thread.sleep(pollInterval.toMillis());
            } catch (InterruptedException e) {
                return;
            }
            try {
                catchUp();
                jobs.expire();
                polls.incrementAndGet();
            } catch (RuntimeException e) {
                log.debug("poll of PostgreSQL failed: {}", e.toString());
            }
        }
    }

    @Override
    public void close() {
        running = false;
        poller.interrupt();
        Connection c = connection;
        try {
            if (c != null) c.close();
        } catch (Exception ignored) {
            // closing anyway
        }
        listener.interrupt();
    }
}
