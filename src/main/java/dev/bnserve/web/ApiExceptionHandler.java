package dev.bnserve.web;

import dev.bnserve.config.BnserveProperties;
import dev.bnserve.data.CsvParser;
import dev.bnserve.data.DatasetError;
import dev.bnserve.data.DatasetException;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.MessageSourceResolvable;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.http.HttpStatusCode;
import org.springframework.http.MediaType;
import org.springframework.http.ProblemDetail;
import org.springframework.http.ResponseEntity;
import org.springframework.http.converter.HttpMessageNotReadableException;
import org.springframework.web.HttpMediaTypeNotSupportedException;
import org.springframework.web.bind.MethodArgumentNotValidException;
import org.springframework.web.bind.annotation.ExceptionHandler;
import org.springframework.web.bind.annotation.RestControllerAdvice;
import org.springframework.web.context.request.ServletWebRequest;
import org.springframework.web.context.request.WebRequest;
import org.springframework.web.method.annotation.HandlerMethodValidationException;
import org.springframework.web.multipart.MaxUploadSizeExceededException;
import org.springframework.web.multipart.support.MissingServletRequestPartException;
import org.springframework.web.servlet.mvc.method.annotation.ResponseEntityExceptionHandler;
import org.springframework.web.servlet.resource.NoResourceFoundException;

/**
 * The single place that turns exceptions into RFC 9457 {@code application/problem+json} responses with
 * {@code status}, {@code title}, {@code detail} and, where useful, {@code errors} ({@link FieldError}s).
 * Standard Spring MVC exceptions are mapped by the base class (with friendlier details for the common ones);
 * anything unexpected becomes a 500 whose body reveals nothing about the failure, which is logged instead.
 *
 * <p>Malformed CSV ({@link DatasetException}) is a 400, not a 422: the upload itself is syntactically
 * unusable. A CSV breaking a size limit is a 413.
 */
@RestControllerAdvice
public class ApiExceptionHandler extends ResponseEntityExceptionHandler {

    private static final Logger log = LoggerFactory.getLogger(ApiExceptionHandler.class);
    static final String INTERNAL_DETAIL = "An unexpected error occurred. It has been logged; please try again later.";

    private final BnserveProperties properties;

    public ApiExceptionHandler(BnserveProperties properties) {
        this.properties = properties;
    }

    @ExceptionHandler(ApiException.class)
    ResponseEntity<Object> handleApi(ApiException ex) {
        return problem(ex.status(), ex.title(), ex.detail(), ex.errors());
    }

    @ExceptionHandler(DatasetException.class)
    ResponseEntity<Object> handleDataset(DatasetException ex) {
        List<FieldError> errors = ex.errors().stream()
                .map(e -> FieldError.ofCell(e.row(), e.column(), e.message()))
                .toList();
        if (ex.tooLarge()) {
            DatasetError limit = ex.errors().get(ex.errors().size() - 1);
            boolean located = errors.stream().anyMatch(e -> e.row() != null); // else 'errors' would repeat the detail
            return problem(
                    HttpStatus.CONTENT_TOO_LARGE,
                    "Content Too Large",
                    capitalize(limit.message()) + ".",
                    located ? errors : List.of());
        }
        int n = errors.size();
        String detail = "The CSV file is invalid: " + (n == 1 ? "1 problem" : n + " problems") + " found"
                + (n >= CsvParser.MAX_ERRORS ? " (stopped looking after " + n + ")" : "")
                + "; see 'errors'.";
        return problem(HttpStatus.BAD_REQUEST, "Invalid CSV", detail, errors);
    }

    /** A multipart body the container cannot split (no boundary, truncated): the client's fault. */
    @ExceptionHandler(org.springframework.web.multipart.MultipartException.class)
    ResponseEntity<Object> handleMultipart(org.springframework.web.multipart.MultipartException ex) {
        // (MaxUploadSizeExceededException, a subtype, has its own handler: handleMaxUploadSizeExceededException)
        return problem(
                HttpStatus.BAD_REQUEST,
                "Bad Request",
                "The multipart body is malformed (missing boundary or truncated);"
                        + " send the CSV in a part named 'file'.",
                List.of(FieldError.ofField("file", "unreadable multipart body")));
    }

    /** Last resort: log everything, reveal nothing. */
    @ExceptionHandler(Exception.class)
    ResponseEntity<Object> handleUnexpected(Exception ex, WebRequest request) {
        log.error("Unhandled exception for {}", describe(request), ex);
        return problem(HttpStatus.INTERNAL_SERVER_ERROR, "Internal Server Error", INTERNAL_DETAIL, List.of());
    }

    @Override
    protected ResponseEntity<Object> handleHttpMessageNotReadable(
            HttpMessageNotReadableException ex, HttpHeaders headers, HttpStatusCode status, WebRequest request) {
        if (ex.getMostSpecificCause() instanceof RequestSizeFilter.BodyTooLargeException tooLarge) {
            return handleApi(ApiException.tooLarge(tooLarge.detail()));
        }
        JsonErrors.Explanation why = JsonErrors.explain(ex);
        return problem(
                HttpStatus.BAD_REQUEST,
                "Bad Request",
                why.detail(),
                why.error().stream().toList());
    }

    @Override
    protected ResponseEntity<Object> handleMethodArgumentNotValid(
            MethodArgumentNotValidException ex, HttpHeaders headers, HttpStatusCode status, WebRequest request) {
        List<FieldError> errors = new ArrayList<>();
        ex.getBindingResult().getFieldErrors().forEach(e -> errors.add(FieldError.ofField(e.getField(), message(e))));
        ex.getBindingResult()
                .getGlobalErrors()
                .forEach(e -> errors.add(FieldError.ofField(e.getObjectName(), message(e))));
        return problem(HttpStatus.BAD_REQUEST, "Bad Request", invalidFields(errors), errors);
    }

