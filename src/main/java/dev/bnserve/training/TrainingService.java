package dev.bnserve.training;

import dev.bnserve.config.BnserveProperties;
import dev.bnserve.data.Dataset;
import dev.bnserve.data.DatasetStore;
import dev.bnserve.model.ModelCatalog;
import dev.bnserve.model.ModelIds;
import dev.bnserve.model.ModelRecord;
import dev.bnserve.model.ModelStatus;
import dev.bnserve.model.ModelStore;
import dev.bnserve.model.TrainingSpec;
import dev.bnserve.nn.EpochStats;
import dev.bnserve.nn.Gemm;
import dev.bnserve.nn.TrainingCancelledException;
import dev.bnserve.nn.TrainingException;
import dev.bnserve.nn.TrainingResult;
import dev.bnserve.problem.Problem;
import dev.bnserve.problem.StorageProblems;
import dev.bnserve.problem.Violation;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import jakarta.annotation.PreDestroy;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.stereotype.Service;

/**
 * Training jobs: validates a request, records the model as queued, and trains it on a bounded
 * executor ({@code bnserve.training.concurrency} at once, {@code queue-capacity} waiting, more are
 * refused with 429). Progress is visible in the store after every epoch and pushed to subscribers.
 *
 * <p>With a {@link JobQueue} (the PostgreSQL store) the queue is the database's: {@code concurrency} workers per
 * replica claim the oldest queued job, renew its lease every third of {@code bnserve.training.lease}, and write the
 * model (progress at most every {@value #PROGRESS_WRITE_MS} ms) only while they hold it; a cancellation on any replica
 * reaches the one that trains; subscribers on every replica follow the model through the store.
 */
@Service
public class TrainingService {
    private static final Logger log = LoggerFactory.getLogger(TrainingService.class);

    private final DatasetStore datasets;
    private final ModelStore models;
    private final ModelCatalog catalog;
    private final BnserveProperties properties;
    private final ThreadPoolExecutor executor;
    private final Map<String, Job> jobs = new ConcurrentHashMap<>();
    private final Timer trainingTimer;
    private final MeterRegistry meters;

    /** Progress of a job goes to the shared store at most this often (every epoch stays in memory). */
    static final long PROGRESS_WRITE_MS = 250;

    /** The shared job queue, or null: jobs run on this process's executor. */
    private final JobQueue queue;
    /** This replica's name ({@code trainedBy}, the lease holder). */
    private final String instance;

    private final List<Thread> workers = new CopyOnWriteArrayList<>();
    private final Object wake = new Object();
    private volatile boolean stopping;
    private final java.util.concurrent.ScheduledExecutorService renewer;
    /** Subscribers by model id, for jobs trained on any replica (shared queue only). */
    private final Map<String, List<Consumer<ModelRecord>>> watchers = new ConcurrentHashMap<>();

    TrainingService(
            DatasetStore datasets,
            ModelCatalog catalog,
            BnserveProperties properties,
            MeterRegistry meters,
            ObjectProvider<JobQueue> queue,
            @Value("${server.port:8080}") String port) {
        this.datasets = datasets;
        this.catalog = catalog;
        this.models = catalog.models();
        this.properties = properties;
        this.meters = meters;
        BnserveProperties.Training t = properties.training();
        this.executor = new ThreadPoolExecutor(
                t.concurrency(),
                t.concurrency(),
                0,
                TimeUnit.SECONDS,
                new ArrayBlockingQueue<>(Math.max(1, t.queueCapacity())),
                r -> {
                    Thread th = new Thread(r, "bnserve-training");
                    th.setDaemon(true);
                    return th;
                });
        this.trainingTimer = Timer.builder("bnserve.training")
                .description("Time to train a model")
                .register(meters);
        meters.gaugeMapSize("bnserve.training.jobs", List.of(), jobs);
        this.queue = queue.getIfAvailable();
        this.instance = instanceName(properties, port);
        if (this.queue == null) {
            this.renewer = null;
            return;
        }
        this.queue.onQueued(this::wakeWorkers);
        this.queue.onCancelRequested(id -> {
            Job j = jobs.get(id);
            if (j != null) j.cancelled = true;
        });
        models.onSaved(this::toWatchers);
        long renewEvery = Math.max(100, t.lease().toMillis() / 3);
        this.renewer = java.util.concurrent.Executors.newSingleThreadScheduledExecutor(r -> {
            Thread th = new Thread(r, "bnserve-lease");
            th.setDaemon(true);
            return th;
        });
        renewer.scheduleWithFixedDelay(this::renewLeases, renewEvery, renewEvery, TimeUnit.MILLISECONDS);
        for (int i = 0; i < t.concurrency(); i++) {
            Thread w = new Thread(this::work, "bnserve-training-" + i);
            w.setDaemon(true);
            workers.add(w);
            w.start();
        }
        log.info("training as '{}' from the shared queue: {} at once, lease {}", instance, t.concurrency(), t.lease());
    }

