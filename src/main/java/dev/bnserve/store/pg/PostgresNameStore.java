package dev.bnserve.store.pg;

import dev.bnserve.model.ModelRef;
import dev.bnserve.model.NameStore;
import dev.bnserve.problem.Problem;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;

/**
 * Names in PostgreSQL: {@code names} (the last version issued, never reused) and {@code aliases}. Issuing a version is
 * one atomic upsert, so two replicas never issue the same one; an alias move is one transaction, and each replica
 * swaps its in-memory view of a name's aliases in one write, so a request sees the old target or the new one.
 */
public final class PostgresNameStore implements NameStore {
    private final PgDatabase db;
    private final Map<String, Map<String, String>> aliases = new ConcurrentHashMap<>();
    private final Map<String, Long> revisions = new ConcurrentHashMap<>();
    private final List<Consumer<String>> listeners = new CopyOnWriteArrayList<>();

    public PostgresNameStore(PgDatabase db) {
        this.db = db;
        sync();
    }

    @Override
    public Map<String, String> aliases(String name) {
        Map<String, String> a = aliases.get(name);
        return a == null ? Map.of() : a;
    }

    @Override
    public void putAlias(String name, String alias, String modelId) {
        db.tx(() -> {
            db.jdbc()
                    .sql("INSERT INTO names (name) VALUES (?) ON CONFLICT (name) DO NOTHING")
                    .param(name)
                    .update();
            // the target may have been deleted by another replica since it was looked up: lock and check it
            List<String> status = db.jdbc()
                    .sql("SELECT status FROM models WHERE id = ? FOR SHARE")
                    .param(modelId)
                    .query(String.class)
                    .list();
            if (status.isEmpty()) throw Problem.notFound("model", modelId);
            db.jdbc()
                    .sql("INSERT INTO aliases (name, alias, model_id) VALUES (?, ?, ?)"
                            + " ON CONFLICT (name, alias) DO UPDATE SET model_id = excluded.model_id")
                    .params(name, alias, modelId)
                    .update();
            touch(name);
            return null;
        });
        refresh(name);
    }

    @Override
    public boolean deleteAlias(String name, String alias) {
        int n = db.tx(() -> {
            int deleted = db.jdbc()
                    .sql("DELETE FROM aliases WHERE name = ? AND alias = ?")
                    .params(name, alias)
                    .update();
            if (deleted > 0) touch(name);
            return deleted;
        });
        refresh(name);
        return n > 0;
    }

    @Override
    public int issueVersion(String name, int atLeast) {
        return db.tx(() -> db.jdbc()
                .sql("INSERT INTO names (name, last_version) VALUES (?, GREATEST(1, ?)) ON CONFLICT (name) DO UPDATE"
                        + " SET last_version = GREATEST(names.last_version + 1, ?) RETURNING last_version")
                .params(name, atLeast, atLeast)
                .query(Integer.class)
                .single());
    }

    @Override
    public void onAliasesChanged(Consumer<String> listener) {
        listeners.add(listener);
    }

    private void touch(String name) {
        db.jdbc()
                .sql("UPDATE names SET revision = nextval('revisions') WHERE name = ?")
                .param(name)
                .update();
        db.notifyAll("a", name);
    }

    /** Rereads {@code name}'s aliases and, if they changed, publishes them in one write and tells the listeners. */
    void refresh(String name) {
        if (!ModelRef.isName(name)) return;
        record Read(Map<String, String> aliases, Long revision) {}
        Read read = db.read(() -> {
            Long rev = db.jdbc()
                    .sql("SELECT revision FROM names WHERE name = ?")
                    .param(name)
                    .query(Long.class)
                    .optional()
                    .orElse(null);
            Map<String, String> a = new TreeMap<>();
            db.jdbc()
                    .sql("SELECT alias, model_id FROM aliases WHERE name = ?")
                    .param(name)
                    .query(rs -> {
                        a.put(rs.getString(1), rs.getString(2));
                    });
            return new Read(Map.copyOf(a), rev);
        });
        boolean changed;
        synchronized (this) {
            Long known = revisions.get(name);
            if (read.revision() != null && known != null && known >= read.revision()) return;
            changed = !read.aliases().equals(aliases(name));
            if (read.aliases().isEmpty()) aliases.remove(name);
            else aliases.put(name, read.aliases());
            if (read.revision() == null) revisions.remove(name);
            else revisions.put(name, read.revision());
        }
        if (changed) listeners.forEach(l -> l.accept(name));
    }

    /** Brings every name up to the database. */
    void sync() {
        Map<String, Long> names = new HashMap<>();
        db.readDo(() -> db.jdbc().sql("SELECT name, revision FROM names").query(rs -> {
            names.put(rs.getString(1), rs.getLong(2));
        }));
        for (String n : List.copyOf(aliases.keySet())) if (!names.containsKey(n)) refresh(n);
        names.forEach((n, rev) -> {
            Long known = revisions.get(n);
            if (known == null || known < rev) refresh(n);
        });
    }
}
