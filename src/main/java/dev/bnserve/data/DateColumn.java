package dev.bnserve.data;

import dev.bnserve.prep.IsoDates;
import java.nio.DoubleBuffer;
import java.time.Instant;
import java.time.LocalDate;
import java.util.Objects;

/**
 * A column of instants: UTC seconds since 1970-01-01T00:00:00Z as doubles (fractions of a second allowed), {@code NaN}
 * marking missing cells. Parsed from ISO-8601 dates ({@code 2012-01-01}, midnight UTC) and date-times
 * ({@code 2012-01-01T13:00:00Z}, {@code …+02:00}; without a zone taken as UTC). {@link #hasTime()} tells whether any
 * value was written with a time of day, which decides how values are shown ({@link #format}). Values lie in the
 * years 0000 to 9999.
 */
public final class DateColumn implements Column {

    /** 0000-01-01T00:00:00Z. */
    static final double MIN_SECONDS = IsoDates.MIN_SECONDS;
    /** 10000-01-01T00:00:00Z (exclusive). */
    static final double END_SECONDS = IsoDates.END_SECONDS;

    private final String name;
    private final DoubleBuffer seconds;
    private final int size;
    private final boolean hasTime;
    private final int missing;
    private final double min;
    private final double max;

    /**
     * Takes ownership of {@code seconds}.
     *
     * @throws IllegalArgumentException if a value is infinite or outside the years 0000 to 9999
     */
    DateColumn(String name, double[] seconds, boolean hasTime) {
        this(name, DoubleBuffer.wrap(seconds), hasTime);
    }

    /** Over {@code seconds} from index 0 to its limit (a mapped view, say); they must not change. */
    DateColumn(String name, DoubleBuffer seconds, boolean hasTime) {
        this.name = Objects.requireNonNull(name, "name");
        this.seconds = seconds;
        this.size = seconds.limit();
        this.hasTime = hasTime;
        int n = 0;
        double lo = Double.POSITIVE_INFINITY;
        double hi = Double.NEGATIVE_INFINITY;
        for (int i = 0; i < size; i++) {
            double v = seconds.get(i);
            if (Double.isNaN(v)) {
                continue;
            }
            if (!(v >= MIN_SECONDS && v < END_SECONDS)) {
                throw new IllegalArgumentException("column '" + name + "' holds a value outside the years 0000-9999");
            }
            n++;
            lo = Math.min(lo, v);
            hi = Math.max(hi, v);
        }
        this.missing = size - n;
        this.min = n == 0 ? Double.NaN : lo;
        this.max = n == 0 ? Double.NaN : hi;
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public ColumnType type() {
        return ColumnType.DATE;
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

    /** Value at {@code row} (0-based) in UTC seconds since 1970, {@code NaN} if missing. */
    public double get(int row) {
        return seconds.get(row);
    }

    /** A copy of all values, UTC seconds since 1970 ({@code NaN} = missing). */
    public double[] epochSeconds() {
        double[] out = new double[size];
        seconds.get(0, out);
        return out;
    }

    /** A copy of the values at {@code rows} (in that order; repeats allowed). */
    public double[] gather(int[] rows) {
        double[] out = new double[rows.length];
        for (int i = 0; i < rows.length; i++) out[i] = seconds.get(rows[i]);
        return out;
    }

    /** Whether any value had a time of day (a date-time rather than a date). */
    public boolean hasTime() {
        return hasTime;
    }

    /** Earliest value in UTC seconds since 1970; {@code NaN} if there is none. */
    public double min() {
        return min;
    }

    /** Latest value in UTC seconds since 1970; {@code NaN} if there is none. */
    public double max() {
        return max;
    }

    /**
     * A value as ISO-8601 text, the way this column shows it: a date ({@code 1970-01-01}, the UTC day) if no value
     * had a time, else an instant ({@code 1970-01-01T13:00:00Z}, to the microsecond); null for {@code NaN}.
     */
    public String format(double epochSeconds) {
        return Double.isNaN(epochSeconds) ? null : format(epochSeconds, hasTime);
    }

    static String format(double epochSeconds, boolean withTime) {
        long whole = (long) Math.floor(epochSeconds);
        if (!withTime) {
            return LocalDate.ofEpochDay(Math.floorDiv(whole, IsoDates.SECONDS_PER_DAY))
                    .toString();
        }
        long nanos = Math.round((epochSeconds - whole) * 1e6) * 1000; // a double holds about microseconds
        if (nanos >= 1_000_000_000L) {
            whole++;
            nanos -= 1_000_000_000L;
        }
        return Instant.ofEpochSecond(whole, nanos).toString();
    }

    /** The values (absolute reads only), never exposed outside the package. */
    DoubleBuffer values() {
        return seconds;
    }
}
