package dev.bnserve.web;

import jakarta.servlet.RequestDispatcher;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import org.springframework.boot.webmvc.error.ErrorController;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RestController;

/**
 * The container's error page, for requests refused before Spring MVC sees them, as a problem like every other error.
 * {@link ProblemErrorReportValve} answers the ones refused before any application code runs, with the same texts.
 * Asked for directly, {@code /error} is just a path that does not exist.
 */
@RestController
@io.swagger.v3.oas.annotations.Hidden
class ProblemErrorController implements ErrorController {

    @RequestMapping("${server.error.path:/error}")
    void error(HttpServletRequest request, HttpServletResponse response) throws IOException {
        int status = request.getAttribute(RequestDispatcher.ERROR_STATUS_CODE) instanceof Integer code && code >= 400
                ? code
                : 404;
        if (request.getAttribute(RequestDispatcher.ERROR_EXCEPTION) instanceof Throwable t
                && dev.bnserve.problem.HeapBudget.outOfMemory(t)) { // out of memory outside Spring MVC: a 503
            ProblemWriter.write(
                    request, response, ProblemWriter.Body.of(dev.bnserve.problem.HeapBudget.outOfMemory(), null));
            return;
        }
        ProblemWriter.write(
                request, response, status, refusal(status, request.getAttribute(RequestDispatcher.ERROR_EXCEPTION)));
    }

    /**
     * What a request refused by the container with {@code exception} (the request's error exception, may be null) is
     * told: a body read that failed ({@link BodyReadFailure}, too slow or with broken chunks) says why, any other
     * refusal what its status means.
     */
    static String refusal(int status, Object exception) {
        BodyReadFailure failure = exception instanceof Throwable t ? BodyReadFailure.in(t) : null;
        return failure != null && failure.status() == status ? failure.detail() : refusal(status);
    }

    /** What a request refused by the container is told. Never echoes the request. */
    static String refusal(int status) {
        return switch (status) {
            case 400 ->
                "The request was refused before reaching the service: its request line, path or a header is malformed"
                        + " (encoded separators, NUL bytes, control characters in header names and invalid UTF-8 are"
                        + " refused), or the server is shutting down.";
            case 404 -> "No such resource.";
            case 405 -> "This method is not allowed here.";
            default ->
                status >= 500 ? "The server could not complete the request." : ProblemWriter.phrase(status) + ".";
        };
    }
}
