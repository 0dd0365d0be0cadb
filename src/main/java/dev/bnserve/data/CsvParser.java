package dev.bnserve.data;

import dev.bnserve.problem.Problem;
import dev.bnserve.problem.Violation;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.Reader;
import java.nio.charset.Charset;
import java.nio.charset.CodingErrorAction;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Streaming, single-pass CSV to {@link Dataset} parser (RFC 4180; see {@link CsvTokenizer} for the dialect).
 * The first non-empty line is the header; empty lines are skipped. The delimiter is the one the {@link CsvOptions}
 * name, else detected from the header (see there). Values go straight into per-column primitive arrays (see
 * {@link ColumnBuilder}); no per-cell objects are retained.
 *
 * <p>Blank cells and the missing-value tokens ({@link CsvOptions#DEFAULT_MISSING_TOKENS} unless replaced:
 * {@code NA}, {@code N/A}, {@code NaN}, {@code null}, {@code None}, trimmed, any case) are missing values in every
 * column (counted, not rejected). A column is numeric if every other cell is a finite number, date if every other
 * cell is an ISO-8601 date or date-time ({@link DateColumn}), otherwise categorical with sorted levels. A column
 * without any value is numeric. {@code Infinity} literals (and {@code NaN} when it is no missing token) in an
 * otherwise numeric column are rejected. Problems are collected (up to {@link #MAX_ERRORS}) and thrown together
 * as a {@link Problem}. Instances are immutable and thread-safe.
 */
public final class CsvParser {

    /** Parsing stops once this many problems were found. */
    public static final int MAX_ERRORS = 20;
    /** Longest accepted field, in characters. */
    public static final int MAX_FIELD_CHARS = 1 << 20;

    private static final char[] CANDIDATES = new char[CsvOptions.DELIMITERS.size()];

    static {
        for (int k = 0; k < CANDIDATES.length; k++) {
            CANDIDATES[k] = CsvOptions.DELIMITERS.get(k);
        }
    }

    private final CsvLimits limits;

    public CsvParser(CsvLimits limits) {
        this.limits = limits;
    }

    /**
     * Parses bytes in {@code charset} (a UTF-8 BOM is skipped; undecodable bytes are an error naming their
     * line and column), counting bytes
     * against {@link CsvLimits#maxBytes()}. Does not close the stream.
     *
     * @throws Problem for malformed input or a broken limit
     * @throws IOException      if reading fails
     */
    public Dataset parse(InputStream in, Charset charset, String name) throws IOException {
        return parse(in, charset, name, CsvOptions.defaults());
    }

    /**
     * Like {@link #parse(InputStream, Charset, String)}, reading as {@code options} say.
     *
     * @throws Problem for malformed input, a broken limit, or an explicit delimiter that leaves the header one column
     *     while it holds another candidate delimiter (naming the options' delimiter field)
     */
    public Dataset parse(InputStream in, Charset charset, String name, CsvOptions options) throws IOException {
        CountingInputStream counted = new CountingInputStream(in, limits.maxBytes());
        // Undecodable bytes become a marker the tokenizer reports with its exact line and column.
        Reader reader = new InputStreamReader(
                counted,
                charset.newDecoder()
                        .onMalformedInput(CodingErrorAction.REPLACE)
                        .onUnmappableCharacter(CodingErrorAction.REPLACE)
                        .replaceWith(String.valueOf(CsvTokenizer.UNDECODABLE)));
        Run run = new Run(reader, charset.name(), options);
        try {
            return run.parse(name);
        } catch (CountingInputStream.LimitExceeded e) {
            throw run.fail(
                    Violation.cell(
                            null,
                            null,
                            "the upload is larger than the limit of " + limits.maxBytes()
                                    + " bytes (bnserve.limits.max-upload-bytes)"),
                    true);
        }
    }

    /** Parses characters; the byte limit does not apply. Does not close the reader. */
    public Dataset parse(Reader reader, String name) throws IOException {
        return parse(reader, name, CsvOptions.defaults());
    }

    /** Parses characters as {@code options} say; the byte limit does not apply. Does not close the reader. */
    public Dataset parse(Reader reader, String name, CsvOptions options) throws IOException {
        return new Run(reader, "Unicode", options).parse(name);
    }

    /** State of one parse. */
    private final class Run implements CsvTokenizer.ErrorSink {

        final CsvTokenizer tokenizer;
        final CsvOptions options;
        final List<Violation> errors = new ArrayList<>();
        String[] header = new String[0];

        Run(Reader reader, String charset, CsvOptions options) {
            this.tokenizer = new CsvTokenizer(reader, this, MAX_FIELD_CHARS, charset);
            this.options = options;
        }

        Dataset parse(String name) throws IOException {
            try {
                return doParse(name);
            } catch (CsvTokenizer.Fatal e) {
                throw fail(Violation.cell(e.line, columnRef(e.field), e.getMessage()), false);
            }
        }

        private Dataset doParse(String name) throws IOException {
            if (limits.maxColumns() > 0) {
                tokenizer.keep(limits.maxColumns() + 1);
            }
            int[] counts = tokenizer.countInHeader(CANDIDATES);
            char detected = CsvOptions.detect(counts);
            char delimiter = options.delimiter().orElse(detected);
            tokenizer.delimiter(delimiter);
            int width = nextNonBlank();
            if (width < 0) {
                throw fail(Violation.cell(1, null, "the file is empty; the first line must be a header"), false);
            }
            int headerLine = tokenizer.recordLine();
            if (width == 1 && options.delimiter().isPresent()) {
                checkSingleColumn(delimiter, counts);
            }
            if (limits.maxColumns() > 0 && width > limits.maxColumns()) {
                throw fail(
                        Violation.cell(
                                headerLine,
                                null,
                                "the header has " + width + " columns; the limit is " + limits.maxColumns()
                                        + " (bnserve.limits.max-columns)"),
                        true);
            }
            header = readHeader(width, headerLine);
            tokenizer.keep(width);
            ColumnBuilder[] builders = new ColumnBuilder[width];
            for (int i = 0; i < width; i++) {
                builders[i] = new ColumnBuilder(header[i], options.missing());
            }
            int rows = 0;
            int n;
            while ((n = nextNonBlank()) >= 0) {
                int line = tokenizer.recordLine();
                if (n != width) {
                    error(
                            line,
                            null,
                            "row " + line + " has " + n + " field" + (n == 1 ? "" : "s") + ", header has " + width);
                    continue;
                }
                if (++rows > limits.maxRows() && limits.maxRows() > 0) {
                    throw fail(
                            Violation.cell(
                                    line,
                                    null,
                                    "more than " + limits.maxRows() + " data rows; the limit is " + limits.maxRows()
                                            + " (bnserve.limits.max-rows)"),
                            true);
                }
                for (int i = 0; i < width; i++) {
                    builders[i].add(tokenizer.field(i), line);
                }
            }
            if (rows == 0 && errors.isEmpty()) {
                error(headerLine + 1, null, "the file has a header but no data rows");
            }
            for (ColumnBuilder b : builders) {
                if (!b.isCategorical() && b.nonFinite() > 0) {
                    error(
                            b.nonFiniteLine(),
                            b.name,
                            "'" + b.nonFiniteText() + "' is not a finite number"
                                    + (b.nonFinite() > 1 ? " (" + b.nonFinite() + " such cells in this column)" : "")
                                    + "; leave the cell empty"
                                    + (options.missing().contains("NA") ? " or write NA" : "")
                                    + " for a missing value");
                }
            }
            if (!errors.isEmpty()) {
                throw CsvProblems.of(errors, false);
            }
            List<Column> columns = new ArrayList<>(width);
            for (int i = 0; i < width; i++) {
                columns.add(builders[i].build());
                builders[i] = null;
            }
            return new Dataset(DatasetIds.newId(), name, Instant.now(), columns, delimiter);
        }

        /** An explicit delimiter left the header one column although it holds another candidate: say which. */
        private void checkSingleColumn(char delimiter, int[] counts) {
            StringBuilder found = new StringBuilder();
            for (int k = 0; k < counts.length; k++) {
                if (counts[k] > 0 && CANDIDATES[k] != delimiter) {
                    found.append(found.length() == 0 ? "" : ", ").append(CsvOptions.spelled(CANDIDATES[k]));
                }
            }
            if (found.length() == 0) {
                return;
            }
            char suggested = mostFrequentOther(counts, delimiter);
            String field = options.delimiterField() == null ? "delimiter" : options.delimiterField();
            throw Problem.malformed(
                    "With the delimiter " + CsvOptions.spelled(delimiter) + " the header is a single column, but it"
                            + " contains " + found + "; the file looks " + CsvOptions.spelled(suggested)
                            + "-separated: send delimiter=" + (suggested == '\t' ? "tab" : String.valueOf(suggested))
                            + " or leave the delimiter out to detect it.",
                    Violation.field(
                            field,
                            "the header has one column with delimiter " + CsvOptions.spelled(delimiter) + "; detected "
                                    + CsvOptions.spelled(suggested)));
        }

        /** The candidate other than {@code delimiter} seen most often (the first of equals). */
        private char mostFrequentOther(int[] counts, char delimiter) {
            int best = -1;
            for (int k = 0; k < counts.length; k++) {
                if (CANDIDATES[k] != delimiter && (best < 0 || counts[k] > counts[best])) {
                    best = k;
                }
            }
            return CANDIDATES[best];
        }

        private String[] readHeader(int width, int line) {
            String[] names = new String[width];
            Map<String, Integer> seen = new HashMap<>();
            for (int i = 0; i < width; i++) {
                String h = tokenizer.field(i).strip();
                names[i] = h;
                if (h.isEmpty()) {
                    error(line, String.valueOf(i + 1), "column " + (i + 1) + " has an empty name");
                    continue;
                }
                int bad = unprintable(h);
                if (bad >= 0) {
                    error(
                            line,
                            String.valueOf(i + 1),
                            "column " + (i + 1) + "'s name holds " + spelledChar(h.charAt(bad)) + " at position "
                                    + (bad + 1) + "; names must be printable text");
                    continue;
                }
                Integer first = seen.putIfAbsent(h, i + 1);
                if (first != null) {
                    error(
                            line,
                            String.valueOf(i + 1),
                            "duplicate column name '" + h + "' (columns " + first + " and " + (i + 1) + ")");
                }
            }
            if (!errors.isEmpty()) {
                throw CsvProblems.of(errors, false);
            }
            return names;
        }

        /**
         * The first control character (NUL included) or byte-order mark in a column name, else -1: such a name
         * cannot be typed in a request, and a second BOM (a file concatenated with another) would hide in it.
         */
        private static int unprintable(String name) {
            for (int i = 0; i < name.length(); i++) {
                char c = name.charAt(i);
                if (Character.isISOControl(c) || c == '\uFEFF') return i;
            }
            return -1;
        }

        private static String spelledChar(char c) {
            return c == '\uFEFF'
                    ? "a byte-order mark (U+FEFF)"
                    : String.format("the control character U+%04X", (int) c);
        }

        private int nextNonBlank() throws IOException {
            int n;
            do {
                n = tokenizer.next();
            } while (n >= 0 && tokenizer.blank());
            return n;
        }

        @Override
        public void error(int line, int field, String message) {
            error(line, columnRef(field), message);
        }

        void error(Integer line, String column, String message) {
            errors.add(Violation.cell(line, column, message));
            if (errors.size() >= MAX_ERRORS) {
                throw CsvProblems.of(errors, false);
            }
        }

        Problem fail(Violation error, boolean tooLarge) {
            if (errors.size() < MAX_ERRORS) {
                errors.add(error);
            }
            return CsvProblems.of(errors, tooLarge);
        }

        /** Column name when the header is known and valid, else the 1-based index. */
        String columnRef(int field) {
            return field < header.length ? header[field] : String.valueOf(field + 1);
        }
    }
}
