package dev.bnserve.web;

import dev.bnserve.problem.HeapBudget;
import dev.bnserve.problem.Problem;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ReadListener;
import jakarta.servlet.ServletException;
import jakarta.servlet.ServletInputStream;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletRequestWrapper;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.web.filter.OncePerRequestFilter;

/**
 * The request boundary against heap shortage (issue 16). A JSON prediction or a dataset upload (CSV or multipart)
 * whose body is over {@link HeapBudget#FREE_BYTES} reserves {@value #BYTES_PER_BODY_BYTE} bytes of heap per body byte
 * (parsed rows and columns; a prediction at most {@value #BYTES_PER_VALUE} per value it may hold) before its body is
 * read, or answers 503 {@code heap-shortage} with Retry-After; a body of unknown length (chunked) reserves as it is
 * read, a megabyte ahead, and is refused with the same 503 when the next megabyte does not fit. Two instances: one for
 * predictions ahead of {@link PredictFastPath}, one for uploads after Spring Security. Model imports and ONNX exports
 * reserve in {@link ModelController}, where their shapes are known.
 *
 * <p>An {@link OutOfMemoryError} that escapes a request anyway (an estimate too low, a collector too late) is answered
 * here as the same 503, if the answer has not started, instead of a 500 or a dropped connection; the request's
 * objects are unreachable by then, so the service goes on.
 */
class HeapAdmissionFilter extends OncePerRequestFilter {
    private static final Logger log = LoggerFactory.getLogger(HeapAdmissionFilter.class);

    /** After {@link CrossSiteRequestFilter} and before {@link PredictFastPath}. */
    static final int ORDER = RequestSizeFilter.ORDER + 7;

    /**
     * The instance for uploads runs after Spring Security's chain (order -100): with an API key set, a client without
     * it is refused before it can reserve anything, so it cannot hold the heap budget from everyone else.
     */
    static final int UPLOAD_ORDER = 10;

    /** Heap reserved per byte of a prediction or upload body. */
    static final int BYTES_PER_BODY_BYTE = 2;

    /**
     * A refused body up to this long is read to its end (and dropped) before the 503 is sent: a client still sending
     * when the server closes would lose the answer to the connection's reset. Reading costs no heap; a longer body
     * closes the connection instead, as a 413 does.
     */
    static final long DRAIN_BYTES = 256L << 20;

    /**
     * Heap per value of a JSON prediction at most: the codec refuses more than {@code bnserve.limits.max-request-values}
     * as it reads, so that many values (a double, its share of the rows and names) bound what one holds.
     */
    static final int BYTES_PER_VALUE = 32;

    private final HeapBudget budget;
    private final long maxPredictionBytes;
    private final boolean uploads;

    /** @param uploads whether this instance reserves for dataset uploads (after security) or for predictions */
    HeapAdmissionFilter(HeapBudget budget, long maxRequestValues, boolean uploads) {
        this.budget = budget;
        this.maxPredictionBytes = maxRequestValues * BYTES_PER_VALUE;
        this.uploads = uploads;
    }

    /** The heap reserved for a body of {@code length} bytes. */
    long estimate(HttpServletRequest request, long length) {
        long bytes = length * BYTES_PER_BODY_BYTE;
        return request.getRequestURI().equals("/datasets") ? bytes : Math.min(bytes, maxPredictionBytes);
    }

    /** What the body of {@code request} is, for the 503's detail, or null if it reserves nothing here. */
    String reserving(HttpServletRequest request) {
        if (!"POST".equals(request.getMethod())) return null;
        String path = request.getRequestURI();
        if (path.equals("/datasets")) return uploads ? "this dataset upload" : null;
        if (uploads) return null;
        if (path.equals("/predict") || (path.startsWith("/models/") && path.endsWith("/predict")))
            return isCsv(request) ? null : "this prediction request"; // a CSV is scored in blocks, spooled to disk
        if (path.startsWith("/v2/") && path.endsWith("/infer")) return "this inference request";
        return null;
    }

