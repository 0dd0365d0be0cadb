package dev.bnserve.data;

import java.nio.DoubleBuffer;
import java.util.Objects;

/**
 * A column of finite doubles, {@code NaN} marking missing cells. Summaries ignore missing cells and are
 * {@code NaN} when there is no value at all. {@link #std()} is the <em>population</em> standard deviation
 * (divides by the number of values, not by n-1).
 *
 * <p>The values are a {@link DoubleBuffer}: a heap array for a column just parsed, a read-only view of the stored file
 * (memory-mapped, outside the heap) for a stored one. Reads are absolute, so the column is safe to share.
 */
public final class NumericColumn implements Column {

    private final String name;
    private final DoubleBuffer values;
    private final int size;
    private final int missing;
    private final double mean;
    private final double std;
    private final double min;
    private final double max;

    /** Takes ownership of {@code values}. */
    NumericColumn(String name, double[] values) {
        this(name, DoubleBuffer.wrap(values));
    }

    /** Over {@code values} from index 0 to its limit (a mapped view, say); they must not change. */
    NumericColumn(String name, DoubleBuffer values) {
        this.name = Objects.requireNonNull(name, "name");
        this.values = values;
        this.size = values.limit();
        int n = 0;
        double sum = 0;
        double lo = Double.POSITIVE_INFINITY;
        double hi = Double.NEGATIVE_INFINITY;
        for (int i = 0; i < size; i++) {
            double v = values.get(i);
            if (Double.isNaN(v)) {
                continue;
            }
            if (Double.isInfinite(v)) {
                throw new IllegalArgumentException("column '" + name + "' holds a non-finite value");
            }
            n++;
            sum += v;
            lo = Math.min(lo, v);
            hi = Math.max(hi, v);
        }
        this.missing = size - n;
        if (n == 0) {
            mean = std = min = max = Double.NaN;
            return;
        }
        double m = sum / n;
        double squares = 0;
        double drift = 0; // two-pass with correction term (numerically stable)
        for (int i = 0; i < size; i++) {
            double v = values.get(i);
            if (!Double.isNaN(v)) {
                double d = v - m;
                squares += d * d;
                drift += d;
            }
        }
        this.mean = m;
        this.std = Math.sqrt(Math.max(0, (squares - drift * drift / n) / n));
        this.min = lo;
        this.max = hi;
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public ColumnType type() {
        return ColumnType.NUMERIC;
    }

    @Override
    public int size() {
        return size;
    }

    @Override
    public int missing() {
        return missing;
    }

    @Override
    public boolean constant() {
        return missing < size && min == max;
    }

    /** Value at {@code row} (0-based), {@code NaN} if missing. */
    public double get(int row) {
        return values.get(row);
    }

    /** A copy of all values. */
    public double[] toArray() {
        double[] out = new double[size];
        values.get(0, out);
        return out;
    }

    /** A copy of the values at {@code rows} (in that order; repeats allowed). */
    public double[] gather(int[] rows) {
        double[] out = new double[rows.length];
        for (int i = 0; i < rows.length; i++) out[i] = values.get(rows[i]);
        return out;
    }

    /** Mean of the non-missing values. */
    public double mean() {
        return mean;
    }

    /** Population standard deviation of the non-missing values. */
    public double std() {
        return std;
    }

    public double min() {
        return min;
    }

    public double max() {
        return max;
    }

    /** The values (absolute reads only), never exposed outside the package. */
    DoubleBuffer values() {
        return values;
    }
}
