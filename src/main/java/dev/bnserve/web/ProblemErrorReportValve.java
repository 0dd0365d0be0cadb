package dev.bnserve.web;

import jakarta.servlet.RequestDispatcher;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.catalina.connector.Request;
import org.apache.catalina.connector.Response;
import org.apache.catalina.valves.ErrorReportValve;
import org.apache.coyote.ActionCode;

/**
 * Tomcat's host-level error report, as problem+json instead of its HTML page. It only speaks for requests the
 * connector refuses before any application code runs (an encoded {@code /}, {@code \} or NUL in the path, invalid
 * percent-encoding or UTF-8); everything else is answered by {@link ApiExceptionHandler} or
 * {@link ProblemErrorController}. Like those, it never echoes the request, a message or a stack trace.
 */
public final class ProblemErrorReportValve extends ErrorReportValve {

    @Override
    protected void report(Request request, Response response, Throwable throwable) {
        int code = response.getStatus();
        // the same guards as the HTML report: an error nobody has written a body for yet, on a connection still open
        if (code < 400 || response.getContentWritten() > 0 || !response.setErrorReported()) return;
        AtomicBoolean ioAllowed = new AtomicBoolean();
        response.getCoyoteResponse().action(ActionCode.IS_IO_ALLOWED, ioAllowed);
        if (!ioAllowed.get()) return;

        try {
            ProblemWriter.Rendering rendering = ProblemWriter.Rendering.forPath(request.getRequestURI());
            response.setContentType(rendering.contentType());
            response.setCharacterEncoding("UTF-8");
            PrintWriter writer = response.getReporter();
            if (writer != null) {
                byte[] body = rendering.bytes(ProblemWriter.Body.plain(
                        code,
                        ProblemErrorController.refusal(
                                code,
                                throwable != null
                                        ? throwable
                                        : request.getAttribute(RequestDispatcher.ERROR_EXCEPTION)),
                        null));
                writer.write(new String(body, StandardCharsets.UTF_8));
                response.finishResponse();
            }
        } catch (IOException | IllegalStateException e) {
            // the client is gone or the response was committed meanwhile: nothing left to tell it
        }
    }
}