    @Override
    protected void doFilterInternal(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
            throws ServletException, IOException {
        try {
            String what = reserving(request);
            if (what == null) {
                chain.doFilter(request, response);
                return;
            }
            long length = request.getContentLengthLong();
            if (length < 0) { // chunked: reserved as it is read
                try (HeapBudget.Reservation reservation = budget.open(what)) {
                    ReservingRequest reading = new ReservingRequest(
                            request, reservation, estimate(request, Long.MAX_VALUE / BYTES_PER_BODY_BYTE));
                    try {
                        chain.doFilter(reading, response);
                    } catch (ServletException | IOException | RuntimeException e) {
                        if (reading.refused == null || response.isCommitted()) throw e;
                    }
                    if (reading.refused != null && !response.isCommitted()) {
                        response.reset();
                        response.setHeader("Connection", "close"); // the rest of the body is not read
                        ProblemWriter.write(
                                request, response, ProblemWriter.Body.of(reading.refused, request.getRequestURI()));
                    }
                }
                return;
            }
            if (length < HeapBudget.FREE_BYTES) {
                chain.doFilter(request, response);
                return;
            }
            HeapBudget.Reservation reservation;
            try {
                reservation = budget.reserve(what, estimate(request, length));
            } catch (Problem shortage) {
                log.warn("{} {} refused: {}", request.getMethod(), request.getRequestURI(), shortage.getMessage());
                drain(request, request.getInputStream());
                ProblemWriter.write(request, response, ProblemWriter.Body.of(shortage, request.getRequestURI()));
                return;
            }
            try (reservation) {
                chain.doFilter(request, response);
            }
        } catch (OutOfMemoryError e) {
            answerOutOfMemory(request, response, e);
        } catch (ServletException | RuntimeException e) {
            if (!HeapBudget.outOfMemory(e)) throw e;
            answerOutOfMemory(request, response, e);
        }
    }

    /** Reads what is left of a refused body, if its declared length is at most {@link #DRAIN_BYTES}. */
    static void drain(HttpServletRequest request, java.io.InputStream body) {
        long length = request.getContentLengthLong();
        if (length < 0 || length > DRAIN_BYTES) return;
        try {
            body.transferTo(java.io.OutputStream.nullOutputStream());
        } catch (IOException | RuntimeException e) {
            // the client went away, or the body broke a limit: the answer is closed with the connection anyway
        }
    }

    private static boolean isCsv(HttpServletRequest request) {
        String type = request.getContentType();
        return type != null && type.regionMatches(true, 0, CsvScoring.TEXT_CSV, 0, CsvScoring.TEXT_CSV.length());
    }

    /** Thrown from a chunked body's stream when the heap for its next megabyte cannot be reserved. */
    static final class ShortageException extends IOException {
        private static final long serialVersionUID = 1L;
        final transient Problem problem;

        ShortageException(Problem problem) {
            super(problem.getMessage());
            this.problem = problem;
        }
    }

    /** The problem a heap shortage while reading a body stands for, if {@code t} or a cause is one. */
    static Problem shortage(Throwable t) {
        for (int depth = 0; t != null && depth < 16; t = t.getCause(), depth++) {
            if (t instanceof ShortageException s) return s.problem;
        }
        return null;
    }

    /** A chunked body that reserves {@link #BYTES_PER_BODY_BYTE} per byte, a megabyte ahead, as it is read. */
    private static final class ReservingRequest extends HttpServletRequestWrapper {
        private final HeapBudget.Reservation reservation;
        private final long cap;
        private ServletInputStream stream;
        volatile Problem refused;

        ReservingRequest(HttpServletRequest request, HeapBudget.Reservation reservation, long cap) {
            super(request);
            this.reservation = reservation;
            this.cap = cap;
        }

        @Override
        public ServletInputStream getInputStream() throws IOException {
            if (stream == null) {
                ServletInputStream in = super.getInputStream();
                stream = new ServletInputStream() {
                    private long count;

                    @Override
                    public int read() throws IOException {
                        int b = in.read();
                        if (b >= 0) add(1);
                        return b;
                    }

                    @Override
                    public int read(byte[] buf, int off, int len) throws IOException {
                        int n = in.read(buf, off, len);
                        if (n > 0) add(n);
                        return n;
                    }

                    private void add(int n) throws IOException {
                        count += n;
                        long needed = Math.min(cap, count * BYTES_PER_BODY_BYTE);
                        if (needed <= reservation.held() || reservation.held() >= cap) return;
                        try {
                            reservation.grow(needed - reservation.held() + HeapBudget.FREE_BYTES);
                        } catch (Problem shortage) {
                            refused = shortage;
                            throw new ShortageException(shortage);
                        }
                    }

                    @Override
                    public boolean isFinished() {
                        return in.isFinished();
                    }

                    @Override
                    public boolean isReady() {
                        return in.isReady();
                    }

                    @Override
                    public void setReadListener(ReadListener listener) {
                        in.setReadListener(listener);
                    }
                };
            }
            return stream;
        }
    }

    static void answerOutOfMemory(HttpServletRequest request, HttpServletResponse response, Throwable e)
            throws IOException {
        log.warn(
                "{} {} ran out of memory; answered 503: {}",
                request.getMethod(),
                request.getRequestURI(),
                e.toString());
        if (response.isCommitted()) return; // the answer is on its way: nothing but closing it is left
        response.resetBuffer();
        response.setHeader("Content-Disposition", null); // an export's file name: the answer is a problem now
        ProblemWriter.write(
                request, response, ProblemWriter.Body.of(HeapBudget.outOfMemory(), request.getRequestURI()));
    }
}
