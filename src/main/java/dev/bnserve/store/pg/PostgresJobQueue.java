package dev.bnserve.store.pg;

import dev.bnserve.model.ModelRecord;
import dev.bnserve.model.ModelStatus;
import dev.bnserve.training.JobQueue;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The {@code jobs} table: claimed with {@code SELECT … FOR UPDATE SKIP LOCKED} (each queued job by exactly one
 * replica), held by a lease the claiming replica renews, and every write of the job's model guarded by a lock on its
 * row and a check that the writer still holds it, so a replica whose lease expired can never overwrite the "failed"
 * another replica recorded.
 */
public final class PostgresJobQueue implements JobQueue {
    private static final Logger log = LoggerFactory.getLogger(PostgresJobQueue.class);

    private final PgDatabase db;
    private final PostgresModelStore models;
    final List<Runnable> queuedListeners = new CopyOnWriteArrayList<>();
    final List<Consumer<String>> cancelListeners = new CopyOnWriteArrayList<>();

    public PostgresJobQueue(PostgresModelStore models) {
        this.db = models.db();
        this.models = models;
    }

    @Override
    public int queued() {
        return db.read(() -> db.jdbc()
                .sql("SELECT count(*) FROM jobs WHERE state = 'queued'")
                .query(Integer.class)
                .single());
    }

    @Override
    public Optional<String> claim(String instance, Duration lease) {
        return db.tx(() -> {
            Optional<String> id = db.jdbc()
                    .sql("SELECT model_id FROM jobs WHERE state = 'queued' ORDER BY seq LIMIT 1 FOR UPDATE SKIP LOCKED")
                    .query(String.class)
                    .optional();
            id.ifPresent(m -> db.jdbc()
                    .sql("UPDATE jobs SET state = 'running', claimed_by = ?, claimed_at = clock_timestamp(),"
                            + " lease_until = clock_timestamp() + ? * interval '1 millisecond' WHERE model_id = ?")
                    .params(instance, lease.toMillis(), m)
                    .update());
            return id;
        });
    }

    @Override
    public Lease renew(String modelId, String instance, Duration lease) {
        List<Boolean> cancel = db.tx(() -> db.jdbc()
                .sql("UPDATE jobs SET lease_until = clock_timestamp() + ? * interval '1 millisecond'"
                        + " WHERE model_id = ? AND state = 'running' AND claimed_by = ? RETURNING cancel_requested")
                .params(lease.toMillis(), modelId, instance)
                .query(Boolean.class)
                .list());
        if (cancel.isEmpty()) return Lease.LOST;
        return cancel.get(0) ? Lease.CANCEL : Lease.HELD;
    }

    @Override
    public boolean write(String modelId, String instance, ModelRecord m, boolean last) {
        return models.saveIf(m, () -> {
            List<String> held = db.jdbc()
                    .sql("SELECT model_id FROM jobs WHERE model_id = ? AND state = 'running' AND claimed_by = ?"
                            + " FOR UPDATE")
                    .params(modelId, instance)
                    .query(String.class)
                    .list();
            if (held.isEmpty()) return false;
            if (last) {
                db.jdbc()
                        .sql("UPDATE jobs SET state = 'done', lease_until = NULL WHERE model_id = ?")
                        .param(modelId)
                        .update();
            }
            return true;
        });
    }

    @Override
    public Cancel cancel(String modelId) {
        Optional<String> state = db.tx(() -> {
            Optional<String> s = db.jdbc()
                    .sql("SELECT state FROM jobs WHERE model_id = ? FOR UPDATE")
                    .param(modelId)
                    .query(String.class)
                    .optional();
            if (s.isPresent() && s.get().equals("running")) {
                db.jdbc()
                        .sql("UPDATE jobs SET cancel_requested = true WHERE model_id = ?")
                        .param(modelId)
                        .update();
                db.notifyAll("c", modelId);
            }
            return s;
        });
        if (state.isEmpty() || state.get().equals("done")) return Cancel.NONE;
        if (state.get().equals("running")) return Cancel.REQUESTED;
        Optional<ModelRecord> m = models.get(modelId);
        if (m.isEmpty()) return Cancel.NONE;
        ModelRecord cancelled =
                m.get().withStatus(ModelStatus.CANCELLED, "cancelled before training started", Instant.now());
        boolean done = models.saveIf(cancelled, () -> {
            int n = db.jdbc()
                    .sql("UPDATE jobs SET state = 'done' WHERE model_id = ? AND state = 'queued'")
                    .param(modelId)
                    .update();
            return n > 0;
        });
        // claimed in between: ask the claimer to stop
        return done ? Cancel.CANCELLED : cancel(modelId);
    }

    @Override
    public List<String> expire() {
        record Expired(String id, String instance) {}
        List<Expired> candidates = db.read(() -> db.jdbc()
                .sql(
                        "SELECT model_id, claimed_by FROM jobs WHERE state = 'running' AND lease_until < clock_timestamp()")
                .query((rs, n) -> new Expired(rs.getString(1), rs.getString(2)))
                .list());
        List<String> failed = new ArrayList<>();
        for (Expired e : candidates) {
            Optional<ModelRecord> m = models.get(e.id());
            if (m.isEmpty()) {
                db.tx(() -> db.jdbc()
                        .sql("DELETE FROM jobs WHERE model_id = ?")
                        .param(e.id())
                        .update());
                continue;
            }
            String reason = "lease expired on " + e.instance()
                    + ": the replica training it stopped renewing its lease; train it again";
            ModelRecord f = m.get().withStatus(ModelStatus.FAILED, reason, Instant.now());
            boolean marked = models.saveIf(f, () -> {
                List<String> locked = db.jdbc()
                        .sql("SELECT model_id FROM jobs WHERE model_id = ? AND state = 'running' AND claimed_by = ?"
                                + " AND lease_until < clock_timestamp() FOR UPDATE SKIP LOCKED")
                        .params(e.id(), e.instance())
                        .query(String.class)
                        .list();
                if (locked.isEmpty()) return false;
                db.jdbc()
                        .sql("UPDATE jobs SET state = 'done' WHERE model_id = ?")
                        .param(e.id())
                        .update();
                return true;
            });
            if (marked) {
                log.warn("model {} failed: {}", e.id(), reason);
                failed.add(e.id());
            }
        }
        return failed;
    }

    @Override
    public void onQueued(Runnable listener) {
        queuedListeners.add(listener);
    }

    @Override
    public void onCancelRequested(Consumer<String> listener) {
        cancelListeners.add(listener);
    }
}
