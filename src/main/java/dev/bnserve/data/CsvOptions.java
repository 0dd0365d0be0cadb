package dev.bnserve.data;

import dev.bnserve.problem.Problem;
import dev.bnserve.problem.Violation;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * How to read an upload: the delimiter (detected from the header unless set) and the cell texts that mean a missing
 * value. Immutable; the {@code with…} methods take the text a client sent and the name of the request field it came
 * in, so a bad value is a {@link Problem} naming that field.
 *
 * <p><b>Delimiter detection</b>: among {@link #DELIMITERS} ({@code ,} {@code ;} tab {@code |}), the one occurring
 * most often outside double quotes in the header (the first non-empty line); a tie for the most, or none at all,
 * means comma.
 */
public final class CsvOptions {

    /** The delimiters a file may use, in the order of preference for detection ties: comma first. */
    public static final List<Character> DELIMITERS = List.of(',', ';', '\t', '|');

    /** Missing-value tokens unless a client names its own; the blank cell is always missing too. */
    public static final List<String> DEFAULT_MISSING_TOKENS = List.of("NA", "N/A", "NaN", "null", "None");

    /** Longest missing-value list a client may send. */
    public static final int MAX_MISSING_TOKENS = 100;

    /** Longest missing-value token, in characters. */
    public static final int MAX_TOKEN_CHARS = 100;

    private static final CsvOptions DEFAULTS = new CsvOptions(null, null, MissingTokens.DEFAULT);

    private final Character delimiter;
    private final String delimiterField;
    private final MissingTokens missing;

    private CsvOptions(Character delimiter, String delimiterField, MissingTokens missing) {
        this.delimiter = delimiter;
        this.delimiterField = delimiterField;
        this.missing = missing;
    }

    /** Detected delimiter, {@link #DEFAULT_MISSING_TOKENS}. */
    public static CsvOptions defaults() {
        return DEFAULTS;
    }

    /**
     * Sets the delimiter from its spelling: {@code ,} {@code ;} {@code |}, or tab as a tab character, {@code \t} or
     * {@code tab} (any case). Null leaves the options unchanged.
     *
     * @param field the request field the value came from, named in problems
     * @throws Problem (malformed) naming {@code field} for any other value
     */
    public CsvOptions withDelimiter(String spelled, String field) {
        if (spelled == null) {
            return this;
        }
        Character d = null;
        if (spelled.length() == 1 && DELIMITERS.contains(spelled.charAt(0))) {
            d = spelled.charAt(0);
        } else if (spelled.equals("\\t") || spelled.toLowerCase(Locale.ROOT).equals("tab")) {
            d = '\t';
        }
        if (d == null) {
            throw Problem.malformed(
                    "Unknown delimiter '" + Problem.shown(spelled) + "' in '" + field + "'; use one of , ; | or tab"
                            + " (\\t, %09 or the word tab), or leave it out to detect it from the header.",
                    Violation.field(field, "unknown delimiter '" + Problem.shown(spelled) + "'; use , ; | or tab"));
        }
        return withDelimiter(d, field);
    }

    /**
     * Sets the delimiter.
     *
     * @param field the request field that set it, named in problems (e.g. when the header then has one column)
     * @throws IllegalArgumentException if {@code delimiter} is not one of {@link #DELIMITERS}
     */
    public CsvOptions withDelimiter(char delimiter, String field) {
        if (!DELIMITERS.contains(delimiter)) {
            throw new IllegalArgumentException("unsupported delimiter " + (int) delimiter);
        }
        return new CsvOptions(delimiter, field, missing);
    }

    /**
     * Replaces the missing-value tokens by a comma-separated list ({@code ?,-,missing}); tokens are trimmed and
     * compared ignoring case, blanks are dropped, the blank cell stays missing. An empty list leaves only the blank
     * cell missing; null leaves the options unchanged.
     *
     * @throws Problem (malformed) naming {@code field} for more than {@value #MAX_MISSING_TOKENS} tokens or one
     *     longer than {@value #MAX_TOKEN_CHARS} characters
     */
    public CsvOptions withMissingTokens(String commaSeparated, String field) {
        if (commaSeparated == null) {
            return this;
        }
        List<String> tokens = new ArrayList<>();
        for (String t : commaSeparated.split(",", -1)) {
            String token = t.strip();
            if (token.length() > MAX_TOKEN_CHARS) {
                throw Problem.malformed(
                        "A missing-value token in '" + field + "' is longer than " + MAX_TOKEN_CHARS + " characters.",
                        Violation.field(field, "tokens must be at most " + MAX_TOKEN_CHARS + " characters"));
            }
            if (!token.isEmpty()) {
                tokens.add(token);
            }
        }
        if (tokens.size() > MAX_MISSING_TOKENS) {
            throw Problem.malformed(
                    "'" + field + "' lists " + tokens.size() + " missing-value tokens; the limit is "
                            + MAX_MISSING_TOKENS + ".",
                    Violation.field(field, "at most " + MAX_MISSING_TOKENS + " tokens"));
        }
        return withMissingTokens(tokens);
    }

    /** Replaces the missing-value tokens (trimmed, compared ignoring case); the blank cell stays missing. */
    public CsvOptions withMissingTokens(List<String> tokens) {
        return new CsvOptions(delimiter, delimiterField, MissingTokens.of(tokens));
    }

    /** The delimiter set explicitly; empty when it is detected. */
    public Optional<Character> delimiter() {
        return Optional.ofNullable(delimiter);
    }

    /** The missing-value tokens besides the blank cell. */
    public List<String> missingTokens() {
        return missing.tokens();
    }

    MissingTokens missing() {
        return missing;
    }

    String delimiterField() {
        return delimiterField;
    }

    /** The detected delimiter for per-candidate counts in the order of {@link #DELIMITERS}. */
    static char detect(int[] counts) {
        int best = 0;
        boolean tie = false;
        for (int k = 1; k < counts.length; k++) {
            if (counts[k] > counts[best]) {
                best = k;
                tie = false;
            } else if (counts[k] == counts[best]) {
                tie = true;
            }
        }
        return tie || counts[best] == 0 ? ',' : DELIMITERS.get(best);
    }

    /** How a delimiter is written in messages. */
    static String spelled(char d) {
        return d == '\t' ? "tab" : "'" + d + "'";
    }
}
