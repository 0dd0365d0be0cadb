package dev.bnserve.data;

import java.nio.IntBuffer;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;

/**
 * A dictionary-encoded text column: {@link #code(int)} indexes {@link #levels()}, {@code -1} marks a missing
 * cell. Columns built by {@link CsvParser} have their levels sorted ({@link String#compareTo}).
 */
public final class CategoricalColumn implements Column {

    private final String name;
    private final IntBuffer codes;
    private final int size;
    private final List<String> levels;
    private final int missing;
    private final boolean constant;

    /** Takes ownership of {@code codes}. */
    CategoricalColumn(String name, int[] codes, List<String> levels) {
        this(name, IntBuffer.wrap(codes), levels);
    }

    /** Over {@code codes} from index 0 to its limit (a mapped view, say); they must not change. */
    CategoricalColumn(String name, IntBuffer codes, List<String> levels) {
        this.name = Objects.requireNonNull(name, "name");
        this.codes = codes;
        this.size = codes.limit();
        this.levels = List.copyOf(levels);
        if (new HashSet<>(this.levels).size() != this.levels.size()) {
            throw new IllegalArgumentException("column '" + name + "' has duplicate levels");
        }
        int n = 0;
        int first = -1;
        boolean same = true;
        for (int i = 0; i < size; i++) {
            int c = codes.get(i);
            if (c == -1) {
                n++;
            } else if (c < 0 || c >= this.levels.size()) {
                throw new IllegalArgumentException("column '" + name + "' has code " + c + " out of range");
            } else if (first < 0) {
                first = c;
            } else if (c != first) {
                same = false;
            }
        }
        this.missing = n;
        this.constant = first >= 0 && same;
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public ColumnType type() {
        return ColumnType.CATEGORICAL;
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
        return constant;
    }

    /** Number of distinct non-empty values. */
    public int distinct() {
        return levels.size();
    }

    /** Distinct values, unmodifiable; index = code. */
    public List<String> levels() {
        return levels;
    }

    /** Code at {@code row} (0-based); {@code -1} if missing. */
    public int code(int row) {
        return codes.get(row);
    }

    /** Text at {@code row}, {@code null} if missing. */
    public String value(int row) {
        int c = codes.get(row);
        return c < 0 ? null : levels.get(c);
    }

    /** A copy of all codes. */
    public int[] codes() {
        int[] out = new int[size];
        codes.get(0, out);
        return out;
    }

    /** A copy of the codes at {@code rows} (in that order; repeats allowed). */
    public int[] gather(int[] rows) {
        int[] out = new int[rows.length];
        for (int i = 0; i < rows.length; i++) out[i] = codes.get(rows[i]);
        return out;
    }

    /** The codes (absolute reads only), never exposed outside the package. */
    IntBuffer rawCodes() {
        return codes;
    }
}
