package dev.bnserve.web;

import dev.bnserve.problem.Problem;
import dev.bnserve.problem.Violation;
import jakarta.servlet.http.HttpServletResponse;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.util.List;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import tools.jackson.core.JsonGenerator;
import tools.jackson.databind.json.JsonMapper;

/**
 * Writes every {@code application/problem+json} answer of the service (RFC 9457): the advice, the filters, the
 * security handlers and the container's error report all go through here, so each error has one shape:
 * {@code type}, {@code title}, {@code status}, {@code detail}, {@code instance} (the request path, when known) and
 * {@code errors} (the violations, when any).
 *
 * <p>A problem with a meaning of its own has the type {@code /problems/<slug>} and its own title; any other has
 * {@code about:blank} and the status phrase as its title, as RFC 9457 §4.2.1 requires.
 */
public final class ProblemWriter {
    /** Where problem types live: a type's URI is this plus its slug. */
    public static final String TYPE_BASE = "/problems/";

    private static final JsonMapper JSON = JsonMapper.builder().build();

    private ProblemWriter() {}

    /** Seconds a client should wait before retrying a 429 or 503. */
    static final int RETRY_AFTER_SECONDS = 5;

    /** A problem answer as it is sent. */
    public record Body(int status, String type, String title, String detail, String instance, List<Violation> errors) {

        /** A problem that means no more than its status. */
        public static Body plain(int status, String detail, String instance) {
            return new Body(status, "about:blank", phrase(status), detail, instance, List.of());
        }

        /** A domain problem, with the status of its kind. */
        public static Body of(Problem p, String instance) {
            int status = ProblemWriter.status(p.kind());
            return p.type() == null
                    ? new Body(status, "about:blank", phrase(status), p.detail(), instance, p.violations())
                    : new Body(status, TYPE_BASE + p.type(), p.title(), p.detail(), instance, p.violations());
        }
    }

    /** The HTTP status of each kind of problem. */
    public static int status(Problem.Kind kind) {
        return switch (kind) {
            case MALFORMED -> 400;
            case INVALID -> 422;
            case NOT_FOUND -> 404;
            case CONFLICT -> 409;
            case TOO_LARGE -> 413;
            case UNSUPPORTED_MEDIA_TYPE -> 415;
            case BUSY -> 429;
            case UNAVAILABLE -> 503;
            case INTERNAL -> 500;
        };
    }

    static String phrase(int status) {
        HttpStatus s = HttpStatus.resolve(status);
        return s == null ? "Error" : s.getReasonPhrase();
    }

    /** Sends {@code body} as the whole response, unless one is already on its way. */
    public static void write(HttpServletResponse response, Body body) throws IOException {
        if (response.isCommitted()) return;
        byte[] bytes = bytes(body);
        response.setStatus(body.status());
        // A full queue or a missing dependency passes: say when to try again, as RFC 9110 section 10.2.3 allows.
        if (body.status() == 429 || body.status() == 503) {
            response.setHeader("Retry-After", Integer.toString(RETRY_AFTER_SECONDS));
        }
        response.setContentType(MediaType.APPLICATION_PROBLEM_JSON_VALUE);
        response.setContentLength(bytes.length);
        response.getOutputStream().write(bytes);
        response.flushBuffer();
    }

    /** A plain problem of {@code status}: for the layers that answer before any route is known. */
    public static void write(HttpServletResponse response, int status, String detail) throws IOException {
        write(response, Body.plain(status, detail, null));
    }

    /** The document as UTF-8 JSON. */
    public static byte[] bytes(Body body) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(256);
        try (JsonGenerator g = JSON.createGenerator(out)) {
            g.writeStartObject();
            g.writeStringProperty("type", body.type());
            g.writeStringProperty("title", body.title());
            g.writeNumberProperty("status", body.status());
            g.writeStringProperty("detail", body.detail());
            if (body.instance() != null) g.writeStringProperty("instance", body.instance());
            if (!body.errors().isEmpty()) {
                g.writeName("errors");
                g.writeStartArray();
                for (Violation v : body.errors()) {
                    g.writeStartObject();
                    if (v.field() != null) g.writeStringProperty("field", v.field());
                    if (v.row() != null) g.writeNumberProperty("row", v.row());
                    if (v.column() != null) g.writeStringProperty("column", v.column());
                    g.writeStringProperty("message", v.message());
                    g.writeEndObject();
                }
                g.writeEndArray();
            }
            g.writeEndObject();
        }
        return out.toByteArray();
    }
}
