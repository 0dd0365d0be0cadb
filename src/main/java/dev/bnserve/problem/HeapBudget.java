package dev.bnserve.problem;

import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;

/**
 * Admission against the heap (issue 16, "everything lives in the heap"): a request that will allocate in proportion
 * to its input (a model import, a big JSON prediction, a dataset upload, an ONNX export) first reserves its estimate
 * here, and is refused with a {@link #shortage 503 heap-shortage} (Retry-After) when live objects plus the
 * reservations of requests in progress plus its own would fill more than the budget: a share of the max heap
 * ({@code bnserve.limits.heap-budget}). The request that does not fit is refused before it allocates, so it cannot
 * run an unrelated one out of memory.
 *
 * <p>"Live" is the old generation's occupancy (objects that survived a collection: stored models, datasets, the
 * serving index); it includes garbage that no old collection has reclaimed yet, so when a reservation would be refused
 * for it, one full collection (at most one every {@link #GC_INTERVAL_NANOS 5 s}) measures it again first. Reservations
 * under {@link #FREE_BYTES} are counted but always admitted: small requests are not what runs a heap out.
 */
public final class HeapBudget {
    /** Reservations below this are always admitted. */
    public static final long FREE_BYTES = 1L << 20;

    static final long GC_INTERVAL_NANOS = TimeUnit.SECONDS.toNanos(5);

    private final long budget;
    private final LongSupplier live;
    private final Runnable collect;
    private long reserved;
    private long lastCollect = System.nanoTime() - GC_INTERVAL_NANOS;

    /** A budget of {@code fraction} of this JVM's max heap, measured from its memory pools. */
    public HeapBudget(double fraction) {
        this((long) (Runtime.getRuntime().maxMemory() * check(fraction)), HeapBudget::oldGenerationUsed, System::gc);
    }

    /** For tests: a budget of {@code budgetBytes}, with {@code live} as the live heap and {@code collect} as a GC. */
    public HeapBudget(long budgetBytes, LongSupplier live, Runnable collect) {
        this.budget = budgetBytes;
        this.live = live;
        this.collect = collect;
    }

    private static double check(double fraction) {
        if (!(fraction > 0 && fraction <= 1))
            throw new IllegalArgumentException("bnserve.limits.heap-budget must be in (0, 1], not " + fraction);
        return fraction;
    }

    /** Bytes the budget allows live objects and reservations together. */
    public long budget() {
        return budget;
    }

    /** Bytes reserved by requests in progress. */
    public synchronized long reserved() {
        return reserved;
    }

    /** A reservation of nothing yet, for a request that learns its size as it reads ({@link Reservation#grow}). */
    public Reservation open(String what) {
        return new Reservation(what);
    }

    /** Reserves {@code bytes} for {@code what} (e.g. "this model import"), or throws the 503 {@link #shortage}. */
    public Reservation reserve(String what, long bytes) {
        Reservation r = new Reservation(what);
        r.grow(bytes);
        return r;
    }

    private synchronized void take(String what, long bytes, long held) {
        if (bytes >= FREE_BYTES && !fits(bytes)) {
            long now = System.nanoTime();
            if (now - lastCollect >= GC_INTERVAL_NANOS) {
                lastCollect = now;
                collect.run(); // old garbage counts as live until a collection says otherwise
            }
            if (!fits(bytes)) throw shortage(what, held + bytes, budget, live.getAsLong(), reserved);
        }
        reserved += bytes;
    }

    private boolean fits(long bytes) {
        return live.getAsLong() + reserved + bytes <= budget;
    }

    private synchronized void give(long bytes) {
        reserved -= bytes;
    }

    /** The 503 of a request whose estimate does not fit: how much it needs, what the budget holds, when to retry. */
    public static Problem shortage(String what, long needed, long budget, long live, long reserved) {
        return new Problem(
                Problem.Kind.UNAVAILABLE,
                "heap-shortage",
                "Not enough memory now",
                "Not enough memory now for " + what + ": it needs about " + mb(needed) + " of heap, and live objects ("
                        + mb(Math.max(0, live)) + ") and requests in progress (" + mb(reserved) + ") leave less of the "
                        + mb(budget) + " that bnserve.limits.heap-budget allows. Nothing was changed; retry later"
                        + " (or with a smaller request).",
                List.of(Violation.field("bnserve.limits.heap-budget", "not enough heap now; retry later")));
    }

    /** The 503 for an {@link OutOfMemoryError} that escaped a request anyway: it was answered, nothing kept. */
    public static Problem outOfMemory() {
        return new Problem(
                Problem.Kind.UNAVAILABLE,
                "heap-shortage",
                "Not enough memory now",
                "The service ran short of memory for this request, so it was stopped and nothing was changed; retry"
                        + " later (or with a smaller request).",
                List.of());
    }

    private static String mb(long bytes) {
        return String.format(java.util.Locale.ROOT, "%,d MB", (bytes + (1 << 19)) >> 20);
    }

    /** Whether {@code t} or one of its causes is an {@link OutOfMemoryError}. */
    public static boolean outOfMemory(Throwable t) {
        for (int depth = 0; t != null && depth < 16; t = t.getCause(), depth++) {
            if (t instanceof OutOfMemoryError) return true;
        }
        return false;
    }

    /**
     * Bytes in the old generation (tenured / old gen pools); with no such pool (a single-pool collector), the whole
     * heap in use.
     */
    static long oldGenerationUsed() {
        long old = 0;
        boolean found = false;
        for (MemoryPoolMXBean pool : ManagementFactory.getMemoryPoolMXBeans()) {
            if (pool.getType() != MemoryType.HEAP) continue;
            String name = pool.getName();
            if (name.contains("Old") || name.contains("Tenured")) {
                old += pool.getUsage().getUsed();
                found = true;
            }
        }
        if (found) return old;
        return ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
    }

    /** Bytes held for one request; {@link #close} gives them back. Not thread-safe: one request's thread uses it. */
    public final class Reservation implements AutoCloseable {
        private final String what;
        private long held;

        private Reservation(String what) {
            this.what = what;
        }

        /** Reserves {@code bytes} more, or throws the 503 {@link #shortage} (what is held so far stays held). */
        public void grow(long bytes) {
            if (bytes <= 0) return;
            take(what, bytes, held);
            held += bytes;
        }

        public long held() {
            return held;
        }

        @Override
        public void close() {
            if (held > 0) give(held);
            held = 0;
        }
    }
}
