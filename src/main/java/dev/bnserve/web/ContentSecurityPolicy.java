package dev.bnserve.web;

import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import org.springframework.security.web.header.HeaderWriter;

/**
 * The Content-Security-Policy of every response, written by Spring Security's chain and by the predict fast path
 * alike (so both answer the same headers).
 */
public final class ContentSecurityPolicy implements HeaderWriter {

    /**
     * The console's policy: scripts, styles, data and frames only from this origin, no inline scripts or style
     * attributes ({@code data:} images only for the blank favicon).
     */
    static final String CONSOLE = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
            + "connect-src 'self'; object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'none'";

    /** Swagger UI renders with style attributes and data: icons; its scripts still come only from this origin. */
    static final String SWAGGER_UI = "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; "
            + "img-src 'self' data:; connect-src 'self'; object-src 'none'; base-uri 'self'; frame-ancestors 'none'";

    @Override
    public void writeHeaders(HttpServletRequest request, HttpServletResponse response) {
        response.setHeader(
                "Content-Security-Policy", request.getRequestURI().startsWith("/swagger-ui") ? SWAGGER_UI : CONSOLE);
    }
}
