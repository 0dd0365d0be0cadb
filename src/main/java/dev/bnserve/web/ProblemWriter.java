package dev.bnserve.web;

import dev.bnserve.problem.Problem;
import dev.bnserve.problem.Violation;
import jakarta.servlet.RequestDispatcher;
import jakarta.servlet.http.HttpServletRequest;
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
 *
 * <p>On the Open Inference Protocol's paths ({@code /v2/…}) the same problems are rendered in that protocol's shape,
 * {@code {"error": "…"}} as {@code application/json} (see {@link Rendering}), so its clients can read every error,
 * including those raised before any controller runs (size limit, API key, container refusals).
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
            case STORAGE_FULL -> 507;
            case INTERNAL -> 500;
        };
    }

    static String phrase(int status) {
        HttpStatus s = HttpStatus.resolve(status);
        return s == null ? "Error" : s.getReasonPhrase();
    }

    /** How an error answer is written: which shape depends on the path the request was for. */
    public enum Rendering {
        /** RFC 9457 {@code application/problem+json}: every path but the protocol's. */
        PROBLEM(MediaType.APPLICATION_PROBLEM_JSON_VALUE),
        /**
         * The Open Inference Protocol's error object, {@code {"error": detail}}, for {@code /v2} and below. Its
         * published document gives infer only 400 (and servers use 404 for an unknown model), so the 422 of a request
         * that is well-formed but cannot be answered is a 400 here; other statuses stay as they are.
         */
        OPEN_INFERENCE(MediaType.APPLICATION_JSON_VALUE);

        private final String contentType;

        Rendering(String contentType) {
            this.contentType = contentType;
        }

        public String contentType() {
            return contentType;
        }

        /** The rendering for a request to {@code path} (null: unknown, problem+json). */
        public static Rendering forPath(String path) {
            return path != null && (path.equals("/v2") || path.startsWith("/v2/")) ? OPEN_INFERENCE : PROBLEM;
        }

        /**
         * The rendering for {@code request}: by the path it was sent to, also when it is the container's error
         * dispatch for it.
         */
        public static Rendering of(HttpServletRequest request) {
            return forPath(
                    request.getAttribute(RequestDispatcher.ERROR_REQUEST_URI) instanceof String original
                            ? original
                            : request.getRequestURI());
        }

        /** The status sent for {@code body}. */
        public int status(Body body) {
            return this == OPEN_INFERENCE && body.status() == 422 ? 400 : body.status();
        }

        /** The answer's bytes, UTF-8 JSON. */
        public byte[] bytes(Body body) {
            return this == PROBLEM ? ProblemWriter.bytes(body) : error(body.detail());
        }
    }

    /**
     * Sends {@code body} as the whole response to {@code request}, in the rendering its path asks for, unless a
     * response is already on its way.
     */
    public static void write(HttpServletRequest request, HttpServletResponse response, Body body) throws IOException {
        if (response.isCommitted()) return;
        Rendering rendering = Rendering.of(request);
        byte[] bytes = rendering.bytes(body);
        response.setStatus(rendering.status(body));
        // A full queue or a missing dependency passes: say when to try again, as RFC 9110 section 10.2.3 allows.
        if (body.status() == 429 || body.status() == 503) {
            response.setHeader("Retry-After", Integer.toString(RETRY_AFTER_SECONDS));
        }
        response.setContentType(rendering.contentType());
        response.setContentLength(bytes.length);
        response.getOutputStream().write(bytes);
        response.flushBuffer();
    }

    /** A plain problem of {@code status}: for the layers that answer before any route is known. */
    public static void write(HttpServletRequest request, HttpServletResponse response, int status, String detail)
            throws IOException {
        write(request, response, Body.plain(status, detail, null));
    }

    /** The Open Inference Protocol's error object. */
    private static byte[] error(String detail) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(64 + detail.length());
        try (JsonGenerator g = JSON.createGenerator(out)) {
            g.writeStartObject();
            g.writeStringProperty("error", detail);
            g.writeEndObject();
        }
        return out.toByteArray();
    }

    /** The problem document as UTF-8 JSON. */
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
