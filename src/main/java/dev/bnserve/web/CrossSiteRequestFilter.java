package dev.bnserve.web;

import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.net.URI;
import java.util.Locale;
import org.springframework.core.annotation.Order;
import org.springframework.stereotype.Component;
import org.springframework.web.filter.OncePerRequestFilter;

/**
 * Refuses cross-site simple requests (issue 16): in open mode, a web page on any site could POST a form or
 * {@code text/plain} to {@code /datasets} or {@code /models} without a CORS preflight. A state-changing request whose
 * body has one of the types a page may send without a preflight ({@code text/plain},
 * {@code application/x-www-form-urlencoded}, {@code multipart/form-data}) is answered 403 when the browser says it
 * comes from another site: an {@code Origin} other than the service's own, or {@code Sec-Fetch-Site: cross-site} or
 * {@code same-site}. Clients that are not browsers (curl, SDKs) send neither header and are unaffected, as is the
 * console, which is served by the service itself.
 */
@Component
@Order(RequestSizeFilter.ORDER + 5) // before security and the predict fast path
class CrossSiteRequestFilter extends OncePerRequestFilter {

    static boolean simpleBodyType(String contentType) {
        if (contentType == null) return true; // no type: a page can send that too
        String t = contentType.toLowerCase(Locale.ROOT).trim();
        return t.startsWith("text/plain")
                || t.startsWith("application/x-www-form-urlencoded")
                || t.startsWith("multipart/form-data");
    }

    @Override
    protected boolean shouldNotFilter(HttpServletRequest request) {
        String m = request.getMethod();
        return m.equals("GET") || m.equals("HEAD") || m.equals("OPTIONS") || m.equals("TRACE");
    }

    @Override
    protected void doFilterInternal(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
            throws ServletException, IOException {
        if (simpleBodyType(request.getContentType()) && crossSite(request)) {
            ProblemWriter.write(
                    request,
                    response,
                    HttpServletResponse.SC_FORBIDDEN,
                    "Cross-site " + request.getMethod()
                            + " refused: a page on another site may not send a form or text/plain body here. Call the"
                            + " API from your own server or with Content-Type: text/csv or application/json (browsers"
                            + " then ask first, and this service allows no other origin).");
            return;
        }
        chain.doFilter(request, response);
    }

    private static boolean crossSite(HttpServletRequest request) {
        String site = request.getHeader("Sec-Fetch-Site");
        if (site != null && (site.equalsIgnoreCase("cross-site") || site.equalsIgnoreCase("same-site"))) return true;
        String origin = request.getHeader("Origin");
        if (origin == null) return false;
        if (origin.equals("null")) return true; // sandboxed frames, file: pages
        try {
            URI o = URI.create(origin);
            String host = request.getHeader("Host");
            if (o.getHost() == null || host == null) return true;
            String own = o.getPort() < 0 ? o.getHost() : o.getHost() + ":" + o.getPort();
            String ownDefault = o.getHost() + ":" + ("https".equalsIgnoreCase(o.getScheme()) ? 443 : 80);
            return !(host.equalsIgnoreCase(own) || host.equalsIgnoreCase(ownDefault) && o.getPort() < 0);
        } catch (IllegalArgumentException e) {
            return true;
        }
    }
}
