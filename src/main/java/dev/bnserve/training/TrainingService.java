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
import org.springframework.stereotype.Service;

/**
 * Training jobs: validates a request, records the model as queued, and trains it on a bounded
 * executor ({@code bnserve.training.concurrency} at once, {@code queue-capacity} waiting, more are
 * refused with 429). Progress is visible in the store after every epoch and pushed to subscribers.
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

    TrainingService(DatasetStore datasets, ModelCatalog catalog, BnserveProperties properties, MeterRegistry meters) {
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
    }

    /** On shutdown: refuse new work, cancel what runs, and give jobs a moment to record their state. */
    @PreDestroy
    void shutdown() {
        executor.shutdown();
        jobs.values().forEach(j -> {
            j.shuttingDown = true;
            j.cancelled = true;
        });
        try {
            executor.awaitTermination(10, TimeUnit.SECONDS);
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

    /** Calls {@code listener} with every change of the model until its job ends; false if no job is active. */
    public boolean subscribe(String id, Consumer<ModelRecord> listener) {
        Job job = jobs.get(id);
        if (job == null) return false;
        job.listeners.add(listener);
        return true;
    }

    public void unsubscribe(String id, Consumer<ModelRecord> listener) {
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

        Job(String id, TrainingSpec request) {
            this.id = id;
            this.request = request;
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
                    current = publish(models.save(model().withStatus(ModelStatus.TRAINING, null, null)));
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
                        },
                        () -> cancelled);
                TrainingResult r = o.result();
                ModelRecord ready = model().withProgress(r.history())
                        .ready(o.layers(), o.preprocessing(), o.ignored(), o.metrics(), Instant.now());
                publish(models.save(ready));
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
                if (shuttingDown)
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

        private ModelRecord model() {
            return models.get(id).orElseThrow();
        }

        void finish(ModelStatus status, String reason) {
            if (status == ModelStatus.FAILED) log.warn("model {} failed: {}", id, reason);
            else log.info("model {} {}: {}", id, status.id(), reason);
            models.get(id).ifPresent(m -> {
                Instant now = Instant.now();
                ModelRecord ended = m.withStatus(status, reason, now);
                try {
                    ended = models.save(ended);
                } catch (RuntimeException e) {
                    // Not durable: the job still ends, failed, in memory. The file keeps its last state, which a
                    // restart marks failed too.
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
            jobs.remove(id);
            done.complete(null);
        }

        private ModelRecord publish(ModelRecord m) {
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
