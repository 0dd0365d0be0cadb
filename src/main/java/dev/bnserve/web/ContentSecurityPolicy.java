package dev.bnserve.web;

import org.springframework.security.web.header.HeaderWriter;

/**
 * The Content-Security-Policy every answer carries: the security chain and the predict fast path (which answers
 * outside the chain) write it with this one writer, so both paths send the same headers.
 */
public final class ContentSecurityPolicy {
    /**
     * The console's policy: scripts, styles, data and frames only from this origin, no inline scripts or style
     * attributes ({@code data:} images only for the blank favicon).
     */
    static final String CONSOLE = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
            + "connect-src 'self'; object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'none'";

    /** Swagger UI renders with style attributes and data: icons; its scripts still come only from this origin. */
    static final String SWAGGER_UI = "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; "
            + "img-src 'self' data:; connect-src 'self'; object-src 'none'; base-uri 'self'; frame-ancestors 'none'";

    private ContentSecurityPolicy() {}

    /** Writes the policy for the request's path. */
    public static HeaderWriter writer() {
        return (request, response) -> response.setHeader(
                "Content-Security-Policy", request.getRequestURI().startsWith("/swagger-ui") ? SWAGGER_UI : CONSOLE);
    }
}
