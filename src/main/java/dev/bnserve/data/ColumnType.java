package dev.bnserve.data;

import java.util.Locale;

/** Kind of values a dataset column holds. {@link #json()} is the name used in the HTTP contract. */
public enum ColumnType {
    /** Every non-empty cell is a finite number. */
    NUMERIC,
    /** Anything else: dictionary-encoded text. */
    CATEGORICAL;

    /** Lower-case name as it appears in JSON ({@code "numeric"}, {@code "categorical"}). */
    public String json() {
        return name().toLowerCase(Locale.ROOT);
    }
}
