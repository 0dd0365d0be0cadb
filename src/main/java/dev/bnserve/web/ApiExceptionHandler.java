package dev.bnserve.web;

import dev.bnserve.config.BnserveProperties;
import dev.bnserve.problem.HeapBudget;
import dev.bnserve.problem.Problem;
import dev.bnserve.problem.StorageProblems;
import dev.bnserve.problem.Violation;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.util.List;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.TypeMismatchException;
import org.springframework.http.HttpHeaders;
import org.springframework.http.MediaType;
import org.springframework.http.converter.HttpMessageNotReadableException;
import org.springframework.web.ErrorResponse;
import org.springframework.web.HttpMediaTypeNotSupportedException;
import org.springframework.web.bind.annotation.ExceptionHandler;
import org.springframework.web.bind.annotation.RestControllerAdvice;
import org.springframework.web.context.request.async.AsyncRequestNotUsableException;
import org.springframework.web.multipart.MaxUploadSizeExceededException;
import org.springframework.web.multipart.MultipartException;
import org.springframework.web.multipart.support.MissingServletRequestPartException;
import org.springframework.web.servlet.resource.NoResourceFoundException;

/**
 * The one place that turns exceptions into problem answers, written by {@link ProblemWriter}: a domain
 * {@link Problem} as its kind says; Spring MVC's own exceptions with friendlier details for the common ones; anything
 * unexpected as a 500 that reveals nothing, logged instead. {@link PredictFastPath} hands its exceptions here too.
 */
@RestControllerAdvice
public class ApiExceptionHandler {
    private static final Logger log = LoggerFactory.getLogger(ApiExceptionHandler.class);
    static final String INTERNAL_DETAIL = "An unexpected error occurred. It has been logged; please try again later.";

    private final long maxUploadBytes;

    public ApiExceptionHandler(BnserveProperties properties) {
        this.maxUploadBytes = properties.limits().maxUploadBytes().toBytes();
    }

    @ExceptionHandler(Throwable.class)
    void handle(Throwable ex, HttpServletRequest request, HttpServletResponse response) throws IOException {
        if (ex instanceof AsyncRequestNotUsableException) return; // the client is gone: nobody to answer
        if (BodyReadFailure.in(ex) == null && clientGone(ex)) {
            // it closed the connection mid-body (Tomcat has set a 400 for the record): nobody to answer, nothing to log
            log.debug("{}: the client closed the connection", describe(request));
            return;
        }
        ProblemWriter.write(request, response, resolve(ex, request, response));
    }

    /** The answer to {@code ex}, setting any headers it needs (Accept, Allow) on {@code response}. */
    ProblemWriter.Body resolve(Throwable ex, HttpServletRequest request, HttpServletResponse response) {
        String instance = request.getRequestURI();
        BodyReadFailure unreadBody = BodyReadFailure.in(ex); // too slow, or broken chunks: whoever was reading it
        if (unreadBody != null) return ProblemWriter.Body.plain(unreadBody.status(), unreadBody.detail(), instance);
        Problem problem = problem(ex, request);
        if (problem != null) {
            if (problem.kind() == Problem.Kind.INTERNAL) log.error("Server error for {}", describe(request), ex);
            return ProblemWriter.Body.of(problem, instance);
        }
        if (ex instanceof HttpMediaTypeNotSupportedException unsupported) {
            String supported = unsupported.getSupportedMediaTypes().stream()
                    .map(MediaType::toString)
                    .collect(Collectors.joining(", "));
            if (!supported.isEmpty()) response.setHeader(HttpHeaders.ACCEPT, supported);
            String detail = (unsupported.getContentType() == null
                            ? "The Content-Type header is missing or invalid"
                            : "Content-Type '" + unsupported.getContentType() + "' is not supported here")
                    + (supported.isEmpty() ? "." : "; use one of: " + supported + ".");
            return ProblemWriter.Body.plain(415, detail, instance);
        }
        if (ex instanceof NoResourceFoundException) {
            return ProblemWriter.Body.plain(404, "No endpoint " + describe(request) + ".", instance);
        }
        if (ex instanceof ErrorResponse standard && !standard.getStatusCode().is5xxServerError()) {
            standard.getHeaders().forEach((name, values) -> values.forEach(v -> response.addHeader(name, v)));
            int status = standard.getStatusCode().value();
            String detail = standard.getBody().getDetail();
            return ProblemWriter.Body.plain(
                    status, detail == null ? ProblemWriter.phrase(status) + "." : detail, instance);
        }
        log.error("Unhandled exception for {}", describe(request), ex);
        return ProblemWriter.Body.plain(500, INTERNAL_DETAIL, instance);
    }

