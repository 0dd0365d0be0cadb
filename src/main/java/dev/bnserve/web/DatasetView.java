package dev.bnserve.web;

import com.fasterxml.jackson.annotation.JsonInclude;
import dev.bnserve.data.CategoricalColumn;
import dev.bnserve.data.Column;
import dev.bnserve.data.Dataset;
import dev.bnserve.data.DateColumn;
import dev.bnserve.data.NumericColumn;
import java.time.Instant;
import java.util.List;

/** JSON shape of a dataset (see the Datasets section of the HTTP contract). */
@JsonInclude(JsonInclude.Include.NON_NULL)
record DatasetView(String id, String name, int rows, Instant created, String delimiter, List<ColumnView> columns) {

    /** Categorical levels are listed only up to this many distinct values. */
    static final int MAX_LISTED_VALUES = 1000;

    /** {@code note} of a column with one distinct value besides its missing cells. */
    static final String CONSTANT = "constant";

    /** {@code note} of a column without any value. */
    static final String ALL_MISSING = "all missing";

    /**
     * One column; every type has {@code missing}. Numeric columns carry {@code mean}/{@code std}
     * (population)/{@code min}/{@code max} as numbers ({@code null}, hence absent, when the column has no value);
     * date columns {@code min}/{@code max} as ISO-8601 text (dates, or instants such as
     * {@code 2012-01-01T13:00:00Z} when any value has a time); categorical ones {@code distinct} and {@code values}
     * (sorted; omitted in listings and beyond {@value #MAX_LISTED_VALUES} values). {@code note} is
     * {@value #CONSTANT} for a column with a single distinct value and {@value #ALL_MISSING} for one without
     * values, absent otherwise.
     */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    record ColumnView(
            String name,
            String type,
            int missing,
            Double mean,
            Double std,
            Object min,
            Object max,
            Integer distinct,
            List<String> values,
            String note,
            Histogram histogram) {

        static ColumnView of(Column column, boolean withValues) {
            String note = column.missing() == column.size() ? ALL_MISSING : column.constant() ? CONSTANT : null;
            if (column instanceof NumericColumn n) {
                return new ColumnView(
                        n.name(),
                        n.type().json(),
                        n.missing(),
                        finite(n.mean()),
                        finite(n.std()),
                        finite(n.min()),
                        finite(n.max()),
                        null,
                        null,
                        note,
                        withValues ? Histogram.of(n) : null);
            }
            if (column instanceof DateColumn t) {
                return new ColumnView(
                        t.name(),
                        t.type().json(),
                        t.missing(),
                        null,
                        null,
                        t.format(t.min()),
                        t.format(t.max()),
                        null,
                        null,
                        note,
                        null);
            }
            CategoricalColumn c = (CategoricalColumn) column;
            List<String> values = withValues && c.distinct() <= MAX_LISTED_VALUES ? c.levels() : null;
            return new ColumnView(
                    c.name(), c.type().json(), c.missing(), null, null, null, null, c.distinct(), values, note, null);
        }

        private static Double finite(double v) {
            return Double.isFinite(v) ? v : null;
        }
    }

    /**
     * {@code histogram} of a numeric column in single-dataset views: {@value #BINS} equal-width bins from {@code min}
     * to {@code max} (the last one closed), missing cells left out. One pass over the column per request, so
     * listings (which omit it) stay cheap; null for a column without values.
     */
    static final int BINS = 20;

    record Histogram(double min, double max, int[] counts) {
        static Histogram of(NumericColumn n) {
            double lo = n.min(), hi = n.max();
            if (!Double.isFinite(lo) || !Double.isFinite(hi)) return null;
            int[] counts = new int[lo == hi ? 1 : BINS];
            double width = (hi - lo) / counts.length;
            for (int i = 0, size = n.size(); i < size; i++) {
                double v = n.get(i);
                if (Double.isNaN(v)) continue;
                int bin = width == 0 ? 0 : (int) ((v - lo) / width);
                counts[Math.min(counts.length - 1, Math.max(0, bin))]++;
            }
            return new Histogram(lo, hi, counts);
        }
    }

    /** Full view, for single-dataset responses. */
    static DatasetView of(Dataset d) {
        return of(d, true);
    }

    /** Light view for listings: no categorical values. */
    static DatasetView summary(Dataset d) {
        return of(d, false);
    }

    private static DatasetView of(Dataset d, boolean withValues) {
        return new DatasetView(
                d.id(),
                d.name(),
                d.rows(),
                d.created(),
                String.valueOf(d.delimiter()),
                d.columns().parallelStream()
                        .map(c -> ColumnView.of(c, withValues))
                        .toList());
    }
}
