package dev.bnserve.data;

import dev.bnserve.prep.IsoDates;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.time.Instant;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Accumulates one column while parsing, in primitive arrays.
 *
 * <p>Missing cells (blank, or a {@link MissingTokens} token) are {@code NaN} or code {@code -1} in every mode. A
 * column starts numeric and stays so while every non-missing cell is a number. If its first non-missing cell is an
 * ISO date or date-time ({@link IsoDates}), it turns date and stays so while every cell is one; dates are held as
 * epoch seconds in the same array. Any other text turns it categorical. To be able to do that later without a
 * second pass, the exact text of each cell must stay recoverable. Plain
 * decimals of at most 15 digits ({@code -?(0|[1-9]\d*)(\.\d+)?}, the overwhelmingly common case) are rebuilt
 * from the double and their number of fraction digits (one byte per cell); any other spelling ({@code 1e5},
 * {@code +1}, {@code 007}, {@code -0}, long digit strings, surrounding blanks, non-finite literals) is kept
 * verbatim in a compact side buffer. Dates in their canonical spelling ({@code 2012-01-01},
 * {@code 2012-01-01T13:00:00Z}) are rebuilt from the value; other spellings go to the side buffer too.
 */
final class ColumnBuilder {

    private static final int PLAIN_MAX_DIGITS = 15;
    private static final byte NO_SCALE = -1;
    /** Marks a canonical date ({@code 2012-01-01}) in {@code scales} while in date mode. */
    private static final byte CANONICAL_DATE = 0;
    /** Marks a canonical date-time ({@code 2012-01-01T13:00:00Z}) in {@code scales} while in date mode. */
    private static final byte CANONICAL_DATE_TIME = 1;

    final String name;
    private final MissingTokens missingTokens;
    private int size;
    private int numbers; // finite numbers seen while numeric

    // numeric state
    private double[] values = new double[16];
    private byte[] scales = new byte[16];
    private int[] exRows = new int[4];
    private int[] exEnds = new int[4];
    private int exCount;
    private StringBuilder exText = new StringBuilder();
    private int nonFinite;
    private int nonFiniteLine;
    private String nonFiniteText;

    // text cells holding a control character other than tab, CR and LF (NUL included): refused by the parser
    private int controls;
    private int controlLine;
    private String controlText;

    // date state (values hold epoch seconds, scales a CANONICAL_* marker)
    private boolean dates;
    private boolean hasTime;
    private final IsoDates.Parsed parsed = new IsoDates.Parsed();

    // categorical state (after the first non-numeric cell)
    private boolean categorical;
    private Map<String, Integer> dict;
    private List<String> levels;
    private int[] codes;

    ColumnBuilder(String name, MissingTokens missingTokens) {
        this.name = name;
        this.missingTokens = missingTokens;
    }

    boolean isCategorical() {
        return categorical;
    }

    /** Number of non-finite literals ({@code NaN}, {@code Infinity}, overflow) while the column is numeric. */
    int nonFinite() {
        return nonFinite;
    }

    int nonFiniteLine() {
        return nonFiniteLine;
    }

    String nonFiniteText() {
        return nonFiniteText;
    }

    /** Distinct text cells holding a control character other than tab, CR and LF (NUL included). */
    int controls() {
        return controls;
    }

    int controlLine() {
        return controlLine;
    }

    String controlText() {
        return controlText;
    }

