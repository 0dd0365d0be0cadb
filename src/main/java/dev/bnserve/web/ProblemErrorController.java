package dev.bnserve.web;

import jakarta.servlet.RequestDispatcher;
import jakarta.servlet.http.HttpServletRequest;
import org.springframework.boot.webmvc.error.ErrorController;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.http.ProblemDetail;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RestController;

/**
 * The container's error page (requests refused before Spring MVC sees them: TRACE, encoded
 * separators or NUL in the path, invalid UTF-8) rendered as a problem, like every other error.
 */
@RestController
class ProblemErrorController implements ErrorController {

    @RequestMapping("${server.error.path:/error}")
    ResponseEntity<ProblemDetail> error(HttpServletRequest request) {
        Object code = request.getAttribute(RequestDispatcher.ERROR_STATUS_CODE);
        HttpStatus status = code instanceof Integer i && HttpStatus.resolve(i) != null
                ? HttpStatus.valueOf(i)
                : HttpStatus.INTERNAL_SERVER_ERROR;
        String detail = switch (status) {
            case BAD_REQUEST ->
                "The request line or path is malformed (encoded separators, NUL bytes and invalid UTF-8 are refused).";
            case METHOD_NOT_ALLOWED -> "This method is not allowed here.";
            case NOT_FOUND -> "No such resource.";
            default ->
                status.is5xxServerError()
                        ? "The server could not complete the request."
                        : status.getReasonPhrase() + ".";
        };
        ProblemDetail body = ProblemDetail.forStatusAndDetail(status, detail);
        body.setTitle(status.getReasonPhrase());
        return ResponseEntity.status(status)
                .contentType(MediaType.APPLICATION_PROBLEM_JSON)
                .body(body);
    }
}
