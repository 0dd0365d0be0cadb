package dev.bnserve.store.pg;

import dev.bnserve.data.Dataset;
import dev.bnserve.data.DatasetCodec;
import dev.bnserve.data.DatasetIds;
import dev.bnserve.data.DatasetStore;
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
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Datasets in PostgreSQL: a {@code datasets} row per dataset and its binary column encoding ({@link DatasetCodec}) in
 * {@code dataset_chunks} of at most 1 MiB, written in one transaction. Every replica keeps the datasets in memory as
 * the filesystem store does, and reads one it does not have yet from the database on first use.
 */
public final class PostgresDatasetStore implements DatasetStore {
    private static final Logger log = LoggerFactory.getLogger(PostgresDatasetStore.class);

    private final PgDatabase db;
    private final Map<String, Dataset> datasets = new ConcurrentHashMap<>();
    private final Map<String, Long> revisions = new ConcurrentHashMap<>();

    public PostgresDatasetStore(PgDatabase db) {
        this.db = db;
    }

    @Override
    public synchronized int load() {
        Map<String, Long> ids = ids();
        datasets.keySet().retainAll(ids.keySet());
        revisions.keySet().retainAll(ids.keySet());
        ids.forEach((id, rev) -> {
            if (!rev.equals(revisions.get(id))) fetch(id);
        });
        log.info("Loaded {} dataset(s) from PostgreSQL", datasets.size());
        return datasets.size();
    }

    /** Brings the in-memory view up to the database: new datasets loaded, deleted ones dropped. */
    void sync() {
        Map<String, Long> ids = ids();
        for (String id : List.copyOf(datasets.keySet())) if (!ids.containsKey(id)) forget(id);
        ids.forEach((id, rev) -> {
            if (!rev.equals(revisions.get(id))) fetch(id);
        });
    }

    private Map<String, Long> ids() {
        Map<String, Long> ids = new HashMap<>();
        db.readDo(() -> db.jdbc().sql("SELECT id, revision FROM datasets").query(rs -> {
            ids.put(rs.getString(1), rs.getLong(2));
        }));
        return ids;
    }

    /** Reads one dataset from the database into memory; empty if it is not there. */
    Optional<Dataset> fetch(String id) {
        record Row(long bytes, int chunks, long revision) {}
        try {
            return db.read(() -> {
                Optional<Row> row = db.jdbc()
                        .sql("SELECT bytes, chunks, revision FROM datasets WHERE id = ?")
                        .param(id)
                        .query((rs, n) -> new Row(rs.getLong(1), rs.getInt(2), rs.getLong(3)))
                        .optional();
                if (row.isEmpty()) return Optional.<Dataset>empty();
                Dataset d;
                try (InputStream in = new BufferedInputStream(
                        Chunks.read(
                                db.jdbc(),
                                "dataset_chunks",
                                "dataset_id",
                                id,
                                row.get().chunks()),
                        1 << 16)) {
                    d = DatasetCodec.read(in, row.get().bytes());
                } catch (IOException e) {
                    log.warn("Skipping corrupt dataset {} in the database: {}", id, e.toString());
                    return Optional.<Dataset>empty();
                }
                if (!id.equals(d.id())) return Optional.<Dataset>empty();
                synchronized (this) {
                    datasets.put(id, d);
                    revisions.put(id, row.get().revision());
                }
                return Optional.of(d);
            });
        } catch (Problem unavailable) {
            return Optional.empty();
        }
    }

    synchronized void forget(String id) {
        datasets.remove(id);
        revisions.remove(id);
    }

    @Override
    public Dataset save(Dataset dataset) {
        String id = dataset.id();
        if (!DatasetIds.isValid(id)) throw new IllegalArgumentException("invalid dataset id");
        if (datasets.containsKey(id)) throw new IllegalStateException("dataset " + id + " already exists");
        long revision = db.tx(() -> {
            int inserted = db.jdbc()
                    .sql("INSERT INTO datasets (id, name, created, rows, bytes, chunks) VALUES (?, ?, ?, ?, 0, 0)"
                            + " ON CONFLICT (id) DO NOTHING")
                    .params(id, dataset.name(), Timestamp.from(dataset.created()), dataset.rows())
                    .update();
            if (inserted == 0) throw new IllegalStateException("dataset " + id + " already exists");
            Chunks.Written w = Chunks.write(db.jdbc(), "dataset_chunks", "dataset_id", id, out -> {
                DatasetCodec.write(dataset, out);
            });
            long rev = db.jdbc()
                    .sql("UPDATE datasets SET bytes = ?, chunks = ?, revision = nextval('revisions') WHERE id = ?"
                            + " RETURNING revision")
                    .params(w.bytes(), w.chunks(), id)
                    .query(Long.class)
                    .single();
            db.notifyAll("d", id);
            return rev;
        });
        synchronized (this) {
            datasets.put(id, dataset);
            revisions.put(id, revision);
        }
        return dataset;
    }

    @Override
    public Optional<Dataset> get(String id) {
        if (!DatasetIds.isValid(id)) return Optional.empty();
        Dataset d = datasets.get(id);
        return d != null ? Optional.of(d) : fetch(id);
    }

    @Override
    public List<Dataset> list() {
        List<Dataset> all = new ArrayList<>(datasets.values());
        all.sort(Comparator.comparing(Dataset::created).thenComparing(Dataset::id));
        return all;
    }

    @Override
    public boolean delete(String id) {
        if (!DatasetIds.isValid(id)) return false;
        int deleted = db.tx(() -> {
            int n = db.jdbc().sql("DELETE FROM datasets WHERE id = ?").param(id).update();
            if (n > 0) db.notifyAll("dd", id);
            return n;
        });
        forget(id);
        return deleted > 0;
    }

    /** A change a replica (this one included) announced. */
    void changed(String kind, String id) {
        if (!DatasetIds.isValid(id)) return;
        if (kind.equals("dd")) {
            forget(id);
            return;
        }
        Long known = revisions.get(id);
        if (known == null) {
            fetch(id);
            return;
        }
        Optional<Long> now = db.read(() -> db.jdbc()
                .sql("SELECT revision FROM datasets WHERE id = ?")
                .param(id)
                .query(Long.class)
                .optional());
        if (now.isEmpty()) forget(id);
        else if (!now.get().equals(known)) fetch(id);
    }
}
