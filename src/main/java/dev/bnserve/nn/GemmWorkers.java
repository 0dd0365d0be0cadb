package dev.bnserve.nn;

import java.util.concurrent.Future;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The daemon worker threads shared by every multi-threaded {@link Gemm}: grown to the largest thread count
 * asked for, idle threads time out after a minute. Workers only ever compute disjoint blocks of C.
 */
final class GemmWorkers {
    private static final AtomicInteger COUNT = new AtomicInteger();
    private static final ThreadPoolExecutor POOL =
            new ThreadPoolExecutor(1, 1, 60, TimeUnit.SECONDS, new LinkedBlockingQueue<>(), r -> {
                Thread t = new Thread(r, "bnserve-gemm-" + COUNT.incrementAndGet());
                t.setDaemon(true);
                return t;
            });

    static {
        POOL.allowCoreThreadTimeOut(true);
    }

    /** Makes room for at least {@code workers} concurrent tasks. */
    static synchronized void ensure(int workers) {
        if (POOL.getMaximumPoolSize() < workers) {
            POOL.setMaximumPoolSize(workers);
            POOL.setCorePoolSize(workers);
        }
    }

    static Future<?> submit(Runnable r) {
        return POOL.submit(r);
    }
}
