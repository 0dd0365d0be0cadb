package dev.bnserve.web;

import java.util.List;
import org.springframework.http.HttpStatus;

/**
 * A client-facing failure, rendered by {@link ApiExceptionHandler} as {@code application/problem+json} with
 * the given status, title, detail and (if any) {@code errors}. The detail is shown to clients verbatim, so it
 * must be written for them.
 */
public class ApiException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    private final HttpStatus status;
    private final String title;
    private final transient List<FieldError> errors;

    public ApiException(HttpStatus status, String title, String detail, List<FieldError> errors) {
        super(detail);
        this.status = status;
        this.title = title;
        this.errors = List.copyOf(errors);
    }

    public ApiException(HttpStatus status, String title, String detail) {
        this(status, title, detail, List.of());
    }

    /** 400 with the standard title. */
    public static ApiException badRequest(String detail, FieldError... errors) {
        return new ApiException(HttpStatus.BAD_REQUEST, "Bad Request", detail, List.of(errors));
    }

    /** 404 for a missing resource, e.g. {@code notFound("dataset", id)}; an absurdly long id is shown cut short. */
    public static ApiException notFound(String kind, String id) {
        return new ApiException(HttpStatus.NOT_FOUND, "Not Found", "No " + kind + " with id '" + shown(id) + "'.");
    }

    /** 413 with the standard title. */
    public static ApiException tooLarge(String detail) {
        return new ApiException(HttpStatus.CONTENT_TOO_LARGE, "Content Too Large", detail);
    }

    /** 413 for an upload over {@code bnserve.limits.max-upload-bytes}. */
    public static ApiException uploadTooLarge(long maxBytes) {
        return tooLarge(
                "The upload is larger than the limit of " + maxBytes + " bytes (bnserve.limits.max-upload-bytes).");
    }

    /** A client-supplied string as shown in messages: at most 64 characters, then an ellipsis. */
    public static String shown(String s) {
        return s.length() > 64 ? s.substring(0, 64) + "…" : s;
    }

    public HttpStatus status() {
        return status;
    }

    public String title() {
        return title;
    }

    /** The client-facing detail (same as {@link #getMessage()}). */
    public String detail() {
        return getMessage();
    }

    public List<FieldError> errors() {
        return errors;
    }
}
