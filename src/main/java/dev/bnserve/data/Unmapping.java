package dev.bnserve.data;

import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Releases the mappings of deleted datasets soon. Java unmaps a file when its buffer is collected, and nothing may
 * unmap it earlier while a reader (a training job copying rows) could still touch it; so after a delete, once the
 * store has dropped its reference, a background thread asks for a collection. Until then the unlinked file's pages
 * (and its disk space) stay with the process, though nothing lists or serves the dataset. Requests that arrive while
 * one is pending are one collection; the request thread never waits for it.
 */
final class Unmapping {
    private Unmapping() {}

    private static final AtomicBoolean PENDING = new AtomicBoolean();
    private static final ExecutorService GC = Executors.newSingleThreadExecutor(r -> {
        Thread t = new Thread(r, "bnserve-unmap");
        t.setDaemon(true);
        return t;
    });

    static void request() {
        if (!PENDING.compareAndSet(false, true)) return;
        GC.execute(() -> {
            PENDING.set(false);
            System.gc();
        });
    }
}
