package dev.bnserve.data;

import java.util.List;

/** One immutable column of a {@link Dataset}. */
public sealed interface Column permits NumericColumn, CategoricalColumn {

    String name();

    ColumnType type();

    /** Number of rows. */
    int size();

    /** Number of empty cells. */
    int missing();

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
}
