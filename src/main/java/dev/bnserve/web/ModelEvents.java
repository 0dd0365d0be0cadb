package dev.bnserve.web;

import dev.bnserve.config.BnserveProperties;
import dev.bnserve.model.ModelCatalog;
import dev.bnserve.model.ModelJson;
import dev.bnserve.model.ModelRecord;
import dev.bnserve.model.ModelStore;
import dev.bnserve.problem.Problem;
import dev.bnserve.training.TrainingService;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import jakarta.annotation.PreDestroy;
import jakarta.servlet.AsyncContext;
import jakarta.servlet.AsyncEvent;
import jakarta.servlet.AsyncListener;
import jakarta.servlet.ServletOutputStream;
import jakarta.servlet.WriteListener;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Component;

/**
 * {@code GET /models/{id}/events}: server-sent events that can never slow training (issue 16, bugs 1 and 2).
 *
 * <ul>
 *   <li>The training thread only stores the latest model state in the subscriber's one-slot buffer and, if no send is
 *       pending, schedules one: it never touches a socket, never waits for a lock held by a writer.
 *   <li>A sender thread writes with Servlet non-blocking I/O: it writes only while the connection accepts bytes, so
 *       at most one event per subscriber waits in the server. When the connection accepts more, the container calls
 *       back and the sender continues.
 *   <li>The first event is the model's summary with its history so far; each later {@code progress} event carries
 *       only the epochs the subscriber has not been sent yet, so a subscriber that falls behind gets one coalesced
 *       event instead of many. The {@code status} event at the end carries the final summary with the whole history,
 *       once.
 *   <li>A subscriber whose connection accepts nothing for {@code bnserve.events.stall-timeout} is dropped.
 * </ul>
 */
@Component
class ModelEvents {
    private static final Logger log = LoggerFactory.getLogger(ModelEvents.class);

    private final TrainingService training;
    private final ModelStore store;
    private final ModelJson json;
    private final BnserveProperties.Events settings;
    private final ThreadPoolExecutor senders;
    private final ScheduledExecutorService sweeper;
    private final Set<Subscriber> open = ConcurrentHashMap.newKeySet();
    private final AtomicInteger count = new AtomicInteger();
    private final Counter dropped;

    ModelEvents(
            TrainingService training,
            ModelCatalog catalog,
            ModelJson json,
            BnserveProperties properties,
            MeterRegistry meters) {
        this.training = training;
        this.store = catalog.models();
        this.json = json;
        this.settings = properties.events();
        int threads = Math.max(1, settings.senders());
        this.senders = new ThreadPoolExecutor(
                threads, threads, 0, TimeUnit.SECONDS, new LinkedBlockingQueue<>(), daemon("bnserve-events"));
        this.sweeper = Executors.newSingleThreadScheduledExecutor(daemon("bnserve-events-sweeper"));
        long every = Math.max(100, Math.min(1000, settings.stallTimeout().toMillis() / 4));
        sweeper.scheduleWithFixedDelay(this::dropStalled, every, every, TimeUnit.MILLISECONDS);
        this.dropped = Counter.builder("bnserve.events.dropped")
                .description("Event subscribers dropped because their connection stopped accepting data")
                .register(meters);
        meters.gauge("bnserve.events.subscribers", count);
    }

    private static java.util.concurrent.ThreadFactory daemon(String name) {
        return r -> {
            Thread t = new Thread(r, name);
            t.setDaemon(true);
            return t;
        };
    }

    @PreDestroy
    void shutdown() {
        sweeper.shutdownNow();
        open.forEach(Subscriber::close);
        senders.shutdown();
    }

    /** Answers the stream of {@code m}: one status event if it has finished, else every change until it does. */
    void stream(ModelRecord m, HttpServletRequest request, HttpServletResponse response) throws IOException {
        response.setContentType("text/event-stream");
        response.setCharacterEncoding("UTF-8");
        response.setHeader("Cache-Control", "no-cache");
        response.setHeader("X-Accel-Buffering", "no");
        if (m.status().isTerminal()) {
            // one bounded event, written by this request thread: nothing of training waits for it
            response.getOutputStream().write(event("status", json.summaryBytes(m, true)));
            return;
        }
        if (count.incrementAndGet() > settings.maxSubscribers()) {
            count.decrementAndGet();
            throw Problem.busy("Too many event streams are open (" + settings.maxSubscribers()
                    + "; bnserve.events.max-subscribers). Poll GET /models/" + m.id()
                    + " instead, or try again later.");
        }
        AsyncContext async = request.startAsync(request, response);
        async.setTimeout(settings.maxDuration().toMillis());
        response.flushBuffer(); // the headers, so the client sees the stream open
        Subscriber s = new Subscriber(m.id(), async, response.getOutputStream());
        open.add(s);
        async.addListener(s);
        s.latest.set(m);
        s.out.setWriteListener(s); // the container calls onWritePossible once the stream is writable
        if (!training.subscribe(m.id(), s)) {
            store.get(m.id()).ifPresent(s); // it ended meanwhile: its status event
        } else {
            // the job may have ended between the snapshot and subscribing
            store.get(m.id()).filter(r -> r.status().isTerminal()).ifPresent(s);
        }
    }