    /** {@code bnserve.instance-name}, else host name and port. */
    static String instanceName(BnserveProperties properties, String port) {
        if (!properties.instanceName().isBlank()) return properties.instanceName();
        String host;
        try {
            host = java.net.InetAddress.getLocalHost().getHostName();
        } catch (java.io.IOException e) {
            host = "localhost";
        }
        return host + ":" + port;
    }

    /** This replica's name among the replicas. */
    public String instance() {
        return instance;
    }

    private void wakeWorkers() {
        synchronized (wake) {
            wake.notifyAll();
        }
    }

    /** A worker of the shared queue: claims the oldest queued job, trains it, and again. */
    private void work() {
        long idle = properties.postgres().pollInterval().toMillis();
        while (!stopping) {
            Optional<String> claimed;
            try {
                claimed = queue.claim(instance, properties.training().lease());
            } catch (RuntimeException e) {
                claimed = Optional.empty(); // the database is away: try again after a while
            }
            if (claimed.isEmpty()) {
                synchronized (wake) {
                    try {
                        wake.wait(idle);
                    } catch (InterruptedException e) {
                        return;
                    }
                }
                continue;
            }
            String id = claimed.get();
            Optional<ModelRecord> m = models.get(id);
            if (m.isEmpty() || m.get().request() == null) continue; // deleted meanwhile: its job row went with it
            Job job = new Job(id, m.get().request());
            jobs.put(id, job);
            try {
                job.run();
            } catch (RuntimeException e) {
                // e.g. the database went away as the job started: its lease runs out and another replica fails it
                log.warn("job {} ended without recording its outcome: {}", id, e.toString());
            } finally {
                jobs.remove(id);
            }
        }
    }

    /** Renews the lease of every job this replica trains; a cancellation or a lost lease stops the job. */
    private void renewLeases() {
        for (Job j : jobs.values()) {
            if (!j.claimed) continue;
            try {
                JobQueue.Lease l =
                        queue.renew(j.id, instance, properties.training().lease());
                if (l == JobQueue.Lease.CANCEL) j.cancelled = true;
                if (l == JobQueue.Lease.LOST) {
                    log.warn("model {}: this replica lost its job (lease expired or deleted); stopping it", j.id);
                    j.lost = true;
                    j.cancelled = true;
                }
            } catch (RuntimeException e) {
                log.debug("cannot renew the lease of {}: {}", j.id, e.toString());
            }
        }
    }

    private void toWatchers(ModelRecord m) {
        List<Consumer<ModelRecord>> ls = watchers.get(m.id());
        if (ls == null) return;
        for (Consumer<ModelRecord> l : ls) {
            try {
                l.accept(m);
            } catch (RuntimeException e) {
                ls.remove(l);
            }
        }
        if (m.status().isTerminal()) watchers.remove(m.id());
    }

