package dev.bnserve.web;

import dev.bnserve.problem.Violation;
import java.util.Collection;
import java.util.Map;
import java.util.Optional;
import org.springframework.http.converter.HttpMessageNotReadableException;
import tools.jackson.core.JacksonException;
import tools.jackson.core.TokenStreamLocation;
import tools.jackson.core.exc.StreamReadException;
import tools.jackson.core.exc.UnexpectedEndOfInputException;
import tools.jackson.databind.exc.MismatchedInputException;
import tools.jackson.databind.exc.PropertyBindingException;

/** Turns an unreadable request body into a message a person can act on, without Java type names. */
final class JsonErrors {

    private JsonErrors() {}

    /** What an empty body is told, by the controllers and by {@link PredictFastPath}. */
    static final String MISSING_BODY = "The request body is missing.";

    /**
     * Jackson's message without source locations, hints about parser features or the names of its Java methods
     * (such as {@code StreamReadConstraints.getMaxNestingDepth()} or {@code ALLOW_COMMENTS}), which mean nothing
     * to a client and tell an attacker which library parses.
     */
    static String readable(String message) {
        String m = message == null ? "unreadable" : message;
        for (String cut :
                new String[] {"\n", " (start marker", ": enable `", " at [Source", " (not recognized as one since"}) {
            int i = m.indexOf(cut);
            if (i > 0) m = m.substring(0, i);
        }
        m = m.replaceAll(", from `[^`]*`", "") // "... maximum allowed (1000, from `StreamReadConstraints...`)"
                .replaceAll("`[^`]*`", "") // any other code reference
                .replaceAll("\\s*(JsonReadFeature|StreamReadFeature|Feature)\\s*'?[A-Z_]+'?", "")
                .strip();
        return m.isEmpty() ? "unreadable" : m;
    }

    /** Client-facing description of the problem, plus the offending field if known. */
    record Explanation(String detail, Optional<Violation> error) {}

    static Explanation explain(HttpMessageNotReadableException ex) {
        Throwable cause = ex.getCause();
        if (!(cause instanceof JacksonException jackson)) {
            String message = String.valueOf(ex.getMessage());
            if (message.startsWith("Required request body is missing")) {
                return new Explanation(MISSING_BODY, Optional.empty());
            }
            return new Explanation("The request body could not be read.", Optional.empty());
        }
        String path = path(jackson);
        if (jackson instanceof UnexpectedEndOfInputException) {
            return new Explanation("The JSON body ends unexpectedly" + location(jackson) + ".", Optional.empty());
        }
        if (jackson instanceof StreamReadException) {
            return new Explanation("The body is not valid JSON" + location(jackson) + ".", Optional.empty());
        }
        String message;
        if (jackson instanceof PropertyBindingException binding) {
            message = "unknown property '" + binding.getPropertyName() + "'";
        } else if (jackson instanceof MismatchedInputException mismatch) {
            message = "must be " + describe(mismatch.getTargetType(), mismatch.getOriginalMessage());
        } else {
            message = "has an invalid value";
        }
        String field = path.isEmpty() ? null : path;
        String detail = field == null ? "The request body " + message + "." : "Field '" + field + "' " + message + ".";
        return new Explanation(detail, Optional.of(Violation.field(field == null ? "body" : field, message)));
    }

    private static String location(JacksonException e) {
        TokenStreamLocation loc = e.getLocation();
        if (loc == null || loc.getLineNr() < 1) {
            return "";
        }
        return " at line " + loc.getLineNr() + ", column " + loc.getColumnNr();
    }

    /** JSON path like {@code optimizer.learningRate} or {@code hidden[1]}. */
    static String path(JacksonException e) {
        StringBuilder sb = new StringBuilder();
        for (JacksonException.Reference ref : e.getPath()) {
            if (ref.getPropertyName() != null) {
                if (sb.length() > 0) {
                    sb.append('.');
                }
                sb.append(ref.getPropertyName());
            } else if (ref.getIndex() >= 0) {
                sb.append('[').append(ref.getIndex()).append(']');
            }
        }
        return sb.toString();
    }

    private static String describe(Class<?> type, String original) {
        if (type == null) {
            return "of a different type";
        }
        if (type.isEnum()) {
            // Jackson lists the accepted JSON spellings at the end of its message: "... Enum class: [a, b]"
            int start = original == null ? -1 : original.lastIndexOf("Enum class: [");
            int end = original == null ? -1 : original.indexOf(']', Math.max(start, 0));
            return start >= 0 && end > start
                    ? "one of " + original.substring(start + "Enum class: ".length(), end + 1)
                    : "one of the documented values";
        }
        if (Number.class.isAssignableFrom(type)
                || (type.isPrimitive() && type != boolean.class && type != char.class)) {
            return "a number";
        }
        if (type == Boolean.class || type == boolean.class) {
            return "true or false";
        }
        if (CharSequence.class.isAssignableFrom(type) || type == char.class || type == Character.class) {
            return "a string";
        }
        if (type.isArray() || Collection.class.isAssignableFrom(type)) {
            return "an array";
        }
        if (Map.class.isAssignableFrom(type)) {
            return "an object";
        }
        return "an object of the documented shape";
    }
}
