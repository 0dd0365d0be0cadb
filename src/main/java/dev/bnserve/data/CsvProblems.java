package dev.bnserve.data;

import dev.bnserve.problem.Problem;
import dev.bnserve.problem.Violation;
import java.util.List;

/** The problems an upload can have, phrased once for every caller. */
final class CsvProblems {
    private CsvProblems() {}

    /**
     * {@code errors} found in a file ({@link CsvParser#MAX_ERRORS} at most): malformed input is an "invalid-csv"
     * problem listing them; a broken size limit (the last error) is a too-large problem naming the limit, and lists
     * the errors found before it.
     */
    static Problem of(List<Violation> errors, boolean tooLarge) {
        if (tooLarge) {
            Violation limit = errors.get(errors.size() - 1);
            return Problem.tooLarge(capitalize(limit.message()) + ".", errors.toArray(Violation[]::new));
        }
        int n = errors.size();
        String detail = "The CSV file is invalid: " + (n == 1 ? "1 problem" : n + " problems") + " found"
                + (n >= CsvParser.MAX_ERRORS ? " (stopped looking after " + n + ")" : "") + "; see 'errors'.";
        return new Problem(Problem.Kind.MALFORMED, "invalid-csv", "Invalid CSV", detail, errors);
    }

    private static String capitalize(String s) {
        return s.isEmpty() ? s : Character.toUpperCase(s.charAt(0)) + s.substring(1);
    }
}
