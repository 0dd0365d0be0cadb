package dev.bnserve.data;

import dev.bnserve.problem.Problem;
import dev.bnserve.problem.Violation;
import java.io.IOException;
import java.io.Reader;
import java.util.ArrayList;
import java.util.List;

/**
 * A CSV read record by record, for scoring a file row by row without building a dataset: the header, then each
 * record's fields as strings, with the same tokenizer, delimiter detection and missing tokens as uploads. A
 * malformed record, or one whose arity differs from the header's, is a malformed problem naming its line.
 */
public final class CsvRows {
    private static final char[] CANDIDATES = {',', ';', '\t', '|'};
    private final CsvTokenizer tokens;
    private final List<String> header;

    private CsvRows(CsvTokenizer tokens, List<String> header) {
        this.tokens = tokens;
        this.header = header;
    }

    /** Reads the header of {@code in}; the delimiter is detected from it as for uploads. */
    public static CsvRows open(Reader in, int maxFieldChars) throws IOException {
        CsvTokenizer t = new CsvTokenizer(
                in,
                (line, field, message) -> {
                    throw fail(line, field, message);
                },
                maxFieldChars,
                "UTF-8");
        int[] counts = t.countInHeader(CANDIDATES);
        int best = 0;
        for (int k = 1; k < counts.length; k++) if (counts[k] > counts[best]) best = k;
        t.delimiter(CANDIDATES[best]);
        int n;
        try {
            n = t.next();
        } catch (CsvTokenizer.Fatal e) {
            throw fail(e.line, e.field, e.getMessage());
        }
        if (n < 0) throw Problem.malformed("The CSV is empty; its first line must be a header naming the columns.");
        List<String> header = new ArrayList<>(n);
        for (int i = 0; i < n; i++) header.add(t.field(i).strip());
        return new CsvRows(t, List.copyOf(header));
    }

    public List<String> header() {
        return header;
    }

    /** Reads the next record; false at the end. Its fields are {@link #field}. */
    public boolean next() throws IOException {
        int n;
        try {
            n = tokens.next();
        } catch (CsvTokenizer.Fatal e) {
            throw fail(e.line, e.field, e.getMessage());
        }
        if (n < 0) return false;
        if (n != header.size()) {
            throw malformed(line(), null, "line " + line() + " has " + n + " fields, the header has " + header.size());
        }
        return true;
    }

    /** Field {@code i} of the current record. */
    public String field(int i) {
        return tokens.field(i);
    }

    /** The 1-based line the current record starts on. */
    public int line() {
        return tokens.recordLine();
    }

    /** Whether {@code cell} is missing (empty, NA, N/A, NaN, null, None), as at upload. */
    public static boolean isMissing(String cell) {
        return cell.isEmpty() || MissingTokens.DEFAULT.matches(cell);
    }

    /** A problem with a cell: malformed, naming its line and column. */
    public static Problem malformed(int line, String column, String message) {
        return new Problem(
                Problem.Kind.MALFORMED,
                "invalid-csv",
                "Invalid CSV",
                "The CSV is invalid at line " + line + ": " + message + ".",
                List.of(Violation.cell(line, column, message)));
    }

    private static Problem fail(int line, int field, String message) {
        return malformed(line, String.valueOf(field + 1), message);
    }
}
