package dev.bnserve.data;

import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * An immutable, column-oriented table. Rows are 0-based in every accessor. Numeric and date missing cells are
 * {@code NaN}; categorical missing cells have code {@code -1}. It remembers the delimiter its file was read with.
 */
public final class Dataset {

    private final String id;
    private final String name;
    private final Instant created;
    private final int rows;
    private final List<Column> columns;
    private final Map<String, Column> byName;
    private final char delimiter;

    /**
     * A dataset read with the comma delimiter.
     *
     * @throws IllegalArgumentException if the id is malformed, there are no columns, names repeat or
     *                                  columns differ in length
     */
    public Dataset(String id, String name, Instant created, List<Column> columns) {
        this(id, name, created, columns, ',');
    }

    /**
     * @param delimiter the delimiter its file was read with, one of {@link CsvOptions#DELIMITERS}
     * @throws IllegalArgumentException if the id is malformed, there are no columns, names repeat,
     *                                  columns differ in length or the delimiter is not supported
     */
    public Dataset(String id, String name, Instant created, List<Column> columns, char delimiter) {
        if (!DatasetIds.isValid(id)) {
            throw new IllegalArgumentException("invalid dataset id: " + id);
        }
        this.id = id;
        this.name = Objects.requireNonNull(name, "name");
        this.created = Objects.requireNonNull(created, "created");
        this.columns = List.copyOf(columns);
        if (this.columns.isEmpty()) {
            throw new IllegalArgumentException("a dataset needs at least one column");
        }
        this.rows = this.columns.get(0).size();
        Map<String, Column> map = new LinkedHashMap<>();
        for (Column c : this.columns) {
            if (c.size() != rows) {
                throw new IllegalArgumentException(
                        "column '" + c.name() + "' has " + c.size() + " rows, expected " + rows);
            }
            if (map.put(c.name(), c) != null) {
                throw new IllegalArgumentException("duplicate column '" + c.name() + "'");
            }
        }
        this.byName = map;
        if (!CsvOptions.DELIMITERS.contains(delimiter)) {
            throw new IllegalArgumentException("unsupported delimiter " + (int) delimiter);
        }
        this.delimiter = delimiter;
    }

    public String id() {
        return id;
    }

    public String name() {
        return name;
    }

    public Instant created() {
        return created;
    }

    /** The delimiter the file was read with ({@code ,} {@code ;} tab or {@code |}). */
    public char delimiter() {
        return delimiter;
    }

    /** Number of data rows. */
    public int rows() {
        return rows;
    }

    /** Columns in file order. */
    public List<Column> columns() {
        return columns;
    }

    /** Column names in file order. */
    public List<String> columnNames() {
        List<String> names = new ArrayList<>(columns.size());
        columns.forEach(c -> names.add(c.name()));
        return names;
    }

    public Optional<Column> column(String name) {
        return Optional.ofNullable(byName.get(name));
    }

    /** @throws IllegalArgumentException if there is no such column */
    public Column requireColumn(String name) {
        Column c = byName.get(name);
        if (c == null) {
            throw new IllegalArgumentException("dataset " + id + " has no column '" + name + "'");
        }
        return c;
    }

    /**
     * A copy of a numeric column's values ({@code NaN} = missing).
     *
     * @throws IllegalArgumentException if the column is missing or not numeric
     */
    public double[] numeric(String column) {
        return numericColumn(column).toArray();
    }

    /**
     * A copy of a categorical column's codes ({@code -1} = missing), indexes into {@link #levels(String)}.
     *
     * @throws IllegalArgumentException if the column is missing or not categorical
     */
    public int[] codes(String column) {
        return categoricalColumn(column).codes();
    }

    /**
     * Distinct values of a categorical column (sorted for parsed data); unmodifiable.
     *
     * @throws IllegalArgumentException if the column is missing or not categorical
     */
    public List<String> levels(String column) {
        return categoricalColumn(column).levels();
    }

    /**
     * A copy of a date column's values in UTC seconds since 1970 ({@code NaN} = missing).
     *
     * @throws IllegalArgumentException if the column is missing or not a date column
     */
    public double[] dates(String column) {
        return dateColumn(column).epochSeconds();
    }

    /** @throws IllegalArgumentException if the column is missing or not a date column */
    public DateColumn dateColumn(String column) {
        Column c = requireColumn(column);
        if (c instanceof DateColumn t) {
            return t;
        }
        throw new IllegalArgumentException(
                "column '" + column + "' is " + c.type().json() + ", not date");
    }

    /** @throws IllegalArgumentException if the column is missing or not numeric */
    public NumericColumn numericColumn(String column) {
        Column c = requireColumn(column);
        if (c instanceof NumericColumn n) {
            return n;
        }
        throw new IllegalArgumentException(
                "column '" + column + "' is " + c.type().json() + ", not numeric");
    }

    /** @throws IllegalArgumentException if the column is missing or not categorical */
    public CategoricalColumn categoricalColumn(String column) {
        Column c = requireColumn(column);
        if (c instanceof CategoricalColumn k) {
            return k;
        }
        throw new IllegalArgumentException(
                "column '" + column + "' is " + c.type().json() + ", not categorical");
    }

    /**
     * Row-major matrix of the given numeric columns over all rows: element {@code [r * k + j]} is row
     * {@code r} of {@code features.get(j)}, with {@code k = features.size()}. Missing cells come out as NaN.
     */
    public double[] matrix(List<String> features) {
        return matrix(features, null);
    }

    /**
     * Row-major matrix of the given numeric columns over the selected rows (in the given order; repeats
     * allowed): element {@code [i * k + j]} is row {@code rowIndices[i]} of {@code features.get(j)}.
     * {@code rowIndices == null} selects every row in order.
     */
    public double[] matrix(List<String> features, int[] rowIndices) {
        int k = features.size();
        int n = rowIndices == null ? rows : rowIndices.length;
        double[] out = new double[Math.multiplyExact(n, k)];
        for (int j = 0; j < k; j++) {
            java.nio.DoubleBuffer col = numericColumn(features.get(j)).values();
            if (rowIndices == null) {
                for (int r = 0, o = j; r < n; r++, o += k) {
                    out[o] = col.get(r);
                }
            } else {
                for (int i = 0, o = j; i < n; i++, o += k) {
                    out[o] = col.get(rowIndices[i]);
                }
            }
        }
        return out;
    }

    /** Number of missing cells in a column. */
    public int missing(String column) {
        return requireColumn(column).missing();
    }

    @Override
    public String toString() {
        return "Dataset[" + id + ", " + name + ", " + rows + " rows x " + columns.size() + " columns]";
    }
}