    /**
     * Index of the first control character in {@code text} other than tab, CR and LF (which a quoted cell may hold),
     * else -1: such a cell cannot be typed in a request, so a model trained on it could never be asked about it, and
     * NUL is how binary files show.
     */
    static int controlAt(CharSequence text) {
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (Character.isISOControl(c) && c != '\t' && c != '\n' && c != '\r') return i;
        }
        return -1;
    }

    /** Still numeric: neither date nor categorical. */
    boolean isNumeric() {
        return !categorical && !dates;
    }

    /**
     * As {@link #add} for a missing cell (blank, or a missing token).
     */
    void addMissing() {
        if (categorical) {
            addCode(-1);
        } else {
            addNumber(Double.NaN, NO_SCALE);
        }
    }

    /**
     * As {@link #add} for the plain decimal (see the class comment; never {@code -0}) that {@code value} and
     * {@code scale} (its number of fraction digits) spell: what the byte-level reader hands over without a string.
     */
    void addPlain(double value, int scale, int line) {
        if (isNumeric()) {
            addNumber(value, (byte) scale);
            numbers++;
        } else {
            add(plainText(value, scale), line);
        }
    }

    /**
     * Appends {@code n} cells at once while {@link #isNumeric()}: plain decimals as in {@link #addPlain} and missing
     * cells ({@code NaN} with scale -1), {@code finite} of them numbers.
     */
    void addPlainBlock(double[] v, byte[] s, int n, int finite) {
        if (!isNumeric()) {
            throw new IllegalStateException("column '" + name + "' is no longer numeric");
        }
        if (size + n > values.length) {
            int cap = Math.max(grow(size), size + n);
            values = Arrays.copyOf(values, cap);
            scales = Arrays.copyOf(scales, cap);
        }
        System.arraycopy(v, 0, values, size, n);
        System.arraycopy(s, 0, scales, size, n);
        size += n;
        numbers += finite;
    }

    /**
     * While {@link #isCategorical()}: the code {@link #add} gives {@code cell} ({@code -1} for a missing one),
     * registering a new level as it would. Lets the reader add a repeated text by its code.
     */
    int categoricalCode(String cell, int line) {
        if (cell.isEmpty() || missingTokens.matches(cell)) {
            return -1;
        }
        return code(cell, line);
    }

    /** While {@link #isCategorical()}: appends a code from {@link #categoricalCode}. */
    void addCategoricalCode(int code) {
        addCode(code);
    }

    /** Reserves room for {@code rows} cells in all (an estimate from the upload's size; never shrinks). */
    void reserve(int rows) {
        if (isNumeric() && rows > values.length) {
            values = Arrays.copyOf(values, rows);
            scales = Arrays.copyOf(scales, rows);
        }
    }

    /** The text of a plain decimal: what {@link #toCategorical} rebuilds. */
    static String plainText(double value, int scale) {
        return new BigDecimal(value).setScale(scale, RoundingMode.HALF_EVEN).toPlainString();
    }

    void add(String cell, int line) {
        if (cell.isEmpty() || missingTokens.matches(cell)) {
            if (categorical) {
                addCode(-1);
            } else {
                addNumber(Double.NaN, NO_SCALE);
            }
            return;
        }
        if (categorical) {
            addCode(code(cell, line));
            return;
        }
        if (dates) {
            if (IsoDates.parse(cell, parsed)) {
                addDate(cell);
            } else {
                toCategorical();
                addCode(code(cell, line));
            }
            return;
        }
        if (!numberLike(cell)) {
            if (isNonFiniteLiteral(cell)) {
                addNonFinite(cell, line);
            } else {
                notANumber(cell, line);
            }
            return;
        }
        double v;
        try {
            v = Double.parseDouble(cell);
        } catch (NumberFormatException e) {
            notANumber(cell, line); // e.g. 2012-01-01
            return;
        }
        if (!Double.isFinite(v)) { // e.g. 1e999
            addNonFinite(cell, line);
            return;
        }
        int scale = plainScale(cell);
        if (scale < 0 || (v == 0 && cell.charAt(0) == '-')) {
            addException(size, cell);
            scale = NO_SCALE;
        }
        addNumber(v, (byte) scale);
        numbers++;
    }

    /** A numeric column meets text: a date column if nothing but missing cells came before, else categorical. */
    private void notANumber(String cell, int line) {
        if (numbers == 0 && nonFinite == 0 && IsoDates.parse(cell, parsed)) {
            dates = true;
            addDate(cell);
        } else {
            toCategorical();
            addCode(code(cell, line));
        }
    }

    /** Adds the date just parsed into {@link #parsed}. */
    private void addDate(String cell) {
        hasTime |= parsed.hasTime;
        byte kind = parsed.hasTime ? CANONICAL_DATE_TIME : CANONICAL_DATE;
        if (!parsed.canonical) {
            addException(size, cell);
            kind = NO_SCALE;
        }
        addNumber(parsed.seconds, kind);
    }

    /** The finished column; the builder must not be used afterwards. */
    Column build() {
        if (categorical) {
            return buildCategorical();
        }
        if (nonFinite > 0) {
            throw new IllegalStateException("column '" + name + "' holds non-finite values");
        }
        if (dates) {
            DateColumn column =
                    new DateColumn(name, size == values.length ? values : Arrays.copyOf(values, size), hasTime);
            values = null;
            return column;
        }
        NumericColumn column = new NumericColumn(name, size == values.length ? values : Arrays.copyOf(values, size));
        values = null;
        return column;
    }

    private Column buildCategorical() {
        List<String> sorted = new ArrayList<>(levels);
        sorted.sort(null);
        int[] remap = new int[levels.size()];
        for (int i = 0; i < sorted.size(); i++) {
            remap[dict.get(sorted.get(i))] = i;
        }
        int[] out = new int[size];
        for (int i = 0; i < size; i++) {
            int c = codes[i];
            out[i] = c < 0 ? -1 : remap[c];
        }
        codes = null;
        return new CategoricalColumn(name, out, sorted);
    }

    private void addNonFinite(String cell, int line) {
        if (nonFinite++ == 0) {
            nonFiniteLine = line;
            nonFiniteText = cell;
        }
        addException(size, cell);
        addNumber(Double.NaN, NO_SCALE);
    }

    private void addNumber(double v, byte scale) {
        if (size == values.length) {
            int cap = grow(size);
            values = Arrays.copyOf(values, cap);
            scales = Arrays.copyOf(scales, cap);
        }
        values[size] = v;
        scales[size] = scale;
        size++;
    }

    private void addException(int row, String text) {
        if (exCount == exRows.length) {
            exRows = Arrays.copyOf(exRows, grow(exCount));
            exEnds = Arrays.copyOf(exEnds, exRows.length);
        }
        exText.append(text);
        exRows[exCount] = row;
        exEnds[exCount] = exText.length();
        exCount++;
    }

    private void addCode(int code) {
        if (size == codes.length) {
            codes = Arrays.copyOf(codes, grow(size));
        }
        codes[size++] = code;
    }

    /** The code of {@code text}, a new level if unseen ({@code line}: where it was met, for its problem). */
    private int code(String text, int line) {
        Integer c = dict.get(text);
        if (c == null) {
            if (controlAt(text) >= 0 && controls++ == 0) {
                controlLine = line;
                controlText = text;
            }
            c = levels.size();
            dict.put(text, c);
            levels.add(text);
        }
        return c;
    }

    /** Re-encodes the cells seen so far from their original text and switches to categorical mode. */
    private void toCategorical() {
        categorical = true;
        dict = new HashMap<>();
        levels = new ArrayList<>();
        codes = new int[Math.max(16, grow(size))];
        int ex = 0;
        for (int i = 0; i < size; i++) {
            String text;
            if (ex < exCount && exRows[ex] == i) {
                text = exText.substring(ex == 0 ? 0 : exEnds[ex - 1], exEnds[ex]);
                ex++;
            } else if (Double.isNaN(values[i])) {
                codes[i] = -1;
                continue;
            } else if (dates) {
                text = scales[i] == CANONICAL_DATE
                        ? LocalDate.ofEpochDay((long) values[i] / IsoDates.SECONDS_PER_DAY)
                                .toString()
                        : Instant.ofEpochSecond((long) values[i]).toString();
            } else {
                text = plainText(values[i], scales[i]);
            }
            codes[i] = code(text, 0); // numbers and dates: never a control character
        }
        values = null;
        scales = null;
        exRows = exEnds = null;
        exText = null;
        nonFinite = 0; // "Infinity" is an ordinary level of a text column
        nonFiniteText = null;
        dates = false;
        hasTime = false;
    }

    private static int grow(int n) {
        return n + (n >> 1) + 16;
    }

    /** Only characters a decimal number may contain (plus blanks, which parseDouble trims). */
    private static boolean numberLike(String s) {
        boolean digit = false;
        for (int i = 0, n = s.length(); i < n; i++) {
            char c = s.charAt(i);
            if (c >= '0' && c <= '9') {
                digit = true;
            } else if (c != '.' && c != '-' && c != '+' && c != 'e' && c != 'E' && c != ' ' && c != '\t') {
                return false;
            }
        }
        return digit;
    }

    /** NaN / Inf / Infinity with optional sign, any case. */
    static boolean isNonFiniteLiteral(String s) {
        String t = s.strip();
        if (!t.isEmpty() && (t.charAt(0) == '+' || t.charAt(0) == '-')) {
            t = t.substring(1);
        }
        return t.equalsIgnoreCase("nan") || t.equalsIgnoreCase("inf") || t.equalsIgnoreCase("infinity");
    }

    /**
     * Number of fraction digits if {@code s} is a plain decimal of at most 15 digits that
     * {@code new BigDecimal(parse(s)).setScale(scale)} reproduces exactly; otherwise -1.
     */
    static int plainScale(String s) {
        int n = s.length();
        int i = 0;
        if (i < n && s.charAt(i) == '-') {
            i++;
        }
        int intStart = i;
        while (i < n && isDigit(s.charAt(i))) {
            i++;
        }
        int intDigits = i - intStart;
        if (intDigits == 0 || (intDigits > 1 && s.charAt(intStart) == '0')) {
            return -1;
        }
        int fracDigits = 0;
        if (i < n && s.charAt(i) == '.') {
            i++;
            int fracStart = i;
            while (i < n && isDigit(s.charAt(i))) {
                i++;
            }
            fracDigits = i - fracStart;
            if (fracDigits == 0) {
                return -1;
            }
        }
        if (i != n || intDigits + fracDigits > PLAIN_MAX_DIGITS) {
            return -1;
        }
        return fracDigits;
    }

    private static boolean isDigit(char c) {
        return c >= '0' && c <= '9';
    }
}
