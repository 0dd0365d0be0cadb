package dev.bnserve.data;

import java.util.List;

/** One immutable column of a {@link Dataset}. */
public sealed interface Column permits NumericColumn, CategoricalColumn, DateColumn {

    String name();

    ColumnType type();

    /** Number of rows. */
    int size();

    /** Number of missing cells (empty, or a missing-value token such as {@code NA}). */
    int missing();

    /**
     * True if the column holds exactly one distinct value besides its missing cells; a column without any value is
     * not constant ({@code missing() == size()} tells that case).
     */
    boolean constant();

    /** A numeric column; {@code Double.NaN} marks a missing cell. The array is copied. */
    static NumericColumn numeric(String name, double[] values) {
        return new NumericColumn(name, values.clone());
    }

    /**
     * A categorical column. {@code codes[i]} indexes {@code levels}, or is {@code -1} for a missing cell.
     * Levels must be distinct; they are kept in the given order. The array is copied.
     */
    static CategoricalColumn categorical(String name, int[] codes, List<String> levels) {
        return new CategoricalColumn(name, codes.clone(), levels);
    }

    /**
     * A date column: UTC seconds since 1970 ({@code Double.NaN} marks a missing cell); {@code hasTime} tells
     * whether the values are shown as instants rather than dates. The array is copied.
     *
     * @throws IllegalArgumentException if a value is infinite or outside the years 0000 to 9999
     */
    static DateColumn date(String name, double[] epochSeconds, boolean hasTime) {
        return new DateColumn(name, epochSeconds.clone(), hasTime);
    }
}
