package dev.bnserve.security;

import dev.bnserve.web.ProblemWriter;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import org.springframework.http.HttpStatus;
import org.springframework.security.access.AccessDeniedException;
import org.springframework.security.web.access.AccessDeniedHandler;

/** 403 as {@code application/problem+json} (an authenticated caller refused; not reachable with today's rules). */
final class ProblemAccessDeniedHandler implements AccessDeniedHandler {

    @Override
    public void handle(
            HttpServletRequest request, HttpServletResponse response, AccessDeniedException accessDeniedException)
            throws IOException {
        ProblemWriter.write(request, response, HttpStatus.FORBIDDEN.value(), "This request is not allowed.");
    }
}
