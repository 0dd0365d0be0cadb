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
            String note) {

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
                        note);
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
                        note);
            }
            CategoricalColumn c = (CategoricalColumn) column;
            List<String> values = withValues && c.distinct() <= MAX_LISTED_VALUES ? c.levels() : null;
            return new ColumnView(
                    c.name(), c.type().json(), c.missing(), null, null, null, null, c.distinct(), values, note);
        }

        private static Double finite(double v) {
            return Double.isFinite(v) ? v : null;
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
                d.columns().stream().map(c -> ColumnView.of(c, withValues)).toList());
    }
}
