package dev.bnserve.problem;

/**
 * One thing wrong with a request, located where the client can find it: a request {@code field} (JSON path or
 * parameter), or a {@code row} (1-based line of an uploaded file) and {@code column}. Absent members are null.
 */
public record Violation(String field, Integer row, String column, String message) {

    public static Violation field(String field, String message) {
        return new Violation(field, null, null, message);
    }

    public static Violation cell(Integer row, String column, String message) {
        return new Violation(null, row, column, message);
    }
}
