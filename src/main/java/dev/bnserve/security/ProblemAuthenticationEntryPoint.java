package dev.bnserve.security;

import dev.bnserve.web.ProblemWriter;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.security.core.AuthenticationException;
import org.springframework.security.web.AuthenticationEntryPoint;

/**
 * 401 as {@code application/problem+json} with {@code WWW-Authenticate: Bearer} (RFC 6750; {@code error="invalid_token"}
 * when a wrong key was sent). The body says what to send, never which key was expected or received.
 */
final class ProblemAuthenticationEntryPoint implements AuthenticationEntryPoint {

    static final String REALM = "bnserve";

    @Override
    public void commence(
            HttpServletRequest request, HttpServletResponse response, AuthenticationException authException)
            throws IOException {
        boolean invalid = Boolean.TRUE.equals(request.getAttribute(ApiKeyAuthenticationFilter.INVALID_KEY_ATTRIBUTE));
        response.setHeader(
                HttpHeaders.WWW_AUTHENTICATE,
                invalid
                        ? "Bearer realm=\"" + REALM
                                + "\", error=\"invalid_token\", error_description=\"The API key is invalid\""
                        : "Bearer realm=\"" + REALM + "\"");
        String detail = invalid
                ? "The API key in the Authorization header is invalid; send 'Authorization: Bearer <api key>'."
                : "This request needs the API key; send 'Authorization: Bearer <api key>'.";
        ProblemWriter.write(request, response, HttpStatus.UNAUTHORIZED.value(), detail);
    }
}
