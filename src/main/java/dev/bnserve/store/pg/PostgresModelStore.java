package dev.bnserve.store.pg;

import dev.bnserve.model.ModelIds;
import dev.bnserve.model.ModelJson;
import dev.bnserve.model.ModelRecord;
import dev.bnserve.model.ModelStatus;
import dev.bnserve.model.ModelStore;
import dev.bnserve.problem.Problem;
import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.sql.Timestamp;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import tools.jackson.core.exc.JacksonIOException;

/**
 * Models in PostgreSQL: a {@code models} row per model and its versioned JSON document ({@link ModelJson}, the format
 * export writes) in {@code model_chunks} of at most 1 MiB, replaced in one transaction per save. A queued model gets
 * its {@code jobs} row in the same transaction. Every replica holds the models in memory and hears of every other
 * replica's saves and deletes, through {@code NOTIFY} and the poll, so its listeners (the compiled plans) follow.
 */
public final class PostgresModelStore implements ModelStore {
    private static final Logger log = LoggerFactory.getLogger(PostgresModelStore.class);

    private final PgDatabase db;
    private final ModelJson json;
    private final Map<String, ModelRecord> models = new ConcurrentHashMap<>();
    private final Map<String, Long> revisions = new ConcurrentHashMap<>();
    private final List<Consumer<ModelRecord>> onSaved = new CopyOnWriteArrayList<>();
    private final List<Consumer<String>> onDeleted = new CopyOnWriteArrayList<>();

    public PostgresModelStore(PgDatabase db, ModelJson json) {
        this.db = db;
        this.json = json;
    }

    PgDatabase db() {
        return db;
    }

    @Override
    public int load() {
        sync();
        log.info("Loaded {} model(s) from PostgreSQL", models.size());
        return models.size();
    }

    /** Brings the in-memory view up to the database: changed models reloaded, deleted ones dropped. */
    void sync() {
        Map<String, Long> ids = new HashMap<>();
        db.readDo(() -> db.jdbc().sql("SELECT id, revision FROM models").query(rs -> {
            ids.put(rs.getString(1), rs.getLong(2));
        }));
        for (String id : List.copyOf(models.keySet())) if (!ids.containsKey(id)) forget(id);
        ids.forEach((id, rev) -> {
            Long known = revisions.get(id);
            if (known == null || known < rev) fetch(id);
        });
    }

    /** Reads one model from the database and publishes it if it is newer than what this replica has. */
    Optional<ModelRecord> fetch(String id) {
        record Row(int chunks, long revision) {}
        record Loaded(ModelRecord model, long revision) {}
        Optional<Loaded> loaded;
        try {
            loaded = db.read(() -> {
                Optional<Row> row = db.jdbc()
                        .sql("SELECT chunks, revision FROM models WHERE id = ?")
                        .param(id)
                        .query((rs, n) -> new Row(rs.getInt(1), rs.getLong(2)))
                        .optional();
                if (row.isEmpty()) return Optional.<Loaded>empty();
                try (InputStream in = new BufferedInputStream(
                        Chunks.read(
                                db.jdbc(),
                                "model_chunks",
                                "model_id",
                                id,
                                row.get().chunks()),
                        1 << 16)) {
                    ModelRecord m = json.read(in);
                    if (!id.equals(m.id())) return Optional.<Loaded>empty();
                    return Optional.of(new Loaded(m, row.get().revision()));
                } catch (IOException | RuntimeException e) {
                    if (e instanceof Problem p && p.kind() == Problem.Kind.UNAVAILABLE) throw p;
                    log.warn("skipping unreadable model {} in the database: {}", id, e.getMessage());
                    return Optional.<Loaded>empty();
                }
            });
        } catch (Problem unavailable) {
            return Optional.ofNullable(models.get(id));
        }
        if (loaded.isEmpty()) return Optional.empty();
        publish(loaded.get().model(), loaded.get().revision());
        return Optional.ofNullable(models.get(id));
    }

    /** Listeners first, then readers: whoever sees a model ready can already predict with it. Stale versions lose. */
    private synchronized void publish(ModelRecord m, long revision) {
        Long known = revisions.get(m.id());
        if (known != null && known >= revision) return;
        revisions.put(m.id(), revision); // first: a listener reading the model must not fetch and publish it again
        onSaved.forEach(l -> l.accept(m));
        models.put(m.id(), m);
    }

    private synchronized void forget(String id) {
        revisions.remove(id);
        if (models.remove(id) != null) onDeleted.forEach(l -> l.accept(id));
    }

    @Override
    public synchronized void onSaved(Consumer<ModelRecord> listener) {
        onSaved.add(listener);
        models.values().forEach(listener);
    }

    @Override
    public void onDeleted(Consumer<String> listener) {
        onDeleted.add(listener);
    }

