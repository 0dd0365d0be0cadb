package dev.bnserve.nn;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;

/**
 * The daemon worker threads shared by every multi-threaded {@link Gemm}, grown to the largest thread count asked
 * for. A training step hands them a few dozen short tasks (tens to hundreds of microseconds each) back to back, so
 * the hand-off has to cost microseconds, not the tens of microseconds of waking a parked thread: a worker that has
 * just finished spins for {@link #SPIN_NANOS} on the queue before it parks, and a caller waiting for its helpers
 * spins as long before it parks. Workers only ever compute disjoint parts of a result.
 */
final class GemmWorkers {
    /** How long an idle worker, or a caller waiting for its helpers, polls before it parks. */
    static final long SPIN_NANOS = 50_000;

    private static final ConcurrentLinkedQueue<Runnable> QUEUE = new ConcurrentLinkedQueue<>();
    private static final AtomicInteger COUNT = new AtomicInteger();
    private static volatile Worker[] workers = new Worker[0];
    /** Parts run by a worker thread (not stolen back by their caller) since start-up; for tests. */
    static final java.util.concurrent.atomic.LongAdder WORKER_PARTS = new java.util.concurrent.atomic.LongAdder();

    private GemmWorkers() {}

    /** Makes room for at least {@code n} concurrent tasks. */
    static synchronized void ensure(int n) {
        Worker[] w = workers;
        if (w.length >= n) return;
        List<Worker> grown = new ArrayList<>(List.of(w));
        while (grown.size() < n) {
            Worker x = new Worker();
            Thread t = new Thread(x, "bnserve-gemm-" + COUNT.incrementAndGet());
            t.setDaemon(true);
            x.thread = t;
            grown.add(x);
            t.start();
        }
        workers = grown.toArray(new Worker[0]);
    }

    /** Queues {@code task}; it runs on a worker ({@link #ensure} must have made at least one). */
    static void submit(Runnable task) {
        QUEUE.add(task);
        for (Worker w : workers) {
            if (w.sleeping) {
                w.sleeping = false;
                LockSupport.unpark(w.thread);
                return;
            }
        }
    }

    private static final class Worker implements Runnable {
        volatile boolean sleeping;
        Thread thread;

        @Override
        public void run() {
            while (true) {
                Runnable r = poll();
                if (r == null) {
                    sleeping = true;
                    r = QUEUE.poll(); // a task queued before the flag was seen: take it
                    if (r == null) {
                        LockSupport.parkNanos(this, TimeUnit.SECONDS.toNanos(1));
                        sleeping = false;
                        continue;
                    }
                    sleeping = false;
                }
                try {
                    if (r instanceof Part p) {
                        if (p.tryRun()) WORKER_PARTS.increment();
                    } else {
                        r.run();
                    }
                } catch (Throwable ignored) {
                    // tasks report their own failures (Join); the worker lives on
                }
            }
        }

        /** The next task, polling for up to {@link #SPIN_NANOS}. */
        private static Runnable poll() {
            Runnable r = QUEUE.poll();
            if (r != null) return r;
            long start = System.nanoTime();
            do {
                Thread.onSpinWait();
                r = QUEUE.poll();
            } while (r == null && System.nanoTime() - start < SPIN_NANOS);
            return r;
        }
    }

    /**
     * The parts of one parallel call after the caller's own: {@link #fork} queues them, {@link #join} runs every part
     * no worker has taken yet on the caller's thread (so a call never waits for a worker the machine has not
     * scheduled), then waits for the parts workers took, spinning first and then parking. The failure of the lowest
     * part is kept, so a failing call reports the same error on any number of threads.
     */
    static final class Join {
        private final Part[] parts;
        private int forked;
        private final AtomicInteger pending = new AtomicInteger();
        private final Thread waiter = Thread.currentThread();
        private volatile boolean parked;
        private Throwable failure;
        private int failedPart = Integer.MAX_VALUE;

        Join(int helpers) {
            parts = new Part[helpers];
        }

        /** Queues {@code body} as part {@code index} (1, 2, …; the caller's own part is 0). */
        void fork(int index, Runnable body) {
            Part p = new Part(this, index, body);
            parts[forked++] = p;
            pending.incrementAndGet();
            submit(p);
        }

        synchronized void fail(int part, Throwable t) {
            if (part < failedPart) {
                failedPart = part;
                failure = t;
            }
        }

        /**
         * Runs the parts still queued, waits for the others (uninterruptibly: none may still write into the
         * result after this returns), then rethrows the failure of the lowest failed part, if any.
         */
        void join() {
            for (int i = forked - 1; i >= 0; i--) parts[i].tryRun();
            long start = System.nanoTime();
            while (pending.get() > 0 && System.nanoTime() - start < SPIN_NANOS) Thread.onSpinWait();
            if (pending.get() > 0) {
                parked = true;
                boolean interrupted = false;
                while (pending.get() > 0) {
                    LockSupport.parkNanos(this, 1_000_000);
                    if (Thread.interrupted()) interrupted = true;
                }
                if (interrupted) Thread.currentThread().interrupt();
            }
            Throwable f;
            synchronized (this) {
                f = failure;
            }
            if (f instanceof RuntimeException re) throw re;
            if (f instanceof Error err) throw err;
            if (f != null) throw new IllegalStateException("gemm worker failed", f);
        }

        private void done() {
            if (pending.decrementAndGet() == 0 && parked) LockSupport.unpark(waiter);
        }
    }

    /** One queued part: run by whichever thread claims it first (a worker or the caller), exactly once. */
    private static final class Part extends java.util.concurrent.atomic.AtomicBoolean implements Runnable {
        private final Join join;
        private final int index;
        private final Runnable body;

        Part(Join join, int index, Runnable body) {
            this.join = join;
            this.index = index;
            this.body = body;
        }

        @Override
        public void run() {
            tryRun();
        }

        /** Runs the part unless another thread has taken it; whether this call ran it. */
        boolean tryRun() {
            if (!compareAndSet(false, true)) return false;
            try {
                body.run();
            } catch (Throwable t) {
                join.fail(index, t);
            } finally {
                join.done();
            }
            return true;
        }
    }
}
