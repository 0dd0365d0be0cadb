package dev.bnserve.security;

import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.util.List;
import org.springframework.http.HttpHeaders;
import org.springframework.security.authentication.UsernamePasswordAuthenticationToken;
import org.springframework.security.core.authority.SimpleGrantedAuthority;
import org.springframework.security.core.context.SecurityContext;
import org.springframework.security.core.context.SecurityContextHolder;
import org.springframework.security.core.context.SecurityContextHolderStrategy;
import org.springframework.web.filter.OncePerRequestFilter;

/**
 * Authenticates {@code Authorization: Bearer <key>} against the configured API key. A request with the right
 * key gets an authenticated {@code api-key} principal; any other request continues anonymously (whether the
 * endpoint needs the key is decided by the authorization rules, and a refusal is rendered by
 * {@link ProblemAuthenticationEntryPoint}). A wrong key is remembered in a request attribute so that the
 * refusal can say "invalid" instead of "missing". The key is never logged.
 *
 * <p>Deliberately not a {@code @Component}: a servlet {@code Filter} bean would be registered a second time
 * by Spring Boot outside the security chain, and picked up by {@code @WebMvcTest} slices.
 */
final class ApiKeyAuthenticationFilter extends OncePerRequestFilter {

    static final String PRINCIPAL = "api-key";
    static final String AUTHORITY = "ROLE_API_CLIENT";
    /** Request attribute set (to {@code Boolean.TRUE}) when a bearer token was presented but is wrong. */
    static final String INVALID_KEY_ATTRIBUTE = ApiKeyAuthenticationFilter.class.getName() + ".INVALID";

    private static final String BEARER = "bearer";

    private final ApiKeyVerifier verifier;
    private final SecurityContextHolderStrategy contexts = SecurityContextHolder.getContextHolderStrategy();

    ApiKeyAuthenticationFilter(ApiKeyVerifier verifier) {
        this.verifier = verifier;
    }

    @Override
    protected void doFilterInternal(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
            throws ServletException, IOException {
        String header = request.getHeader(HttpHeaders.AUTHORIZATION);
        if (header != null) {
            String token = bearerToken(header);
            if (token != null && verifier.matches(token)) {
                SecurityContext context = contexts.createEmptyContext();
                context.setAuthentication(UsernamePasswordAuthenticationToken.authenticated(
                        PRINCIPAL, null, List.of(new SimpleGrantedAuthority(AUTHORITY))));
                contexts.setContext(context);
            } else {
                request.setAttribute(INVALID_KEY_ATTRIBUTE, Boolean.TRUE);
            }
        }
        try {
            chain.doFilter(request, response);
        } finally {
            contexts.clearContext();
        }
    }

    /** The token of a {@code Bearer} credential (scheme case-insensitive), else null. */
    static String bearerToken(String header) {
        String h = header.strip();
        if (h.length() <= BEARER.length()
                || !h.regionMatches(true, 0, BEARER, 0, BEARER.length())
                || !Character.isWhitespace(h.charAt(BEARER.length()))) {
            return null;
        }
        String token = h.substring(BEARER.length()).strip();
        return token.isEmpty() ? null : token;
    }
}
