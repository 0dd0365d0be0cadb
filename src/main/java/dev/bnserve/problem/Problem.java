package dev.bnserve.problem;

import java.util.List;

/**
 * What went wrong, in domain terms: a {@link Kind}, a detail written for the client, the {@link Violation}s that
 * locate it, and for problems with a meaning of their own a {@code type} slug and title (e.g. {@code invalid-csv},
 * "Invalid CSV"). No HTTP here: the web layer maps each kind to a status and the slug to a problem type URI.
 *
 * <p>The detail and violations are shown to clients verbatim, so they never carry internals.
 */
public final class Problem extends RuntimeException {
    private static final long serialVersionUID = 1L;

    /** At most this many violations are kept: a request with a million bad values gets a bounded answer. */
    public static final int MAX_VIOLATIONS = 100;

    /** The class of failure; each maps to one HTTP status in the web layer. */
    public enum Kind {
        /** The request cannot be read: wrong JSON types, a missing body, an unreadable file. */
        MALFORMED,
        /** The request is readable but breaks a rule: an unknown column, a value out of range. */
        INVALID,
        /** The referenced resource does not exist. */
        NOT_FOUND,
        /** The resource's state does not allow it (a model still training, an ambiguous name). */
        CONFLICT,
        /** A configured size limit is exceeded. */
        TOO_LARGE,
        /** The body's media type is not one this operation reads. */
        UNSUPPORTED_MEDIA_TYPE,
        /** A capacity limit is reached for now (the training queue); retrying later may succeed. */
        BUSY,
        /** Something this service depends on is unavailable (a read-only data dir, a database down). */
        UNAVAILABLE,
        /** The data dir (or the storage quota) is full: nothing was changed. */
        STORAGE_FULL,
        /** A bug or an unexpected failure: nothing about it is shown to the client. */
        INTERNAL;

        /** Whether the client can fix it (or wait for it, when busy); unavailable and internal are this side's. */
        public boolean clientError() {
            return this != UNAVAILABLE && this != STORAGE_FULL && this != INTERNAL;
        }
    }

    private final Kind kind;
    private final String type;
    private final String title;
    private final transient List<Violation> violations;

    /**
     * @param type  a slug naming the problem type ({@code [a-z-]+}), or null for a problem that means no more than its
     *     kind (the web layer then sends {@code about:blank} and the status phrase, as RFC 9457 §4.2.1 requires)
     * @param title a short summary of the type, or null with a null type
     */
    public Problem(Kind kind, String type, String title, String detail, List<Violation> violations) {
        super(detail, null, false, false); // a domain outcome, not a bug: no stack trace to fill
        if ((type == null) != (title == null)) throw new IllegalArgumentException("a problem type needs its title");
        this.kind = kind;
        this.type = type;
        this.title = title;
        this.violations =
                List.copyOf(violations.size() > MAX_VIOLATIONS ? violations.subList(0, MAX_VIOLATIONS) : violations);
    }

    /** The request cannot be read. */
    public static Problem malformed(String detail, Violation... violations) {
        return new Problem(Kind.MALFORMED, null, null, detail, List.of(violations));
    }

    /** The request cannot be read, for several located reasons. */
    public static Problem malformed(String detail, List<Violation> violations) {
        return new Problem(Kind.MALFORMED, null, null, detail, violations);
    }

    /** A rule is broken; {@code type}/{@code title} name which kind of request, e.g. "invalid-training-request". */
    public static Problem invalid(String type, String title, String detail, List<Violation> violations) {
        return new Problem(Kind.INVALID, type, title, detail, violations);
    }

    /** No {@code what} with {@code id}; an absurdly long id is shown cut short. */
    public static Problem notFound(String what, String id) {
        return new Problem(Kind.NOT_FOUND, null, null, "No " + what + " with id '" + shown(id) + "'.", List.of());
    }

    /** Nothing answers to what the client named; {@code detail} says what was looked for. */
    public static Problem notFound(String detail) {
        return new Problem(Kind.NOT_FOUND, null, null, detail, List.of());
    }

    /** The resource's state does not allow this. */
    public static Problem conflict(String type, String title, String detail) {
        return new Problem(Kind.CONFLICT, type, title, detail, List.of());
    }

    /** A size limit is exceeded; the detail names the limit. */
    public static Problem tooLarge(String detail, Violation... violations) {
        return new Problem(Kind.TOO_LARGE, null, null, detail, List.of(violations));
    }

    /** An upload over {@code bnserve.limits.max-upload-bytes}. */
    public static Problem uploadTooLarge(long maxBytes) {
        return tooLarge(
                "The upload is larger than the limit of " + maxBytes + " bytes (bnserve.limits.max-upload-bytes).");
    }

    /** A capacity limit is reached for now. */
    public static Problem busy(String detail) {
        return new Problem(Kind.BUSY, null, null, detail, List.of());
    }

    /** A client-supplied string as shown in messages: at most 64 characters, then an ellipsis. */
    public static String shown(String s) {
        return s.length() > 64 ? s.substring(0, 64) + "…" : s;
    }

    public Kind kind() {
        return kind;
    }

    /** The problem type's slug, or null for a plain problem of its kind. */
    public String type() {
        return type;
    }

    /** The problem type's title, or null for a plain problem of its kind. */
    public String title() {
        return title;
    }

    /** The client-facing detail (same as {@link #getMessage()}). */
    public String detail() {
        return getMessage();
    }

    public List<Violation> violations() {
        return violations;
    }
}
