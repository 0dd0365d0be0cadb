package dev.bnserve.security;

import dev.bnserve.web.ProblemWriter;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.http.HttpStatus;
import org.springframework.security.web.firewall.RequestRejectedException;
import org.springframework.security.web.firewall.RequestRejectedHandler;

/**
 * Requests refused by Spring Security's {@code StrictHttpFirewall} (encoded slashes or dots, {@code ..}
 * segments, {@code ;}, control characters in the URL, ...) become a 400 problem+json instead of the default
 * {@code sendError(400)}, which Boot would render as a plain {@code application/json} error.
 */
final class ProblemRequestRejectedHandler implements RequestRejectedHandler {

    private static final Logger log = LoggerFactory.getLogger(ProblemRequestRejectedHandler.class);

    @Override
    public void handle(HttpServletRequest request, HttpServletResponse response, RequestRejectedException ex)
            throws IOException {
        log.debug("Rejected request: {}", ex.getMessage());
        ProblemWriter.write(
                request,
                response,
                HttpStatus.BAD_REQUEST.value(),
                "The request URL or headers contain characters or sequences that are not allowed "
                        + "(such as encoded slashes or dots, '..' segments, ';' or control characters).");
    }
}
