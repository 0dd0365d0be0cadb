package dev.bnserve.web;

import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import org.springframework.security.web.header.HeaderWriter;
import org.springframework.web.filter.OncePerRequestFilter;
import org.springframework.web.filter.ServerHttpObservationFilter;

/**
 * The hot path of {@code POST /models/{id}/predict} and {@code POST /predict}: answers them straight from the filter
 * chain, skipping the DispatcherServlet's handler lookup, argument resolution and content negotiation, which cost more
 * than the prediction itself. It runs after the HTTP metrics and {@link RequestSizeFilter}, and after the security
 * chain whenever prediction needs the API key (see {@link PredictFastPathConfiguration}); it answers exactly what
 * {@link PredictController} would, with the security chain's response headers (written by Spring Security's own
 * header writers), the same {@link PredictionCodec} and the same {@link ApiExceptionHandler} for every failure, and leaves every request it is not sure about (an id needing decoding, another content
 * type or {@code Accept}) to the controller, which stays the documented endpoint.
 *
 * <p>Registered by {@link PredictFastPathConfiguration} (not component-scanned, so controller slice tests of other
 * endpoints do not need a prediction service).
 */
class PredictFastPath extends OncePerRequestFilter {
    private static final String MODELS = "/models/";
    private static final String PREDICT = "/predict";
    private static final String JSON = "application/json";

    private final PredictionCodec codec;
    private final ApiExceptionHandler errors;
    /** Spring Security's default header writers, when this filter runs before its chain; else null. */
    private final HeaderWriter securityHeaders;

    PredictFastPath(PredictionCodec codec, ApiExceptionHandler errors, HeaderWriter securityHeaders) {
        this.codec = codec;
        this.errors = errors;
        this.securityHeaders = securityHeaders;
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
        if (securityHeaders != null) securityHeaders.writeHeaders(request, response);
        String id = pattern.equals(PREDICT) ? null : uri.substring(MODELS.length(), uri.length() - PREDICT.length());
        byte[] answer;
        try {
            answer = codec.answer(id, PredictionCodec.body(request));
        } catch (Exception e) { // every failure is answered by the same handler as the controller's
            errors.handle(e, request, response);
            return;
        }
        response.setStatus(HttpServletResponse.SC_OK);
        response.setContentType(JSON);
        response.setContentLength(answer.length);
        response.getOutputStream().write(answer);
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
