package dev.bnserve.web;

import java.net.SocketTimeoutException;
import org.apache.coyote.BadRequestException;

/**
 * A request body that could not be read, thrown from {@link BodyReadProtocol}'s body reads, with the problem the client
 * is told. Each is the kind of exception Tomcat answers with the matching status (a read timeout 408, a bad request
 * 400) and a closed connection; {@link ApiExceptionHandler} and {@link ProblemErrorController} find it in the cause
 * chain of whatever the reader made of it and write its detail.
 */
sealed interface BodyReadFailure {

    int status();

    String detail();

    /** The first failure in {@code t}'s cause chain, else null. */
    static BodyReadFailure in(Throwable t) {
        for (int depth = 0; t != null && depth < 20; t = t.getCause(), depth++) {
            if (t instanceof BodyReadFailure f) return f;
        }
        return null;
    }

    static TooSlow timeout(String detail) {
        return new TooSlow(detail);
    }

    /** Tomcat's messages for a chunk-size line it cannot read (the English text; other locales get the general one). */
    static Malformed malformedChunks(BadRequestException cause) {
        boolean size = cause.getMessage() != null && cause.getMessage().startsWith("Invalid chunk header");
        return new Malformed(
                size
                        ? "The chunked request body is malformed: a chunk size is not a hexadecimal number followed by"
                                + " CRLF (RFC 9112, section 7.1)."
                        : "The chunked request body is malformed: a chunk size line, the CRLF that ends a chunk or the"
                                + " trailer section is not as RFC 9112, section 7.1 requires.",
                cause);
    }

    /** A 408: the body arrives too slowly, or not at all. */
    final class TooSlow extends SocketTimeoutException implements BodyReadFailure {
        private static final long serialVersionUID = 1L;

        TooSlow(String detail) {
            super(detail);
        }

        @Override
        public int status() {
            return 408;
        }

        @Override
        public String detail() {
            return getMessage();
        }

        @Override
        public synchronized Throwable fillInStackTrace() {
            return this; // an outcome the client caused, not a bug: no stack to walk
        }
    }

    /** A 400: the body's framing is broken. */
    final class Malformed extends BadRequestException implements BodyReadFailure {
        private static final long serialVersionUID = 1L;

        Malformed(String detail, Throwable cause) {
            super(detail, cause);
        }

        @Override
        public int status() {
            return 400;
        }

        @Override
        public String detail() {
            return getMessage();
        }
    }
}