    @Override
    public ModelRecord save(ModelRecord m) {
        check(m);
        long revision = db.tx(() -> write(m));
        publish(m, revision);
        return m;
    }

    /**
     * Saves {@code m} only if {@code guard} (run first, in the same transaction, e.g. a job-row lock that checks who
     * owns the job) holds; false, and nothing written, otherwise.
     */
    boolean saveIf(ModelRecord m, BooleanSupplier guard) {
        check(m);
        Long revision = db.tx(() -> guard.getAsBoolean() ? write(m) : null);
        if (revision == null) return false;
        publish(m, revision);
        return true;
    }

    private static void check(ModelRecord m) {
        if (!ModelIds.isValid(m.id())) throw new IllegalArgumentException("invalid model id");
    }

    /** The write itself, inside the caller's transaction; returns the new revision. */
    private long write(ModelRecord m) {
        db.jdbc()
                .sql(
                        "INSERT INTO models (id, name, version, status, created, bytes, chunks) VALUES (?, ?, ?, ?, ?, 0, 0)"
                                + " ON CONFLICT (id) DO UPDATE SET name = excluded.name, version = excluded.version,"
                                + " status = excluded.status")
                .params(m.id(), m.name(), m.version(), m.status().id(), Timestamp.from(m.created()))
                .update();
        Chunks.Written w = Chunks.write(db.jdbc(), "model_chunks", "model_id", m.id(), out -> {
            try {
                json.write(m, out);
            } catch (JacksonIOException e) {
                throw e.getCause();
            }
        });
        long revision = db.jdbc()
                .sql("UPDATE models SET bytes = ?, chunks = ?, revision = nextval('revisions') WHERE id = ?"
                        + " RETURNING revision")
                .params(w.bytes(), w.chunks(), m.id())
                .query(Long.class)
                .single();
        if (m.status() == ModelStatus.QUEUED) {
            int queued = db.jdbc()
                    .sql("INSERT INTO jobs (model_id, state) VALUES (?, 'queued') ON CONFLICT (model_id) DO NOTHING")
                    .param(m.id())
                    .update();
            if (queued > 0) db.notifyAll("j", m.id());
        }
        db.notifyAll("m", m.id());
        return revision;
    }

    /** In memory only (progress while training); the job queue makes progress durable for the other replicas. */
    @Override
    public void update(ModelRecord m) {
        models.put(m.id(), m);
    }

    @Override
    public Optional<ModelRecord> get(String id) {
        if (!ModelIds.isValid(id)) return Optional.empty();
        ModelRecord m = models.get(id);
        return m != null ? Optional.of(m) : fetch(id);
    }

    @Override
    public List<ModelRecord> list() {
        List<ModelRecord> all = new ArrayList<>(models.values());
        all.sort(Comparator.comparing(ModelRecord::created)
                .thenComparing(ModelRecord::id)
                .reversed());
        return all;
    }

    /** Deletes the model unless an alias points to it (checked in the same transaction: replicas race here). */
    @Override
    public boolean delete(String id) {
        if (!ModelIds.isValid(id)) return false;
        int deleted = db.tx(() -> {
            // lock the row first: an alias being pointed at it meanwhile (which locks it FOR SHARE) is then seen
            db.jdbc()
                    .sql("SELECT id FROM models WHERE id = ? FOR UPDATE")
                    .param(id)
                    .query(String.class)
                    .list();
            List<String> aliased = db.jdbc()
                    .sql("SELECT name || '@' || alias FROM aliases WHERE model_id = ? ORDER BY 1")
                    .param(id)
                    .query(String.class)
                    .list();
            if (!aliased.isEmpty()) {
                throw Problem.conflict(
                        "model-aliased",
                        "Model has aliases",
                        "Model " + id + " is what " + String.join(", ", aliased)
                                + " point to; move or delete those aliases first.");
            }
            db.jdbc().sql("DELETE FROM jobs WHERE model_id = ?").param(id).update();
            int n = db.jdbc().sql("DELETE FROM models WHERE id = ?").param(id).update();
            if (n > 0) db.notifyAll("md", id);
            return n;
        });
        boolean known = models.containsKey(id);
        forget(id);
        return deleted > 0 || known;
    }

    /** A change a replica (this one included) announced. */
    void changed(String kind, String id) {
        if (!ModelIds.isValid(id)) return;
        if (kind.equals("md")) {
            forget(id);
            return;
        }
        Long known = revisions.get(id);
        if (known != null) {
            Optional<Long> now = db.read(() -> db.jdbc()
                    .sql("SELECT revision FROM models WHERE id = ?")
                    .param(id)
                    .query(Long.class)
                    .optional());
            if (now.isEmpty()) {
                forget(id);
                return;
            }
            if (now.get() <= known) return;
        }
        fetch(id);
    }
}
