package dev.bnserve.data;

/**
 * One problem found in an uploaded file.
 *
 * @param row     1-based line number in the file (the header is line 1), or {@code null} for whole-file problems
 * @param column  column name, or its 1-based index when the header itself is at fault; {@code null} for whole-row problems
 * @param message what is wrong, phrased for a person
 */
public record DatasetError(Integer row, String column, String message) {}
