package dev.bnserve.io;

import dev.bnserve.problem.StorageProblems;
import java.io.IOException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The storage quota ({@code bnserve.limits.max-storage}): the bytes the data dir's datasets ({@code datasets/}) and
 * models ({@code models/}) take, temporary entries ({@code *.tmp}, writes not yet committed and deletes not yet
 * cleaned up) left out. Shared by the filesystem dataset and model stores, which write a new file in full, then
 * {@link #commit} it: the check and the rename that makes it visible happen under one lock, so two writes at once
 * cannot both pass. What is used is measured on disk at each commit (a few directory entries per dataset or model),
 * never kept as a count that could drift. A quota of 0 means none: {@link #commit} then only runs the rename.
 */
public final class StorageQuota {

    /** No quota. */
    public static final StorageQuota NONE = new StorageQuota(null, 0);

    private final Path dataDir;
    private final long max;

    /**
     * @param dataDir  the data dir, holding {@code datasets/} and {@code models/}
     * @param maxBytes the quota; 0 (or less) for none
     */
    public StorageQuota(Path dataDir, long maxBytes) {
        this.dataDir = dataDir;
        this.max = Math.max(0, maxBytes);
    }

    /** Whether a quota is set. */
    public boolean enabled() {
        return max > 0;
    }

    /** The quota in bytes; 0 for none. */
    public long max() {
        return max;
    }

    /** Bytes the committed datasets and models take now (0 without a quota: nothing is measured then). */
    public long used() {
        if (!enabled()) return 0;
        return size(dataDir.resolve("datasets")) + size(dataDir.resolve("models"));
    }

    /** Bytes a new write may still add; {@link Long#MAX_VALUE} without a quota. */
    public long remaining() {
        return enabled() ? Math.max(0, max - used()) : Long.MAX_VALUE;
    }

    /** A rename (or any action) that makes a fully written file visible. */
    public interface Commit {
        void run() throws IOException;
    }

    /**
     * Runs {@code commit} if the stored bytes, less {@code freeing} (a file it replaces), plus {@code adding} stay
     * within the quota; otherwise runs nothing and throws.
     *
     * @throws StorageProblems.QuotaExceeded if the write would exceed the quota (nothing was run)
     */
    public void commit(long adding, long freeing, Commit commit) throws IOException {
        if (!enabled()) {
            commit.run();
            return;
        }
        synchronized (this) {
            long used = used();
            if (adding > freeing && used - freeing + adding > max) {
                throw new StorageProblems.QuotaExceeded(max, used, adding - freeing);
            }
            commit.run();
        }
    }

    /** Bytes of the regular files below {@code dir}, skipping {@code *.tmp} entries; entries vanishing meanwhile are skipped. */
    static long size(Path dir) {
        if (!Files.isDirectory(dir)) return 0;
        AtomicLong total = new AtomicLong();
        try {
            Files.walkFileTree(dir, new SimpleFileVisitor<>() {
                @Override
                public FileVisitResult preVisitDirectory(Path d, BasicFileAttributes attrs) {
                    return !d.equals(dir) && temporary(d) ? FileVisitResult.SKIP_SUBTREE : FileVisitResult.CONTINUE;
                }

                @Override
                public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) {
                    if (attrs.isRegularFile() && !temporary(file)) total.addAndGet(attrs.size());
                    return FileVisitResult.CONTINUE;
                }

                @Override
                public FileVisitResult visitFileFailed(Path file, IOException exc) {
                    return FileVisitResult.CONTINUE; // deleted while walking
                }

                @Override
                public FileVisitResult postVisitDirectory(Path d, IOException exc) {
                    return FileVisitResult.CONTINUE;
                }
            });
        } catch (IOException e) {
            // the visitor swallows every failure; nothing reaches here
        }
        return total.get();
    }

    private static boolean temporary(Path p) {
        return p.getFileName().toString().endsWith(".tmp");
    }
}
