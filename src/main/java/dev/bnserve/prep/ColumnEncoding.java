package dev.bnserve.prep;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * How one input column becomes encoded inputs, with what was learned from the training split. A cell is a double:
 * the number (numeric), UTC seconds since 1970 (date), or the level's index (categorical: −1 missing, −2 a level
 * the training split never had); {@code NaN} is missing for numbers and dates.
 */
public sealed interface ColumnEncoding {
    String name();

    /** What the raw values of this input are. */
    InputType inputType();

    /** The kinds of raw input values. */
    enum InputType {
        NUMERIC,
        DATE,
        CATEGORICAL;

        public String id() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    /** The names of the encoded inputs this column produces, in order. */
    List<String> encodedNames();

    /** Encoded inputs this column produces. */
    default int width() {
        return encodedNames().size();
    }

    /** Writes the encoding of {@code cell} at {@code out[off..off + width())}. */
    void encode(double cell, double[] out, int off);

    /** Whether {@code cell} is a missing value. */
    boolean isMissing(double cell);

    /**
     * {@code x}, or {@code impute} when missing; with {@code indicator}, a second input {@code name:missing} that is 1
     * exactly when the value was missing.
     */
    record Numeric(String name, double impute, boolean indicator) implements ColumnEncoding {
        @Override
        public InputType inputType() {
            return InputType.NUMERIC;
        }

        @Override
        public List<String> encodedNames() {
            return indicator ? List.of(name, name + ":missing") : List.of(name);
        }

        @Override
        public void encode(double cell, double[] out, int off) {
            boolean missing = Double.isNaN(cell);
            out[off] = missing ? impute : cell;
            if (indicator) out[off + 1] = missing ? 1 : 0;
        }

        @Override
        public boolean isMissing(double cell) {
            return Double.isNaN(cell);
        }
    }

    /**
     * The {@link DateParts} of the instant, or of {@code impute} (the training split's mean instant) when missing, of
     * which only {@code parts} are kept: those that vary over the training split (a date column of January firsts has
     * no month to learn from, and a constant input would be normalized by a variance of ~0); with {@code indicator},
     * a last input {@code name:missing}.
     */
    record Date(String name, double impute, boolean indicator, boolean hasTime, List<String> parts)
            implements ColumnEncoding {
        public Date {
            parts = List.copyOf(parts);
        }

        @Override
        public InputType inputType() {
            return InputType.DATE;
        }

        @Override
        public List<String> encodedNames() {
            List<String> names = new ArrayList<>();
            for (String p : parts) names.add(name + ":" + p);
            if (indicator) names.add(name + ":missing");
            return List.copyOf(names);
        }

        @Override
        public void encode(double cell, double[] out, int off) {
            boolean missing = Double.isNaN(cell);
            double[] all = new double[DateParts.count(true)];
            DateParts.write(missing ? impute : cell, true, all, 0);
            int j = 0;
            for (String p : parts) out[off + j++] = all[DateParts.index(p)];
            if (indicator) out[off + j] = missing ? 1 : 0;
        }

        @Override
        public boolean isMissing(double cell) {
            return Double.isNaN(cell);
        }
    }

    /**
     * One-hot over the {@code levels} of the training split: input {@code name=level} is 1 for that level. A missing
     * cell sets no level (and, with {@code indicator}, the last input {@code name:missing}); an unknown level sets
     * none either.
     */
    record Categorical(String name, List<String> levels, boolean indicator) implements ColumnEncoding {
        public Categorical {
            levels = List.copyOf(levels);
        }

        @Override
        public InputType inputType() {
            return InputType.CATEGORICAL;
        }

        @Override
        public List<String> encodedNames() {
            List<String> names = new ArrayList<>();
            for (String l : levels) names.add(name + "=" + l);
            if (indicator) names.add(name + ":missing");
            return List.copyOf(names);
        }

        @Override
        public void encode(double cell, double[] out, int off) {
            int k = levels.size();
            for (int j = 0; j < k; j++) out[off + j] = 0;
            int level = (int) cell;
            if (level >= 0) out[off + level] = 1;
            if (indicator) out[off + k] = level == -1 ? 1 : 0;
        }

        @Override
        public boolean isMissing(double cell) {
            return cell == -1;
        }

        /** The cell of {@code level}: its index, or −2 when the training split never had it. */
        public double cell(String level, Map<String, Integer> index) {
            Integer i = index.get(level);
            return i == null ? -2 : i;
        }

        /** Level → index, for {@link #cell}. */
        public Map<String, Integer> index() {
            Map<String, Integer> index = new HashMap<>();
            for (int i = 0; i < levels.size(); i++) index.put(levels.get(i), i);
            return Map.copyOf(index);
        }
    }

    /**
     * An input that is not encoded because it was constant over the training split: clients keep sending it (and the
     * positional form keeps its arity), but it carries no information, and normalizing it would divide by ~0.
     */
    record Constant(String name, InputType inputType) implements ColumnEncoding {
        @Override
        public List<String> encodedNames() {
            return List.of();
        }

        @Override
        public void encode(double cell, double[] out, int off) {}

        @Override
        public boolean isMissing(double cell) {
            return false;
        }
    }
}
