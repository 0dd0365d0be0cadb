package dev.bnserve.data;

import java.util.List;

/**
 * A dataset could not be built from the input. Carries every problem found (at most
 * {@link CsvParser#MAX_ERRORS}); {@link #tooLarge()} tells a configured limit apart from malformed input.
 */
public class DatasetException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    private final transient List<DatasetError> errors;
    private final boolean tooLarge;

    public DatasetException(List<DatasetError> errors, boolean tooLarge) {
        super(summary(errors));
        this.errors = List.copyOf(errors);
        this.tooLarge = tooLarge;
    }

    public List<DatasetError> errors() {
        return errors;
    }

    /** True when the input broke a size limit (bytes, rows, columns) rather than being malformed. */
    public boolean tooLarge() {
        return tooLarge;
    }

    private static String summary(List<DatasetError> errors) {
        if (errors.isEmpty()) {
            return "invalid dataset";
        }
        DatasetError first = errors.get(0);
        String where = first.row() == null ? "" : "line " + first.row() + ": ";
        String more = errors.size() > 1 ? " (and " + (errors.size() - 1) + " more)" : "";
        return where + first.message() + more;
    }
}
