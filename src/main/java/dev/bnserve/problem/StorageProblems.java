package dev.bnserve.problem;

import java.io.IOException;
import java.nio.file.FileSystemException;
import java.util.List;

/**
 * Storage failures as problems (issue 16): a full data dir is a 507 ({@code storage-full}), a read-only one a 503
 * ({@code storage-read-only}), each saying that nothing was changed; any other storage error stays a 500.
 */
public final class StorageProblems {
    private StorageProblems() {}

    /** What went wrong with the data dir, if {@code t} (or a cause) is a full or read-only file system. */
    public enum Failure {
        FULL,
        READ_ONLY
    }

    /** Classifies {@code t} or any of its causes, by the operating system's reason; null if it is neither. */
    public static Failure classify(Throwable t) {
        for (int depth = 0; t != null && depth < 16; t = t.getCause(), depth++) {
            if (!(t instanceof IOException)) continue;
            String reason =
                    t instanceof FileSystemException f && f.getReason() != null ? f.getReason() : t.getMessage();
            if (reason == null) continue;
            if (reason.contains("No space left on device") || reason.contains("Disk quota exceeded"))
                return Failure.FULL;
            if (reason.contains("Read-only file system")) return Failure.READ_ONLY;
        }
        return null;
    }

    /** The problem for {@code t}, or null if it is not a full or read-only data dir. */
    public static Problem of(Throwable t) {
        Failure f = classify(t);
        if (f == null) return null;
        return f == Failure.FULL ? full() : readOnly();
    }

    public static Problem full() {
        return new Problem(
                Problem.Kind.STORAGE_FULL,
                "storage-full",
                "Storage full",
                "The data dir is full (no space left on device), so nothing was changed; free space (or delete"
                        + " datasets or models) and try again.",
                List.of());
    }

    public static Problem readOnly() {
        return new Problem(
                Problem.Kind.UNAVAILABLE,
                "storage-read-only",
                "Storage read-only",
                "The data dir is read-only (read-only file system), so nothing was changed; reads and predictions"
                        + " still work. Try again once it is writable.",
                List.of());
    }

    /** A short reason for logs and failed jobs. */
    public static String describe(Failure f) {
        return f == Failure.FULL ? "the data dir is full (no space left on device)" : "the data dir is read-only";
    }
}
