package dev.bnserve.web;

import dev.bnserve.config.BnserveProperties;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ReadListener;
import jakarta.servlet.ServletException;
import jakarta.servlet.ServletInputStream;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletRequestWrapper;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import org.springframework.core.annotation.Order;
import org.springframework.stereotype.Component;
import org.springframework.web.filter.OncePerRequestFilter;

/**
 * Caps the body of every request except dataset uploads (which stream against their own limit) at
 * {@code bnserve.limits.max-request-bytes}, and of a model import ({@code POST /models/import}, streamed by the
 * controller) at {@code bnserve.limits.max-import-bytes}: a declared length over the cap is refused before reading,
 * and a chunked body is cut off as soon as it passes the cap. Either way: 413 problem+json naming the limit.
 */
@Component
@Order(RequestSizeFilter.ORDER) // before security (no work for bodies refused anyway) and PredictFastPath
class RequestSizeFilter extends OncePerRequestFilter {
    /** Before Spring Security's filter chain (order -100). */
    static final int ORDER = -120;

    static final String REQUEST_LIMIT = "bnserve.limits.max-request-bytes";
    static final String IMPORT_LIMIT = "bnserve.limits.max-import-bytes";
    static final String IMPORT_PATH = "/models/import";

    static final String UPLOAD_LIMIT = "bnserve.limits.max-upload-bytes";
    static final String TRAINING_LIMIT = "bnserve.limits.max-training-request-bytes";

    private final long max;
    private final long maxImport;
    private final long maxUpload;
    private final long maxTraining;

    RequestSizeFilter(BnserveProperties properties) {
        this.max = properties.limits().maxRequestBytes().toBytes();
        this.maxImport = properties.limits().maxImportBytes().toBytes();
        this.maxUpload = properties.limits().maxUploadBytes().toBytes();
        this.maxTraining =
                Math.min(this.max, properties.limits().maxTrainingRequestBytes().toBytes());
    }

    /** A CSV to score ({@code POST /models/{id}/predict} as {@code text/csv}) is bounded like an upload. */
    private static boolean isScoring(HttpServletRequest request) {
        String type = request.getContentType();
        return type != null
                && type.regionMatches(true, 0, CsvScoring.TEXT_CSV, 0, CsvScoring.TEXT_CSV.length())
                && request.getRequestURI().startsWith("/models/")
                && request.getRequestURI().endsWith("/predict");
    }

    @Override
    protected boolean shouldNotFilter(HttpServletRequest request) {
        return request.getRequestURI().startsWith("/datasets");
    }

    @Override
    protected void doFilterInternal(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
            throws ServletException, IOException {
        boolean isImport = IMPORT_PATH.equals(request.getRequestURI());
        boolean isScoring = !isImport && isScoring(request);
        // a training request is a small JSON tree: 36 MB of feature names would become ~300 MB of it (issue 16, bug 8)
        boolean isTraining = "/models".equals(request.getRequestURI());
        long max = isImport ? maxImport : isScoring ? maxUpload : isTraining ? maxTraining : this.max;
        String limit = isImport ? IMPORT_LIMIT : isScoring ? UPLOAD_LIMIT : isTraining ? TRAINING_LIMIT : REQUEST_LIMIT;
        if (request.getContentLengthLong() > max) {
            reject(request, response, max, limit);
            return;
        }
        CappedRequest capped = new CappedRequest(request, max, limit);
        try {
            chain.doFilter(capped, response);
        } catch (ServletException | RuntimeException e) {
            if (!capped.exceeded || response.isCommitted()) throw e; // else: the cap caused it, answered below
        }
        if (capped.exceeded && !response.isCommitted()) {
            response.reset();
            reject(request, response, max, limit);
        }
    }

    private static void reject(HttpServletRequest request, HttpServletResponse response, long max, String limit)
            throws IOException {
        response.setHeader("Connection", "close");
        ProblemWriter.write(
                request,
                response,
                HttpServletResponse.SC_REQUEST_ENTITY_TOO_LARGE,
                BodyTooLargeException.detail(max, limit));
    }

    /** Thrown from the body stream once the cap is passed; the advice answers it with a 413. */
    static final class BodyTooLargeException extends IOException {
        private static final long serialVersionUID = 1L;
        final long max;
        final String limit;

        BodyTooLargeException(long max, String limit) {
            super("request body exceeds " + max + " bytes");
            this.max = max;
            this.limit = limit;
        }

        String detail() {
            return detail(max, limit);
        }

        static String detail(long max, String limit) {
            return "The request body is larger than the limit of " + max + " bytes (" + limit + ").";
        }
    }

    /** Counts body bytes and fails the read once the cap is passed. */
    private static final class CappedRequest extends HttpServletRequestWrapper {
        private final long max;
        private final String limit;
        private ServletInputStream stream;
        volatile boolean exceeded;

        CappedRequest(HttpServletRequest request, long max, String limit) {
            super(request);
            this.max = max;
            this.limit = limit;
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
                        if (count > max) {
                            exceeded = true;
                            throw new BodyTooLargeException(max, limit);
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
}
