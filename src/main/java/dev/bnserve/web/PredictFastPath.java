package dev.bnserve.web;

import dev.bnserve.predict.PredictionService;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.net.URI;
import org.springframework.http.ProblemDetail;
import org.springframework.http.ResponseEntity;
import org.springframework.web.filter.OncePerRequestFilter;
import org.springframework.web.filter.ServerHttpObservationFilter;
import tools.jackson.databind.json.JsonMapper;

/**
 * The hot path of {@code POST /models/{id}/predict} and {@code POST /predict}: answers them straight from the filter
 * chain, skipping the DispatcherServlet's handler lookup, argument resolution and content negotiation, which cost more
 * than the prediction itself. It runs after the HTTP metrics and {@link RequestSizeFilter}, and after the security
 * chain whenever prediction needs the API key (see {@link PredictFastPathConfiguration}); it answers exactly what
 * {@link PredictController} would, with the security chain's response headers (same service, same problems via
 * {@link ApiExceptionHandler}), and leaves every request it is not sure about (an id needing decoding, another content
 * type or {@code Accept}) to the controller, which stays the documented endpoint.
 *
 * <p>Registered by {@link PredictFastPathConfiguration} (not component-scanned, so controller slice tests of other
 * endpoints do not need a prediction service).
 */
class PredictFastPath extends OncePerRequestFilter {
    private static final String MODELS = "/models/";
    private static final String PREDICT = "/predict";
    private static final String JSON = "application/json";

    private final PredictionService predictions;
    private final ApiExceptionHandler errors;
    private final JsonMapper mapper;
    /** Whether this filter runs before Spring Security's chain, and so writes its headers itself. */
    private final boolean beforeSecurity;

    PredictFastPath(
            PredictionService predictions, ApiExceptionHandler errors, JsonMapper mapper, boolean beforeSecurity) {
        this.predictions = predictions;
        this.errors = errors;
        this.mapper = mapper;
        this.beforeSecurity = beforeSecurity;
    }

    @Override
    protected boolean shouldNotFilter(HttpServletRequest request) {
        return !"POST".equals(request.getMethod())
                || !isJson(request.getContentType())
                || !acceptsJson(request.getHeader("Accept"));
    }

    @Override
    protected void doFilterInternal(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
            throws ServletException, IOException {
        String uri = request.getRequestURI();
        String pattern = pattern(uri);
        if (pattern == null) {
            chain.doFilter(request, response);
            return;
        }
        ServerHttpObservationFilter.findObservationContext(request).ifPresent(c -> c.setPathPattern(pattern));
        if (beforeSecurity) securityHeaders(response);
        String id = pattern.equals(PREDICT) ? null : uri.substring(MODELS.length(), uri.length() - PREDICT.length());
        byte[] answer;
        try {
            byte[] body;
            try {
                body = readBody(request);
            } catch (RequestSizeFilter.BodyTooLargeException e) {
                throw ApiException.tooLarge(e.detail());
            }
            if (body.length == 0) throw ApiException.badRequest(JsonErrors.MISSING_BODY); // as @RequestBody says
            answer = predictions.predict(id, body);
        } catch (ApiException e) {
            problem(errors.handleApi(e), uri, response);
            return;
        }
        response.setStatus(HttpServletResponse.SC_OK);
        response.setContentType(JSON);
        response.setContentLength(answer.length);
        response.getOutputStream().write(answer);
    }

    /** The body in one exact-size array when its length is declared (readAllBytes would start with 16 KB). */
    private static byte[] readBody(HttpServletRequest request) throws IOException {
        int length = request.getContentLength();
        var in = request.getInputStream();
        if (length < 0) return in.readAllBytes();
        byte[] body = new byte[length];
        int n = in.readNBytes(body, 0, length);
        return n == length ? body : java.util.Arrays.copyOf(body, n);
    }

    /** What Spring Security's default header writers add to every response. */
    private static void securityHeaders(HttpServletResponse response) {
        response.setHeader("X-Content-Type-Options", "nosniff");
        response.setHeader("X-XSS-Protection", "0");
        response.setHeader("Cache-Control", "no-cache, no-store, max-age=0, must-revalidate");
        response.setHeader("Pragma", "no-cache");
        response.setHeader("Expires", "0");
        response.setHeader("X-Frame-Options", "DENY");
    }

    private void problem(ResponseEntity<Object> entity, String uri, HttpServletResponse response) throws IOException {
        ProblemDetail problem = (ProblemDetail) entity.getBody();
        if (problem.getInstance() == null) problem.setInstance(URI.create(uri)); // as MVC does
        byte[] bytes = mapper.writeValueAsBytes(problem);
        response.setStatus(entity.getStatusCode().value());
        entity.getHeaders().forEach((name, values) -> values.forEach(v -> response.addHeader(name, v)));
        response.setContentLength(bytes.length);
        response.getOutputStream().write(bytes);
    }

    /** The endpoint's pattern for a raw request URI this path can take, else null (no match, or an id needing decoding). */
    static String pattern(String uri) {
        if (uri.equals(PREDICT)) return PREDICT;
        if (!uri.startsWith(MODELS) || !uri.endsWith(PREDICT) || uri.length() <= MODELS.length() + PREDICT.length())
            return null;
        for (int i = MODELS.length(), end = uri.length() - PREDICT.length(); i < end; i++) {
            char c = uri.charAt(i);
            if (!(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-' || c == '_'))
                return null;
        }
        return "/models/{id}/predict";
    }

    static boolean isJson(String contentType) {
        return contentType != null
                && contentType.regionMatches(true, 0, JSON, 0, JSON.length())
                && (contentType.length() == JSON.length() || contentType.charAt(JSON.length()) == ';');
    }

    /** No preference, anything, or JSON itself; finer negotiation is left to Spring MVC. */
    static boolean acceptsJson(String accept) {
        return accept == null || accept.isBlank() || accept.equals("*/*") || accept.equalsIgnoreCase(JSON);
    }
}
