package dev.bnserve.predict;

import java.util.List;

/**
 * Rows to predict, as sent: the optional model reference and the rows, each either positional (in the model's input
 * order) or named. Values are finite numbers; names and arity are checked against the model by
 * {@link PredictionService}.
 *
 * @param model  the model named in the body, or null
 * @param single true for one row sent as {@code features}, false for {@code instances}
 */
public record PredictRequest(String model, boolean single, List<Row> rows) {

    public PredictRequest {
        rows = List.copyOf(rows);
    }

    /**
     * One row: {@code names == null} for a positional row; {@code index} is its place in {@code instances}, or −1 for
     * {@code features}. Value {@code j} is the number {@code values[j]}, or the string {@code texts[j]} (then
     * {@code values[j]} is NaN), or missing (JSON {@code null}: NaN and no text). {@code texts} is null when the row
     * has no string.
     */
    public record Row(int index, String[] names, double[] values, String[] texts) {
        /** The string at {@code j}, or null. */
        public String text(int j) {
            return texts == null ? null : texts[j];
        }

        /** Whether value {@code j} is JSON {@code null}. */
        public boolean isNull(int j) {
            return Double.isNaN(values[j]) && text(j) == null;
        }

        /** Where the row is in the request, for error messages. */
        public String path() {
            return pathOf(index);
        }
    }

    /** {@code features} or {@code instances[i]}: built only when there is an error to locate. */
    public static String pathOf(int index) {
        return index < 0 ? "features" : "instances[" + index + "]";
    }
}
