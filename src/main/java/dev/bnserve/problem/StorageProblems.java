package dev.bnserve.problem;

import java.io.IOException;
import java.nio.file.FileSystemException;
import java.util.List;

/**
 * Storage failures as problems (issue 16): a full data dir, or a write that would take the data dir's datasets and
 * models past the storage quota ({@code bnserve.limits.max-storage}), is a 507 ({@code storage-full}); a read-only
 * data dir is a 503 ({@code storage-read-only}); each says that nothing was changed. Any other storage error stays a
 * 500.
 */
public final class StorageProblems {
    private StorageProblems() {}

    /** What went wrong with the data dir, if {@code t} (or a cause) is a full or read-only file system. */
    public enum Failure {
        FULL,
        READ_ONLY,
        /** The storage quota ({@code bnserve.limits.max-storage}) would be exceeded. */
        QUOTA
    }

    /** The setting that bounds what the data dir's datasets and models may take. */
    public static final String QUOTA_SETTING = "bnserve.limits.max-storage";

    /**
     * A write refused because it would take the stored datasets and models past the quota; an {@link IOException}
     * so that it travels the stores' failure paths (their temporary files are removed, nothing is committed).
     */
    public static final class QuotaExceeded extends IOException {
        private static final long serialVersionUID = 1L;
        private final long quota;

        /**
         * @param quota  the quota in bytes
         * @param used   bytes the stored datasets and models take now
         * @param adding bytes the refused write would add
         */
        public QuotaExceeded(long quota, long used, long adding) {
            super("storage quota exceeded: " + used + " bytes used + " + adding + " bytes > " + quota + " ("
                    + QUOTA_SETTING + ")");
            this.quota = quota;
        }

        public long quota() {
            return quota;
        }
    }

    /** Classifies {@code t} or any of its causes, by the operating system's reason; null if it is neither. */
    public static Failure classify(Throwable t) {
        for (int depth = 0; t != null && depth < 16; t = t.getCause(), depth++) {
            if (t instanceof QuotaExceeded) return Failure.QUOTA;
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
        if (f == Failure.QUOTA) {
            for (Throwable c = t; c != null; c = c.getCause()) {
                if (c instanceof QuotaExceeded q) return quota(q.quota());
            }
        }
        return f == Failure.FULL ? full() : readOnly();
    }

    /** The quota of {@code quota} bytes would be exceeded: nothing was stored. */
    public static Problem quota(long quota) {
        return new Problem(
                Problem.Kind.STORAGE_FULL,
                "storage-full",
                "Storage full",
                "Storing this would take the data dir's datasets and models past the storage quota of " + quota
                        + " bytes (" + QUOTA_SETTING + "), so nothing was changed; delete datasets or models (or raise"
                        + " the quota) and try again.",
                List.of());
    }

    /**
     * An upload stopped while it streamed: its columns alone would take more than the {@code remaining} bytes left
     * under the quota of {@code quota} bytes.
     */
    public static Problem quotaWhileReading(long quota, long remaining) {
        return new Problem(
                Problem.Kind.STORAGE_FULL,
                "storage-full",
                "Storage full",
                "The upload's columns would take more than the " + Math.max(0, remaining) + " bytes left under the"
                        + " storage quota of " + quota + " bytes (" + QUOTA_SETTING + "), so reading stopped and"
                        + " nothing was changed; delete datasets or models (or raise the quota) and try again.",
                List.of());
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
        return switch (f) {
            case FULL -> "the data dir is full (no space left on device)";
            case READ_ONLY -> "the data dir is read-only";
            case QUOTA -> "the storage quota (" + QUOTA_SETTING + ") is reached; delete datasets or models";
        };
    }
}
