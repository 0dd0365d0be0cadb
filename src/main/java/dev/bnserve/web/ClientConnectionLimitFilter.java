package dev.bnserve.web;

import dev.bnserve.config.BnserveProperties;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import org.springframework.core.Ordered;
import org.springframework.core.annotation.Order;
import org.springframework.stereotype.Component;
import org.springframework.web.filter.OncePerRequestFilter;

/**
 * At most {@code bnserve.limits.max-connections-per-address} requests in progress per client address (issue 16, slow
 * bodies): 230 connections trickling a 1,000-byte body held every request thread, so predict and health timed out for
 * everyone. One more from the same address is a 503 problem at once, and its connection is closed, so a single
 * client can never hold more than that many request threads.
 */
@Component
@Order(Ordered.HIGHEST_PRECEDENCE)
class ClientConnectionLimitFilter extends OncePerRequestFilter {
    private final int max;
    private final ConcurrentHashMap<String, AtomicInteger> inFlight = new ConcurrentHashMap<>();

    ClientConnectionLimitFilter(BnserveProperties properties) {
        this.max = properties.limits().maxConnectionsPerAddress();
    }

    @Override
    protected void doFilterInternal(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
            throws ServletException, IOException {
        String address = request.getRemoteAddr();
        AtomicInteger n = inFlight.computeIfAbsent(address, a -> new AtomicInteger());
        if (n.incrementAndGet() > max) {
            release(address, n);
            response.setHeader("Connection", "close");
            ProblemWriter.write(
                    request,
                    response,
                    HttpServletResponse.SC_SERVICE_UNAVAILABLE,
                    "More than " + max
                            + " requests from this address are in progress (bnserve.limits.max-connections-per-address);"
                            + " wait for them to finish.");
            return;
        }
        try {
            chain.doFilter(request, response);
        } finally {
            release(address, n);
        }
    }

    private void release(String address, AtomicInteger n) {
        if (n.decrementAndGet() == 0) inFlight.remove(address, n);
    }
}
