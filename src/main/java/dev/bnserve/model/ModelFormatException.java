package dev.bnserve.model;

/** A model document that cannot be read: names the JSON field at fault. */
public class ModelFormatException extends RuntimeException {
    private static final long serialVersionUID = 1L;
    private final String field;

    public ModelFormatException(String field, String message) {
        super(message);
        this.field = field;
    }

    public String field() {
        return field;
    }
}