    @Override
    protected ResponseEntity<Object> handleHandlerMethodValidationException(
            HandlerMethodValidationException ex, HttpHeaders headers, HttpStatusCode status, WebRequest request) {
        List<FieldError> errors = new ArrayList<>();
        ex.getParameterValidationResults().forEach(result -> {
            String parameter = result.getMethodParameter().getParameterName();
            for (MessageSourceResolvable error : result.getResolvableErrors()) {
                String field = error instanceof org.springframework.validation.FieldError fe
                        ? parameter + "." + fe.getField()
                        : parameter;
                errors.add(FieldError.ofField(field, message(error)));
            }
        });
        return problem(HttpStatus.BAD_REQUEST, "Bad Request", invalidFields(errors), errors);
    }

    @Override
    protected ResponseEntity<Object> handleMissingServletRequestPart(
            MissingServletRequestPartException ex, HttpHeaders headers, HttpStatusCode status, WebRequest request) {
        String part = ex.getRequestPartName();
        return problem(
                HttpStatus.BAD_REQUEST,
                "Bad Request",
                "The multipart request has no part named '" + part + "'.",
                List.of(FieldError.ofField(part, "required part is missing")));
    }

    @Override
    protected ResponseEntity<Object> handleMaxUploadSizeExceededException(
            MaxUploadSizeExceededException ex, HttpHeaders headers, HttpStatusCode status, WebRequest request) {
        return handleApi(
                ApiException.uploadTooLarge(properties.limits().maxUploadBytes().toBytes()));
    }

    @Override
    protected ResponseEntity<Object> handleHttpMediaTypeNotSupported(
            HttpMediaTypeNotSupportedException ex, HttpHeaders headers, HttpStatusCode status, WebRequest request) {
        String supported =
                ex.getSupportedMediaTypes().stream().map(MediaType::toString).collect(Collectors.joining(", "));
        String detail = (ex.getContentType() == null
                        ? "The Content-Type header is missing or invalid"
                        : "Content-Type '" + ex.getContentType() + "' is not supported here")
                + (supported.isEmpty() ? "." : "; use one of: " + supported + ".");
        if (!ex.getSupportedMediaTypes().isEmpty()) {
            headers.setAccept(ex.getSupportedMediaTypes());
        }
        return problem(HttpStatus.UNSUPPORTED_MEDIA_TYPE, "Unsupported Media Type", detail, List.of(), headers);
    }

    @Override
    protected ResponseEntity<Object> handleNoResourceFoundException(
            NoResourceFoundException ex, HttpHeaders headers, HttpStatusCode status, WebRequest request) {
        return problem(HttpStatus.NOT_FOUND, "Not Found", "No endpoint " + describe(request) + ".", List.of());
    }

    /** Every other standard exception: keep the base class's problem, force the media type, log 5xx. */
    @Override
    protected ResponseEntity<Object> handleExceptionInternal(
            Exception ex, Object body, HttpHeaders headers, HttpStatusCode statusCode, WebRequest request) {
        if (statusCode.is5xxServerError()) {
            log.error("Server error for {}", describe(request), ex);
            body = ProblemDetail.forStatusAndDetail(statusCode, INTERNAL_DETAIL);
        }
        ResponseEntity<Object> response = super.handleExceptionInternal(ex, body, headers, statusCode, request);
        if (response == null) { // response already committed
            return null;
        }
        HttpHeaders out = new HttpHeaders();
        out.addAll(response.getHeaders());
        out.setContentType(MediaType.APPLICATION_PROBLEM_JSON);
        return new ResponseEntity<>(response.getBody(), out, response.getStatusCode());
    }

    private static ResponseEntity<Object> problem(
            HttpStatus status, String title, String detail, List<FieldError> errors) {
        return problem(status, title, detail, errors, new HttpHeaders());
    }

    private static ResponseEntity<Object> problem(
            HttpStatus status, String title, String detail, List<FieldError> errors, HttpHeaders headers) {
        ProblemDetail body = ProblemDetail.forStatusAndDetail(status, detail);
        body.setTitle(title);
        if (!errors.isEmpty()) {
            body.setProperty("errors", errors);
        }
        HttpHeaders out = new HttpHeaders();
        out.addAll(headers);
        out.setContentType(MediaType.APPLICATION_PROBLEM_JSON);
        return new ResponseEntity<>(body, out, status);
    }

    private static String invalidFields(List<FieldError> errors) {
        if (errors.isEmpty()) {
            return "The request is invalid.";
        }
        FieldError first = errors.get(0);
        return "Invalid request: '" + first.field() + "' " + first.message()
                + (errors.size() > 1 ? " (and " + (errors.size() - 1) + " more; see 'errors')." : ".");
    }

    private static String message(MessageSourceResolvable error) {
        String m = error.getDefaultMessage();
        return m == null ? "is invalid" : m;
    }

    private static String capitalize(String s) {
        return s.isEmpty() ? s : Character.toUpperCase(s.charAt(0)) + s.substring(1);
    }

    private static String describe(WebRequest request) {
        if (request instanceof ServletWebRequest servlet) {
            return servlet.getRequest().getMethod() + " " + servlet.getRequest().getRequestURI();
        }
        return request.getDescription(false);
    }
}