    /** On shutdown: refuse new work, cancel what runs, and give jobs a moment to record their state. */
    @PreDestroy
    void shutdown() {
        stopping = true;
        wakeWorkers();
        if (renewer != null) renewer.shutdown();
        executor.shutdown();
        jobs.values().forEach(j -> {
            j.shuttingDown = true;
            j.cancelled = true;
        });
        try {
            executor.awaitTermination(10, TimeUnit.SECONDS);
            for (Thread w : workers) w.join(10_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Validates and enqueues; returns the queued model. */
    public ModelRecord submit(TrainingSpec sent) {
        Dataset ds = datasets.resolve(sent.dataset())
                .orElseThrow(() -> Problem.invalid(
                        "invalid-training-request",
                        "Invalid training request",
                        "No dataset with id or name '" + Problem.shown(sent.dataset())
                                + "'; upload one with POST /datasets.",
                        List.of(Violation.field("dataset", "unknown dataset"))));
        TrainingSpecs.Resolved resolved = TrainingSpecs.resolve(sent, ds, properties.limits());
        TrainingSpec req = resolved.spec();
        Instant now = Instant.now();
        ModelRecord queued = new ModelRecord(
                ModelIds.newId(),
                ModelStatus.QUEUED,
                null,
                now,
                null,
                ds.id(),
                req.label(),
                req.task(),
                req.features(),
                TrainingRun.classes(ds, req),
                req,
                0,
                req.epochs(),
                List.of(),
                null,
                null,
                null,
                null,
                resolved.ignored(),
                null,
                null,
                null);
        if (queue != null) {
            int waiting = queue.queued();
            if (waiting >= properties.training().queueCapacity()) {
                throw Problem.busy("The training queue is full (" + waiting
                        + " queued across the replicas; bnserve.training.queue-capacity). Try again when a job"
                        + " finishes.");
            }
            queued = catalog.saveNew(queued, req.name()); // the store queues its job in the same transaction
            wakeWorkers();
            return queued;
        }
        Job job = new Job(queued.id(), req);
        jobs.put(job.id, job);
        try {
            queued = catalog.saveNew(queued, req.name());
        } catch (RuntimeException e) { // not saved (a full or read-only data dir): nothing is queued
            jobs.remove(job.id);
            throw e;
        }
        try {
            executor.execute(job);
        } catch (RejectedExecutionException e) {
            jobs.remove(job.id);
            models.delete(job.id);
            throw Problem.busy("The training queue is full ("
                    + properties.training().concurrency() + " running, "
                    + properties.training().queueCapacity()
                    + " queued; bnserve.training.queue-capacity). Try again when a job finishes.");
        }
        return queued;
    }

    /** Cancels a queued or running job and waits briefly for it to stop. False if no job is active. */
    public boolean cancel(String id) {
        Job job = jobs.get(id);
        if (job == null && queue != null) return cancelShared(id);
        if (job == null) return false;
        job.cancelled = true;
        if (executor.remove(job)) job.finish(ModelStatus.CANCELLED, "cancelled before training started");
        try {
            job.done.get(10, TimeUnit.SECONDS);
        } catch (Exception e) {
            log.warn("job {} did not stop within 10 s of cancellation", id);
        }
        return true;
    }

    /** A job of the shared queue that this replica does not train: cancelled there, or at once if still queued. */
    private boolean cancelShared(String id) {
        JobQueue.Cancel c = queue.cancel(id);
        if (c == JobQueue.Cancel.NONE) return false;
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (c == JobQueue.Cancel.REQUESTED && System.nanoTime() < deadline) {
            if (models.get(id).map(m -> m.status().isTerminal()).orElse(true)) return true;
            try {
                Thread.sleep(20);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return true;
            }
        }
        if (c == JobQueue.Cancel.REQUESTED) log.warn("job {} did not stop within 10 s of cancellation", id);
        return true;
    }

    /** Calls {@code listener} with every change of the model until its job ends; false if no job is active. */
    public boolean subscribe(String id, Consumer<ModelRecord> listener) {
        if (queue != null) {
            boolean active = models.get(id).map(m -> !m.status().isTerminal()).orElse(false);
            if (!active) return false;
            watchers.computeIfAbsent(id, k -> new CopyOnWriteArrayList<>()).add(listener);
            return true;
        }
        Job job = jobs.get(id);
        if (job == null) return false;
        job.listeners.add(listener);
        return true;
    }

    public void unsubscribe(String id, Consumer<ModelRecord> listener) {
        List<Consumer<ModelRecord>> ls = watchers.get(id);
        if (ls != null) ls.remove(listener);
        Job job = jobs.get(id);
        if (job != null) job.listeners.remove(listener);
    }

    private final class Job implements Runnable {
        final String id;
        final TrainingSpec request;
        final List<Consumer<ModelRecord>> listeners = new CopyOnWriteArrayList<>();
        final CompletableFuture<Void> done = new CompletableFuture<>();
        volatile boolean cancelled;
        volatile boolean shuttingDown;
        volatile boolean timedOut;
        /** Claimed from the shared queue: its writes need the lease. */
        final boolean claimed;
        /** The lease was lost: another replica has recorded the outcome, so nothing more is written. */
        volatile boolean lost;

        private long lastProgressWrite;

        Job(String id, TrainingSpec request) {
            this.id = id;
            this.request = request;
            this.claimed = queue != null;
        }

        /** Saves a state of the model: to the store, or with the shared queue only while this replica holds the job. */
        private ModelRecord persist(ModelRecord m, boolean last) {
            if (!claimed) return models.save(m);
            if (lost) return m;
            boolean held;
            try {
                held = queue.write(id, instance, m, last);
            } catch (Problem unavailable) {
                if (!last) return m; // progress can wait for the next epoch
                held = writeWhenBack(m);
            }
            if (!held) {
                lost = true;
                cancelled = true;
                log.warn("model {}: not written, this replica no longer holds its job", id);
            }
            return m;
        }

        /** The final state of a job while the database is away: retried until it is written or the lease is gone. */
        private boolean writeWhenBack(ModelRecord m) {
            long deadline = System.nanoTime() + properties.training().lease().toNanos() * 2;
            while (System.nanoTime() < deadline) {
                try {
                    Thread.sleep(500);
                    return queue.write(id, instance, m, true);
                } catch (Problem stillAway) {
                    // retry
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    break;
                }
            }
            return false;
        }

        /**
         * Every way out of a job, a failed save included, ends it in a terminal state, tells its subscribers and
         * frees its slot (issue 16, bug 3).
         */
        @Override
        public void run() {
            try {
                if (cancelled) {
                    finish(ModelStatus.CANCELLED, "cancelled before training started");
                    return;
                }
                ModelRecord current;
                try {
                    ModelRecord start0 = model().withStatus(ModelStatus.TRAINING, null, null);
                    if (claimed) start0 = start0.withTrainedBy(instance);
                    current = publish(persist(start0, false));
                } catch (RuntimeException e) {
                    log.warn("model {} could not start: {}", id, e.toString());
                    finish(ModelStatus.FAILED, "training could not start: " + reason(e));
                    return;
                }
                train(current);
            } finally {
                jobs.remove(id);
                done.complete(null);
            }
        }

        private void train(ModelRecord current) {
            long start = System.nanoTime();
            long deadline = start + properties.training().maxDuration().toNanos();
            try {
                Dataset ds = datasets.get(request.dataset())
                        .orElseThrow(() -> new TrainingException(
                                "dataset " + request.dataset() + " was deleted before training started"));
                List<EpochStats> history = new CopyOnWriteArrayList<>();
                final ModelRecord training = current;
                TrainingRun.Outcome o = TrainingRun.run(
                        ds,
                        request,
                        current.classes(),
                        current.ignored(),
                        Gemm.create(Runtime.getRuntime().availableProcessors()),
                        stats -> {
                            history.add(stats);
                            ModelRecord m = training.withProgress(List.copyOf(history));
                            models.update(m);
                            publish(m);
                            long now = System.currentTimeMillis();
                            if (claimed && now - lastProgressWrite >= PROGRESS_WRITE_MS) {
                                lastProgressWrite = now;
                                persist(m, false);
                            }
                        },
                        () -> cancelled || overTime(deadline));
                TrainingResult r = o.result();
                ModelRecord ready = model().withProgress(r.history())
                        .ready(o.layers(), o.preprocessing(), o.ignored(), o.metrics(), Instant.now());
                persist(ready, true);
                if (lost) return;
                publish(ready);
                meters.counter("bnserve.training.rows").increment(r.rowsProcessed());
                log.info(
                        "model {} ready: {} epochs (serving epoch {}), {} rows/s, validation {}",
                        id,
                        r.history().size(),
                        r.bestEpoch(),
                        Math.round(r.samplesPerSecond()),
                        o.metrics().validationAccuracy() != null
                                ? "accuracy " + o.metrics().validationAccuracy()
                                : "rmse " + o.metrics().validationRmse());
            } catch (TrainingCancelledException e) {
                if (timedOut)
                    finish(
                            ModelStatus.FAILED,
                            "time limit: training ran longer than "
                                    + properties.training().maxDuration()
                                    + " (bnserve.training.max-duration); use fewer epochs, rows or layers");
                else if (shuttingDown)
                    finish(ModelStatus.FAILED, "interrupted: the service shut down during training; train it again");
                else finish(ModelStatus.CANCELLED, e.getMessage());
            } catch (TrainingException e) {
                finish(ModelStatus.FAILED, e.getMessage());
            } catch (RuntimeException | OutOfMemoryError e) {
                if (StorageProblems.classify(e) != null) log.warn("model {} could not be saved: {}", id, e.toString());
                else log.error("training of model {} failed unexpectedly", id, e);
                finish(
                        ModelStatus.FAILED,
                        e instanceof OutOfMemoryError
                                ? "out of memory while training; use a smaller network or dataset"
                                : reason(e));
            } finally {
                trainingTimer.record(System.nanoTime() - start, TimeUnit.NANOSECONDS);
            }
        }

        /** Whether the job has run past {@code bnserve.training.max-duration} (then it stops as if cancelled). */
        private boolean overTime(long deadline) {
            if (System.nanoTime() - deadline > 0) timedOut = true;
            return timedOut;
        }

        private ModelRecord model() {
            return models.get(id).orElseThrow();
        }

        void finish(ModelStatus status, String reason) {
            if (status == ModelStatus.FAILED) log.warn("model {} failed: {}", id, reason);
            else log.info("model {} {}: {}", id, status.id(), reason);
            if (!lost) {
                models.get(id).ifPresent(m -> {
                    Instant now = Instant.now();
                    ModelRecord ended = m.withStatus(status, reason, now);
                    try {
                        ended = persist(ended, true);
                    } catch (RuntimeException e) {
                        // Not durable: the job still ends, failed, in memory. The file keeps its last state, which
                        // a restart marks failed too.
                        ended = m.withStatus(
                                ModelStatus.FAILED,
                                (status == ModelStatus.FAILED ? reason + "; " : "") + "its end could not be saved: "
                                        + reason(e),
                                now);
                        log.warn("model {} ended {} but could not be saved: {}", id, status.id(), e.toString());
                        models.update(ended);
                    }
                    publish(ended);
                });
            }
            jobs.remove(id);
            done.complete(null);
        }

        private ModelRecord publish(ModelRecord m) {
            if (claimed) return m; // subscribers follow the store (toWatchers) on every replica
            for (Consumer<ModelRecord> l : listeners) {
                try {
                    l.accept(m);
                } catch (RuntimeException e) {
                    listeners.remove(l);
                }
            }
            return m;
        }
    }

    /** Why a job failed, for its {@code error}: a full or read-only data dir says so; anything else is internal. */
    private static String reason(Throwable e) {
        StorageProblems.Failure f = StorageProblems.classify(e);
        return f != null ? StorageProblems.describe(f) : "internal error while training";
    }

    private static Double finite(double v) {
        return Double.isFinite(v) ? v : null;
    }
}