    private static byte[] event(String name, byte[] data) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(data.length + 32);
        out.writeBytes(("event:" + name + "\ndata:").getBytes(StandardCharsets.US_ASCII));
        out.writeBytes(data); // compact JSON: no line breaks
        out.writeBytes("\n\n".getBytes(StandardCharsets.US_ASCII));
        return out.toByteArray();
    }

    private void dropStalled() {
        long now = System.nanoTime();
        long limit = settings.stallTimeout().toNanos();
        for (Subscriber s : open) {
            long since = s.blockedSince;
            if (since != 0 && now - since > limit) {
                dropped.increment();
                log.info(
                        "dropping an event subscriber of model {}: its connection accepted nothing for {}",
                        s.id,
                        settings.stallTimeout());
                s.close();
            }
        }
    }

    /** One stream: the latest state (written by the training thread), what was sent (by the sender). */
    private final class Subscriber implements Consumer<ModelRecord>, WriteListener, AsyncListener {
        final String id;
        final AsyncContext async;
        final ServletOutputStream out;
        /** The newest state; the training thread's only write. */
        final AtomicReference<ModelRecord> latest = new AtomicReference<>();

        final AtomicBoolean scheduled = new AtomicBoolean();
        final AtomicBoolean closed = new AtomicBoolean();
        /** nanoTime since when the connection has accepted nothing while an event waits; 0 while it accepts. */
        volatile long blockedSince;
        // guarded by this (only the sender and the container's callback write)
        private int sent = -1; // history entries sent; -1: not even the first snapshot
        private ModelRecord sentState;
        private boolean unflushed;
        private boolean finished;

        Subscriber(String id, AsyncContext async, ServletOutputStream out) {
            this.id = id;
            this.async = async;
            this.out = out;
        }

        /** From the training thread: remember the state, schedule a send. Never blocks. */
        @Override
        public void accept(ModelRecord r) {
            if (closed.get()) return;
            latest.set(r);
            schedule();
        }

        private void schedule() {
            if (scheduled.compareAndSet(false, true)) {
                try {
                    senders.execute(this::drain);
                } catch (java.util.concurrent.RejectedExecutionException e) {
                    close();
                }
            }
        }

        @Override
        public void onWritePossible() {
            drain();
        }

        /** Writes while the connection accepts bytes; returns when it does not (it calls back) or nothing is new. */
        synchronized void drain() {
            scheduled.set(false);
            if (closed.get()) return;
            try {
                while (true) {
                    if (!out.isReady()) {
                        if (blockedSince == 0) blockedSince = System.nanoTime();
                        return;
                    }
                    blockedSince = 0;
                    byte[] next = finished ? null : next();
                    if (next != null) {
                        out.write(next);
                        unflushed = true;
                    } else if (unflushed) {
                        unflushed = false;
                        out.flush();
                    } else {
                        if (finished) close();
                        return;
                    }
                }
            } catch (IOException | IllegalStateException e) {
                close();
            }
        }

        /** The next event for what {@link #latest} holds beyond what was sent, or null if nothing is new. */
        private byte[] next() {
            ModelRecord r = latest.get();
            if (r == null || r == sentState) return null;
            sentState = r;
            if (r.status().isTerminal()) {
                finished = true;
                return event("status", json.summaryBytes(r, true));
            }
            int size = r.history().size();
            if (sent < 0 || size < sent) { // the first snapshot, or a job that started over
                sent = size;
                return event("progress", json.summaryBytes(r, true));
            }
            byte[] e = event("progress", json.progressBytes(r, sent));
            sent = size;
            return e;
        }

        @Override
        public void onError(Throwable t) {
            close();
        }

        void close() {
            if (!closed.compareAndSet(false, true)) return;
            training.unsubscribe(id, this);
            if (open.remove(this)) count.decrementAndGet();
            try {
                async.complete();
            } catch (IllegalStateException e) {
                // already completed or timed out
            }
        }

        @Override
        public void onComplete(AsyncEvent event) {
            close();
        }

        @Override
        public void onTimeout(AsyncEvent event) {
            close();
        }

        @Override
        public void onError(AsyncEvent event) {
            close();
        }

        @Override
        public void onStartAsync(AsyncEvent event) {}
    }
}
