package dev.bnserve.data;

import java.util.Locale;

/** Kind of values a dataset column holds. {@link #json()} is the name used in the HTTP contract. */
public enum ColumnType {
    /** Every non-missing cell is a finite number. */
    NUMERIC,
    /** Anything else: dictionary-encoded text. */
    CATEGORICAL,
    /** Every non-missing cell is an ISO-8601 date or date-time (see {@link DateColumn}). */
    DATE;

    /** Lower-case name as it appears in JSON ({@code "numeric"}, {@code "categorical"}, {@code "date"}). */
    public String json() {
        return name().toLowerCase(Locale.ROOT);
    }
}
