package dev.bnserve.predict;

import java.util.ArrayList;
import java.util.List;

/**
 * One input column of many rows, as column-oriented protocols send it: value {@code r} is row {@code r}'s. A value is
 * the number {@code values[r]}, or the string {@code texts[r]} (then {@code values[r]} is NaN), or missing (NaN and
 * no text), as in {@link PredictRequest.Row}. {@code texts} is null for a column of numbers only.
 */
public record Column(String name, double[] values, String[] texts) {

    public Column {
        if (texts != null && texts.length != values.length) {
            throw new IllegalArgumentException("values and texts differ in length");
        }
    }

    public int size() {
        return values.length;
    }

    /** The columns as named rows: row {@code r} takes every column's value {@code r}. Columns must be equally long. */
    static PredictRequest rows(List<Column> columns) {
        int n = columns.isEmpty() ? 0 : columns.get(0).size();
        String[] names = new String[columns.size()];
        boolean anyText = false;
        for (int c = 0; c < names.length; c++) {
            Column col = columns.get(c);
            if (col.size() != n) throw new IllegalArgumentException("columns differ in length");
            names[c] = col.name();
            anyText |= col.texts() != null;
        }
        List<PredictRequest.Row> rows = new ArrayList<>(n);
        for (int r = 0; r < n; r++) {
            double[] values = new double[names.length];
            String[] texts = anyText ? new String[names.length] : null;
            for (int c = 0; c < names.length; c++) {
                Column col = columns.get(c);
                values[c] = col.values()[r];
                if (col.texts() != null) texts[c] = col.texts()[r];
            }
            rows.add(new PredictRequest.Row(r, names, values, texts));
        }
        return new PredictRequest(null, false, rows);
    }
}
