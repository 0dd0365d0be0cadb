package dev.bnserve.web;

import com.fasterxml.jackson.annotation.JsonInclude;
import dev.bnserve.data.CategoricalColumn;
import dev.bnserve.data.Column;
import dev.bnserve.data.Dataset;
import dev.bnserve.data.NumericColumn;
import java.time.Instant;
import java.util.List;

/** JSON shape of a dataset (see the Datasets section of the HTTP contract). */
@JsonInclude(JsonInclude.Include.NON_NULL)
record DatasetView(String id, String name, int rows, Instant created, List<ColumnView> columns) {

    /** Categorical levels are listed only up to this many distinct values. */
    static final int MAX_LISTED_VALUES = 1000;

    /**
     * One column. Numeric columns carry {@code mean}/{@code std} (population)/{@code min}/{@code max}
     * ({@code null}, hence absent, when the column has no value); categorical ones {@code distinct} and
     * {@code values} (sorted; omitted in listings and beyond {@value #MAX_LISTED_VALUES} values).
     */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    record ColumnView(
            String name,
            String type,
            int missing,
            Double mean,
            Double std,
            Double min,
            Double max,
            Integer distinct,
            List<String> values) {

        static ColumnView of(Column column, boolean withValues) {
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
                        null);
            }
            CategoricalColumn c = (CategoricalColumn) column;
            List<String> values = withValues && c.distinct() <= MAX_LISTED_VALUES ? c.levels() : null;
            return new ColumnView(c.name(), c.type().json(), c.missing(), null, null, null, null, c.distinct(), values);
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
                d.columns().stream().map(c -> ColumnView.of(c, withValues)).toList());
    }
}
