package dev.bnserve.data;

/**
 * Size limits enforced while parsing. A value {@code <= 0} means unlimited.
 *
 * @param maxBytes       bytes read from the input stream (after transfer decoding, before charset decoding)
 * @param maxRows        data rows (the header does not count)
 * @param maxColumns     columns in the header
 * @param maxStoredBytes bytes the dataset may take in the store: what is left under the storage quota. Parsing stops
 *                       as soon as the cells read so far would take more ({@link #MIN_STORED_CELL_BYTES} each at
 *                       least), so an upload over the quota is refused while it streams
 * @param storageQuota   the quota itself (bnserve.limits.max-storage), for the message; 0 for none
 */
public record CsvLimits(long maxBytes, int maxRows, int maxColumns, long maxStoredBytes, long storageQuota) {

    /** The fewest bytes a stored cell takes (a categorical code; a number or date takes 8). */
    public static final int MIN_STORED_CELL_BYTES = 4;

    /** Limits without a storage quota. */
    public CsvLimits(long maxBytes, int maxRows, int maxColumns) {
        this(maxBytes, maxRows, maxColumns, 0, 0);
    }

    /** These limits with {@code remaining} bytes left under a quota of {@code quota} bytes (0: no quota). */
    public CsvLimits withStorage(long remaining, long quota) {
        return quota <= 0
                ? new CsvLimits(maxBytes, maxRows, maxColumns, 0, 0)
                : new CsvLimits(maxBytes, maxRows, maxColumns, Math.max(1, remaining), quota);
    }

    /** No limits at all; for tests and tools. */
    public static CsvLimits unlimited() {
        return new CsvLimits(0, 0, 0);
    }
}
