package dev.bnserve.prep;

import dev.bnserve.prep.ColumnEncoding.InputType;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The fitted preprocessing of a model: one {@link ColumnEncoding} per input, in input order. A row of cells
 * ({@code inputs} doubles, see {@link ColumnEncoding}) becomes {@link #width()} encoded inputs, the concatenation
 * of each column's encoding. Immutable and thread-safe; fitting reads the training rows only.
 */
public final class Preprocessor {
    private final List<ColumnEncoding> columns;
    private final List<String> encodedInputs;
    private final int[] offsets;

    public Preprocessor(List<ColumnEncoding> columns) {
        this.columns = List.copyOf(columns);
        List<String> names = new ArrayList<>();
        offsets = new int[columns.size()];
        for (int j = 0; j < columns.size(); j++) {
            offsets[j] = names.size();
            names.addAll(columns.get(j).encodedNames());
        }
        this.encodedInputs = List.copyOf(names);
    }

    /** The identity preprocessing of numeric inputs without missing values (models from before preprocessing). */
    public static Preprocessor identity(List<String> inputs) {
        List<ColumnEncoding> cols = new ArrayList<>();
        for (String name : inputs) cols.add(new ColumnEncoding.Numeric(name, Double.NaN, false));
        return new Preprocessor(cols);
    }

    /**
     * Fits the encoding of {@code columns} on the rows {@code trainRows} (indices into the columns) alone.
     *
     * <ul>
     *   <li>numeric and date: {@code impute} = the mean of the training split's values, summed in ascending row
     *       order; an indicator when {@code missingIndicators} and the training split has missing values;
     *   <li>categorical: the levels the training split has, in the dataset's level order;
     *   <li>a column with at most one distinct value in the training split is {@link ColumnEncoding.Constant}.
     * </ul>
     */
    public static Preprocessor fit(List<InputColumn> columns, int[] trainRows, Settings settings) {
        int n = columns.isEmpty() ? 0 : rows(columns.get(0));
        boolean[] train = new boolean[n];
        for (int r : trainRows) train[r] = true;
        List<ColumnEncoding> out = new ArrayList<>();
        for (InputColumn c : columns) {
            if (c instanceof InputColumn.Categorical cat) {
                out.add(fitCategorical(cat, train, settings));
            } else {
                double[] v =
                        c instanceof InputColumn.Numeric num ? num.values() : ((InputColumn.Date) c).epochSeconds();
                double sum = 0, first = Double.NaN;
                int count = 0, missing = 0;
                boolean distinct = false;
                for (int r = 0; r < n; r++) {
                    if (!train[r]) continue;
                    if (Double.isNaN(v[r])) {
                        missing++;
                        continue;
                    }
                    if (count == 0) first = v[r];
                    else if (v[r] != first) distinct = true;
                    sum += v[r];
                    count++;
                }
                InputType type = c instanceof InputColumn.Numeric ? InputType.NUMERIC : InputType.DATE;
                boolean indicator = settings.missingIndicators() && missing > 0;
                if (!distinct && !indicator) {
                    out.add(new ColumnEncoding.Constant(c.name(), type));
                } else if (c instanceof InputColumn.Numeric) {
                    out.add(new ColumnEncoding.Numeric(c.name(), count == 0 ? 0 : sum / count, indicator));
                } else {
                    boolean hasTime = ((InputColumn.Date) c).hasTime();
                    List<String> parts = varyingParts(v, train, hasTime);
                    if (parts.isEmpty() && !indicator) out.add(new ColumnEncoding.Constant(c.name(), type));
                    else
                        out.add(new ColumnEncoding.Date(
                                c.name(), count == 0 ? 0 : sum / count, indicator, hasTime, parts));
                }
            }
        }
        return new Preprocessor(out);
    }

    /** The date parts that take more than one value over the training rows (in {@link DateParts#ALL} order). */
    private static List<String> varyingParts(double[] v, boolean[] train, boolean hasTime) {
        int k = DateParts.count(hasTime);
        double[] first = null;
        boolean[] varies = new boolean[k];
        double[] parts = new double[DateParts.count(true)];
        for (int r = 0; r < v.length; r++) {
            if (!train[r] || Double.isNaN(v[r])) continue;
            DateParts.write(v[r], true, parts, 0);
            if (first == null) first = parts.clone();
            else for (int j = 0; j < k; j++) varies[j] |= parts[j] != first[j];
        }
        List<String> out = new ArrayList<>();
        for (int j = 0; j < k; j++) if (varies[j]) out.add(DateParts.ALL.get(j));
        return out;
    }

    private static ColumnEncoding fitCategorical(InputColumn.Categorical c, boolean[] train, Settings settings) {
        boolean[] seen = new boolean[c.levels().size()];
        int missing = 0;
        for (int r = 0; r < train.length; r++) {
            if (!train[r]) continue;
            int code = c.codes()[r];
            if (code < 0) missing++;
            else seen[code] = true;
        }
        List<String> levels = new ArrayList<>();
        for (int i = 0; i < seen.length; i++) if (seen[i]) levels.add(c.levels().get(i));
        boolean indicator = settings.missingIndicators() && missing > 0;
        if (levels.size() <= 1 && !indicator) return new ColumnEncoding.Constant(c.name(), InputType.CATEGORICAL);
        return new ColumnEncoding.Categorical(c.name(), levels, indicator);
    }

    private static int rows(InputColumn c) {
        if (c instanceof InputColumn.Numeric n) return n.values().length;
        if (c instanceof InputColumn.Date d) return d.epochSeconds().length;
        return ((InputColumn.Categorical) c).codes().length;
    }

    public List<ColumnEncoding> columns() {
        return columns;
    }

    /** The input names, in order. */
    public List<String> inputs() {
        return columns.stream().map(ColumnEncoding::name).toList();
    }

    /** The names of the encoded inputs, in the order the network reads them. */
    public List<String> encodedInputs() {
        return encodedInputs;
    }

    public int width() {
        return encodedInputs.size();
    }

    /** Encodes one row of {@code cells} (one per input) at {@code out[off..off + width())}. */
    public void encode(double[] cells, double[] out, int off) {
        for (int j = 0; j < offsets.length; j++) columns.get(j).encode(cells[j], out, off + offsets[j]);
    }

    /**
     * Encodes every row of {@code columns} (the same columns, in the same order, as fitted) into a new row-major
     * {@code rows × width()} matrix, through {@link #encode} row by row, so a row encodes to the same bits as at
     * prediction. A categorical level the training split did not have (it is in the validation split only) encodes
     * as unknown: all zeros.
     */
    public double[] encodeAll(List<InputColumn> input) {
        int n = input.isEmpty() ? 0 : rows(input.get(0));
        int d = columns.size();
        double[][] cells = new double[d][];
        for (int j = 0; j < d; j++) cells[j] = cells(input.get(j), columns.get(j));
        double[] row = new double[d];
        double[] out = new double[n * width()];
        for (int r = 0; r < n; r++) {
            for (int j = 0; j < d; j++) row[j] = cells[j][r];
            encode(row, out, r * width());
        }
        return out;
    }

    /** A column's cells: numbers and instants as they are, category codes mapped to the fitted levels. */
    private static double[] cells(InputColumn c, ColumnEncoding e) {
        if (c instanceof InputColumn.Numeric n) return n.values();
        if (c instanceof InputColumn.Date d) return d.epochSeconds();
        InputColumn.Categorical cat = (InputColumn.Categorical) c;
        double[] remap = new double[cat.levels().size()];
        Arrays.fill(remap, -2);
        if (e instanceof ColumnEncoding.Categorical fitted) {
            Map<String, Integer> index = new HashMap<>(fitted.index());
            for (int i = 0; i < remap.length; i++)
                remap[i] = fitted.cell(cat.levels().get(i), index);
        }
        double[] out = new double[cat.codes().length];
        for (int r = 0; r < out.length; r++) out[r] = cat.codes()[r] < 0 ? -1 : remap[cat.codes()[r]];
        return out;
    }
}
