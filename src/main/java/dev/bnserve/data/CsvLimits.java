package dev.bnserve.data;

/**
 * Size limits enforced while parsing. A value {@code <= 0} means unlimited.
 *
 * @param maxBytes   bytes read from the input stream (after transfer decoding, before charset decoding)
 * @param maxRows    data rows (the header does not count)
 * @param maxColumns columns in the header
 */
public record CsvLimits(long maxBytes, int maxRows, int maxColumns) {

    /** No limits at all; for tests and tools. */
    public static CsvLimits unlimited() {
        return new CsvLimits(0, 0, 0);
    }
}