    /**
     * Tomcat reports a part's header section over its limit (512 bytes: a file name of a few hundred characters) as a
     * size limit, which Spring turns into "upload too large"; it is a 400 about the part's headers, not the body.
     */
    private static Problem partHeadersTooLong(Throwable ex) {
        for (Throwable t = ex; t != null; t = t.getCause()) {
            String m = t.getMessage();
            if (m != null && m.startsWith("Header section has more than")) {
                String bytes = m.replaceAll("^Header section has more than (\\d+) bytes.*$", "$1");
                return Problem.malformed(
                        "The multipart part's headers are longer than " + bytes
                                + " bytes, the server's limit for them; shorten the file name (or name the dataset"
                                + " with ?name=).",
                        Violation.field("file", "part headers longer than " + bytes + " bytes"));
            }
        }
        return null;
    }

    /** The domain problem that {@code ex} is or stands for, else null. */
    private Problem problem(Throwable ex, HttpServletRequest request) {
        if (ex instanceof Problem p) return p;
        Problem heap = HeapAdmissionFilter.shortage(ex); // a chunked body whose next megabyte did not fit
        if (heap != null) return heap;
        if (HeapBudget.outOfMemory(ex)) { // answered, not fatal: the request's objects are unreachable now
            log.warn("{} ran out of memory; answered 503: {}", describe(request), ex.toString());
            return HeapBudget.outOfMemory();
        }
        Problem storage = StorageProblems.of(ex); // a full or read-only data dir
        if (storage != null) {
            log.warn("{} refused: {}", describe(request), storage.getMessage());
            return storage;
        }
        if (ex instanceof MaxUploadSizeExceededException) {
            Problem headers = partHeadersTooLong(ex);
            return headers != null ? headers : Problem.uploadTooLarge(maxUploadBytes);
        }
        if (ex instanceof MissingServletRequestPartException missing) {
            String part = missing.getRequestPartName();
            return Problem.malformed(
                    "The multipart request has no part named '" + part + "'.",
                    Violation.field(part, "required part is missing"));
        }
        if (ex instanceof MultipartException) { // no boundary, truncated
            return Problem.malformed(
                    "The multipart body is malformed (missing boundary or truncated); send the CSV in a part named"
                            + " 'file'.",
                    Violation.field("file", "unreadable multipart body"));
        }
        if (ex instanceof HttpMessageNotReadableException unreadable) {
            if (unreadable.getMostSpecificCause() instanceof RequestSizeFilter.BodyTooLargeException tooLarge) {
                return Problem.tooLarge(tooLarge.detail());
            }
            JsonErrors.Explanation why = JsonErrors.explain(unreadable);
            return Problem.malformed(why.detail(), why.error().stream().toList());
        }
        if (ex instanceof RequestSizeFilter.BodyTooLargeException tooLarge) return Problem.tooLarge(tooLarge.detail());
        if (ex instanceof org.apache.tomcat.util.http.InvalidParameterException) { // %ff, %zz, a lone %
            return Problem.malformed(
                    "A query or form parameter is not valid percent-encoded UTF-8.",
                    Violation.field("query", "invalid percent-encoding"));
        }
        if (ex instanceof TypeMismatchException mismatch) {
            String name = mismatch.getPropertyName() == null ? "parameter" : mismatch.getPropertyName();
            return Problem.malformed(
                    "'" + name + "' has an invalid value.", List.of(Violation.field(name, "has an invalid value")));
        }
        return null;
    }

    /** Whether {@code ex} comes from the client closing its connection (Tomcat's ClientAbortException). */
    private static boolean clientGone(Throwable ex) {
        for (Throwable t = ex; t != null; t = t.getCause()) {
            if (t instanceof org.apache.catalina.connector.ClientAbortException) return true;
        }
        return false;
    }

    private static String describe(HttpServletRequest request) {
        return request.getMethod() + " " + request.getRequestURI();
    }
}
