package dev.bnserve.data;

import dev.bnserve.problem.Problem;
import dev.bnserve.problem.StorageProblems;
import dev.bnserve.problem.Violation;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.InterruptedIOException;
import java.io.Reader;
import java.io.SequenceInputStream;
import java.io.StringReader;
import java.nio.charset.Charset;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * Streaming, single-pass CSV to {@link Dataset} parser (RFC 4180; see {@link CsvTokenizer} for the dialect).
 * The first non-empty line is the header; empty lines are skipped. The delimiter is the one the {@link CsvOptions}
 * name, else detected from the header (see there). Values go straight into per-column primitive arrays (see
 * {@link ColumnBuilder}); no per-cell objects are retained.
 *
 * <p>Blank cells and the missing-value tokens ({@link CsvOptions#DEFAULT_MISSING_TOKENS} unless replaced:
 * {@code NA}, {@code N/A}, {@code NaN}, {@code null}, {@code None}, trimmed, any case) are missing values in every
 * column (counted, not rejected). A column is numeric if every other cell is a finite number, date if every other
 * cell is an ISO-8601 date or date-time ({@link DateColumn}), otherwise categorical with sorted levels. A column
 * without any value is numeric. {@code Infinity} literals (and {@code NaN} when it is no missing token) in an
 * otherwise numeric column are rejected. Problems are collected (up to {@link #MAX_ERRORS}) and thrown together
 * as a {@link Problem}. Instances are immutable and thread-safe.
 */
public final class CsvParser {

    /** Parsing stops once this many problems were found. */
    public static final int MAX_ERRORS = 20;
    /** Longest accepted field, in characters. */
    public static final int MAX_FIELD_CHARS = 1 << 20;

    private static final char[] CANDIDATES = new char[CsvOptions.DELIMITERS.size()];

    static {
        for (int k = 0; k < CANDIDATES.length; k++) {
            CANDIDATES[k] = CsvOptions.DELIMITERS.get(k);
        }
    }

    /** Bytes read at a time and parsed as one chunk (at record boundaries). */
    static final int CHUNK_BYTES = 1 << 20;
    /** A header or record longer than this (bytes, without an end) is read by the character path instead. */
    static final int MAX_RECORD_BYTES = 8 << 20;
    /** How much of the file the delimiter detection decodes (enough for the tokenizer's 64 Ki characters). */
    private static final int DETECT_BYTES = 320 << 10;

    private static final int THREADS = Math.max(1, Runtime.getRuntime().availableProcessors());
    private static final ExecutorService WORKERS = Executors.newFixedThreadPool(THREADS, r -> {
        Thread t = new Thread(r, "bnserve-csv");
        t.setDaemon(true);
        return t;
    });

    private final CsvLimits limits;
    private final boolean legacyOnly;
    private final int chunkBytes;
    private final int maxRecordBytes;

    public CsvParser(CsvLimits limits) {
        this(limits, false, CHUNK_BYTES, MAX_RECORD_BYTES);
    }

    /**
     * For tests: {@code legacyOnly} reads every input with the character path (the reference the byte path is
     * tested against); small {@code chunkBytes} and {@code maxRecordBytes} put chunk boundaries and the switch to
     * the character path everywhere.
     */
    CsvParser(CsvLimits limits, boolean legacyOnly, int chunkBytes, int maxRecordBytes) {
        this.limits = limits;
        this.legacyOnly = legacyOnly;
        this.chunkBytes = chunkBytes;
        this.maxRecordBytes = maxRecordBytes;
    }

    /**
     * Parses bytes in {@code charset} (a UTF-8 BOM is skipped; undecodable bytes are an error naming their
     * line and column), counting bytes
     * against {@link CsvLimits#maxBytes()}. Does not close the stream.
     *
     * @throws Problem for malformed input or a broken limit
     * @throws IOException      if reading fails
     */
    public Dataset parse(InputStream in, Charset charset, String name) throws IOException {
        return parse(in, charset, name, CsvOptions.defaults());
    }

    /**
     * Like {@link #parse(InputStream, Charset, String)}, reading as {@code options} say.
     *
     * @throws Problem for malformed input, a broken limit, or an explicit delimiter that leaves the header one column
     *     while it holds another candidate delimiter (naming the options' delimiter field)
     */
    public Dataset parse(InputStream in, Charset charset, String name, CsvOptions options) throws IOException {
        return parse(in, charset, name, options, -1);
    }

    /**
     * Like {@link #parse(InputStream, Charset, String, CsvOptions)}, told the input's length (as declared, e.g. a
     * Content-Length; -1 when unknown): the columns are then sized once from the first chunk's rows instead of
     * growing by copies. Only a hint; a wrong one costs memory or copies, never correctness.
     */
    public Dataset parse(InputStream in, Charset charset, String name, CsvOptions options, long expectedBytes)
            throws IOException {
        CountingInputStream counted = new CountingInputStream(in, limits.maxBytes());
        Run run = new Run(charset.name(), options);
        run.expectedBytes = expectedBytes;
        try {
            if (CsvBytes.supports(charset) && !legacyOnly) {
                return run.parseBytes(counted, charset, name);
            }
            // Undecodable bytes become a marker the tokenizer reports with its exact line and column.
            return run.parse(new InputStreamReader(counted, CsvBytes.newDecoder(charset)), name);
        } catch (CountingInputStream.LimitExceeded e) {
            throw run.limitExceeded();
        }
    }

    /** Parses characters; the byte limit does not apply. Does not close the reader. */
    public Dataset parse(Reader reader, String name) throws IOException {
        return parse(reader, name, CsvOptions.defaults());
    }

    /** Parses characters as {@code options} say; the byte limit does not apply. Does not close the reader. */
    public Dataset parse(Reader reader, String name, CsvOptions options) throws IOException {
        return new Run("Unicode", options).parse(reader, name);
    }

    /** State of one parse. */
    private final class Run implements CsvTokenizer.ErrorSink {

        final String charset;
        final CsvOptions options;
        final List<Violation> errors = new ArrayList<>();
        CsvTokenizer tokenizer;
        String[] header = new String[0];
        char delimiter;
        int width;
        int headerLine;
        ColumnBuilder[] builders;
        int rows;
        long expectedBytes = -1;
        boolean reserved;

        Run(String charset, CsvOptions options) {
            this.charset = charset;
            this.options = options;
        }

        /** The character path: one tokenizer over the whole text. */
        Dataset parse(Reader reader, String name) throws IOException {
            tokenizer = new CsvTokenizer(reader, this, MAX_FIELD_CHARS, charset);
            try {
                if (limits.maxColumns() > 0) {
                    tokenizer.keep(limits.maxColumns() + 1);
                }
                header(tokenizer.countInHeader(CANDIDATES));
                body();
                return finish(name);
            } catch (CsvTokenizer.Fatal e) {
                throw fatal(e);
            }
        }

        Problem fatal(CsvTokenizer.Fatal e) {
            return fail(Violation.cell(e.line, columnRef(e.field), e.getMessage()), false);
        }

        Problem limitExceeded() {
            return fail(
                    Violation.cell(
                            null,
                            null,
                            "the upload is larger than the limit of " + limits.maxBytes()
                                    + " bytes (bnserve.limits.max-upload-bytes)"),
                    true);
        }

        /**
         * The byte path: the header is found in bytes and read by the tokenizer; the body is cut into chunks of whole
         * records, parsed in parallel ({@link CsvBytes}) and merged in file order, so errors, limits and column types
         * come out as on the character path. A record that does not end within {@link #MAX_RECORD_BYTES} sends the
         * rest of the file to the character path.
         */
        Dataset parseBytes(InputStream in, Charset cs, String name) throws IOException {
            byte[] buf = new byte[Math.max(chunkBytes, DETECT_BYTES)];
            int len = in.readNBytes(buf, 0, DETECT_BYTES);
            boolean eof = len < DETECT_BYTES;
            int[] counts = new CsvTokenizer(
                            new StringReader(CsvBytes.decode(buf, len, cs)), this, MAX_FIELD_CHARS, charset)
                    .countInHeader(CANDIDATES);
            byte delim =
                    (byte) options.delimiter().orElse(CsvOptions.detect(counts)).charValue();
            // the header: the first record that is no empty line
            int p = cs.name().equals("UTF-8")
                            && len >= 3
                            && buf[0] == (byte) 0xEF
                            && buf[1] == (byte) 0xBB
                            && buf[2] == (byte) 0xBF
                    ? 3
                    : 0;
            int headerEnd;
            while (true) {
                int q = -1;
                if (p < len && (buf[p] == '\n' || (buf[p] == '\r' && (p + 1 < len || eof)))) {
                    p += buf[p] == '\r' && p + 1 < len && buf[p + 1] == '\n' ? 2 : 1;
                    continue;
                }
                if (p < len || eof) {
                    q = CsvBytes.recordEnd(buf, p, len, delim, eof);
                }
                if (q >= 0) {
                    headerEnd = q;
                    break;
                }
                if (len >= maxRecordBytes) { // a huge header: the character path reads it all
                    return parse(
                            new InputStreamReader(
                                    new SequenceInputStream(new ByteArrayInputStream(buf, 0, len), in),
                                    CsvBytes.newDecoder(cs)),
                            name);
                }
                if (len == buf.length) {
                    buf = Arrays.copyOf(buf, buf.length * 2);
                }
                int n = in.readNBytes(buf, len, buf.length - len);
                len += n;
                eof = len < buf.length;
            }
            tokenizer = new CsvTokenizer(
                    new StringReader(CsvBytes.decode(buf, headerEnd, cs)), this, MAX_FIELD_CHARS, charset);
            try {
                if (limits.maxColumns() > 0) {
                    tokenizer.keep(limits.maxColumns() + 1);
                }
                header(counts);
                int line = tokenizer.line();
                byte[] cur = new byte[Math.max(chunkBytes, len - headerEnd)];
                int curLen = len - headerEnd;
                System.arraycopy(buf, headerEnd, cur, 0, curLen);
                buf = null;
                ArrayDeque<Future<CsvBytes.Chunk>> inflight = new ArrayDeque<>();
                boolean limit = false;
                try {
                    while (true) {
                        if (!eof && curLen < cur.length) {
                            try {
                                int n = in.readNBytes(cur, curLen, cur.length - curLen);
                                curLen += n;
                                eof = curLen < cur.length;
                            } catch (CountingInputStream.LimitExceeded e) {
                                limit = true;
                                break;
                            }
                        }
                        int boundary;
                        boolean last;
                        if (curLen > chunkBytes) { // more than a chunk read: cut at the last record end in the first
                            boundary = CsvBytes.lastBoundary(cur, chunkBytes, delim);
                            if (boundary == 0) {
                                boundary = CsvBytes.lastBoundary(cur, curLen, delim);
                            }
                            last = boundary == 0 && eof;
                            if (last) {
                                boundary = curLen;
                            }
                        } else {
                            boundary = eof ? curLen : CsvBytes.lastBoundary(cur, curLen, delim);
                            last = eof;
                        }
                        if (boundary == 0 && !last) {
                            if (curLen >= maxRecordBytes) { // no record end in sight: the character path goes on
                                for (Future<CsvBytes.Chunk> f : inflight) {
                                    line = merge(get(f), line);
                                }
                                inflight.clear();
                                tokenizer = new CsvTokenizer(
                                        new InputStreamReader(
                                                new SequenceInputStream(new ByteArrayInputStream(cur, 0, curLen), in),
                                                CsvBytes.newDecoder(cs)),
                                        this,
                                        MAX_FIELD_CHARS,
                                        charset);
                                tokenizer.delimiter((char) (delim & 0xff));
                                tokenizer.keep(width);
                                tokenizer.startAt(line);
                                body();
                                return finish(name);
                            }
                            cur = Arrays.copyOf(cur, cur.length * 2);
                            continue;
                        }
                        final byte[] chunk = cur;
                        final int to = boundary;
                        inflight.add(WORKERS.submit(
                                () -> CsvBytes.parse(chunk, 0, to, width, delim, cs, options.missing())));
                        if (last) {
                            break;
                        }
                        cur = new byte[Math.max(chunkBytes, 2 * (curLen - boundary))];
                        System.arraycopy(chunk, boundary, cur, 0, curLen - boundary);
                        curLen -= boundary;
                        while (inflight.size() > THREADS + 1) {
                            line = merge(get(inflight.poll()), line);
                        }
                    }
                    while (!inflight.isEmpty()) {
                        line = merge(get(inflight.poll()), line);
                    }
                } finally {
                    for (Future<CsvBytes.Chunk> f : inflight) {
                        f.cancel(false);
                    }
                }
                if (limit) {
                    throw limitExceeded();
                }
                return finish(name);
            } catch (CsvTokenizer.Fatal e) {
                throw fatal(e);
            }
        }

        private <T> T get(Future<T> f) throws IOException {
            try {
                return f.get();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new InterruptedIOException("interrupted while parsing");
            } catch (ExecutionException e) {
                Throwable cause = e.getCause();
                if (cause instanceof RuntimeException r) {
                    throw r;
                }
                if (cause instanceof Error err) {
                    throw err;
                }
                throw new IOException(cause);
            }
        }

        /**
         * Adds a parsed chunk whose first line is {@code line}, replaying its events in file order as the character
         * path meets them; returns the line after it.
         */
        private int merge(CsvBytes.Chunk k, int line) throws IOException {
            int done = 0;
            for (CsvBytes.Event e : k.events) {
                countRows(k, line, done, e.goodRowsBefore);
                done = e.goodRowsBefore;
                if (e.record != null) {
                    CsvTokenizer t = new CsvTokenizer(
                            new StringReader(CsvBytes.decode(e.record, e.record.length, Charset.forName(charset))),
                            this,
                            MAX_FIELD_CHARS,
                            charset);
                    t.delimiter(delimiter);
                    t.keep(width);
                    t.startAt(line + e.line);
                    t.next(); // reports what the worker's tokenizer found, now with absolute lines
                    if (e.fatal) {
                        throw new IllegalStateException("a fatal record read without error on replay");
                    }
                }
                if (e.fields != width) {
                    wrongWidth(line + e.line, e.fields);
                }
            }
            countRows(k, line, done, k.rows);
            if (!reserved && k.rows > 0 && expectedBytes > k.bytes) {
                reserved = true;
                long estimate = (long) ((double) k.rows * expectedBytes / k.bytes * 1.02) + 16;
                estimate = Math.min(estimate, expectedBytes / (2L * width) + 16);
                if (limits.maxRows() > 0) {
                    estimate = Math.min(estimate, limits.maxRows());
                }
                for (ColumnBuilder b : builders) {
                    b.reserve((int) Math.min(estimate, Integer.MAX_VALUE - 16));
                }
            }
            for (int c = 0; c < width; c++) {
                add(k, c, line);
            }
            return line + k.lines;
        }

        private void countRows(CsvBytes.Chunk k, int line, int from, int to) {
            if (limits.maxRows() > 0 && rows + (to - from) > limits.maxRows()) {
                tooManyRows(line + k.rowLine[from + limits.maxRows() - rows]);
            }
            rows += to - from;
            checkStorage();
        }

        /** Stops the parse once the rows read so far could not be stored under the quota. */
        private void checkStorage() {
            if (limits.maxStoredBytes() > 0
                    && (long) rows * width * CsvLimits.MIN_STORED_CELL_BYTES > limits.maxStoredBytes()) {
                throw StorageProblems.quotaWhileReading(limits.storageQuota(), limits.maxStoredBytes());
            }
        }

        private void add(CsvBytes.Chunk k, int c, int line) {
            ColumnBuilder b = builders[c];
            double[] values = k.values[c];
            byte[] scales = k.scales[c];
            if (!k.hasText[c] && b.isNumeric()) {
                b.addPlainBlock(values, scales, k.rows, k.finite[c]);
                return;
            }
            int[] ids = k.text[c];
            String[] texts = k.texts[c] == null ? null : k.texts[c].strings;
            int[] codes = null;
            for (int r = 0; r < k.rows; r++) {
                byte s = scales[r];
                if (s >= 0) {
                    b.addPlain(values[r], s, line + k.rowLine[r]);
                } else if (s == CsvBytes.MISSING) {
                    b.addMissing();
                } else if (b.isCategorical()) {
                    if (codes == null) {
                        codes = new int[k.texts[c].size];
                        Arrays.fill(codes, Integer.MIN_VALUE);
                    }
                    int id = ids[r];
                    int code = codes[id];
                    if (code == Integer.MIN_VALUE) {
                        code = codes[id] = b.categoricalCode(texts[id], line + k.rowLine[r]);
                    }
                    b.addCategoricalCode(code);
                } else {
                    b.add(texts[ids[r]], line + k.rowLine[r]);
                }
            }
        }

        /** Reads the header (the delimiter detected from {@code counts} unless the options set it). */
        private void header(int[] counts) throws IOException {
            char detected = CsvOptions.detect(counts);
            delimiter = options.delimiter().orElse(detected);
            tokenizer.delimiter(delimiter);
            width = nextNonBlank();
            if (width < 0) {
                throw fail(Violation.cell(1, null, "the file is empty; the first line must be a header"), false);
            }
            headerLine = tokenizer.recordLine();
            if (width == 1 && options.delimiter().isPresent()) {
                checkSingleColumn(delimiter, counts);
            }
            if (limits.maxColumns() > 0 && width > limits.maxColumns()) {
                throw fail(
                        Violation.cell(
                                headerLine,
                                null,
                                "the header has " + width + " columns; the limit is " + limits.maxColumns()
                                        + " (bnserve.limits.max-columns)"),
                        true);
            }
            header = readHeader(width, headerLine);
            tokenizer.keep(width);
            builders = new ColumnBuilder[width];
            for (int i = 0; i < width; i++) {
                builders[i] = new ColumnBuilder(header[i], options.missing());
            }
        }

        /** The records after the header, read by {@link #tokenizer}. */
        private void body() throws IOException {
            int n;
            while ((n = nextNonBlank()) >= 0) {
                int line = tokenizer.recordLine();
                if (n != width) {
                    wrongWidth(line, n);
                    continue;
                }
                if (++rows > limits.maxRows() && limits.maxRows() > 0) {
                    tooManyRows(line);
                }
                if ((rows & 1023) == 0) {
                    checkStorage();
                }
                for (int i = 0; i < width; i++) {
                    builders[i].add(tokenizer.field(i), line);
                }
            }
        }

        private void wrongWidth(int line, int n) {
            error(line, null, "row " + line + " has " + n + " field" + (n == 1 ? "" : "s") + ", header has " + width);
        }

        private void tooManyRows(int line) {
            throw fail(
                    Violation.cell(
                            line,
                            null,
                            "more than " + limits.maxRows() + " data rows; the limit is " + limits.maxRows()
                                    + " (bnserve.limits.max-rows)"),
                    true);
        }

        private Dataset finish(String name) throws IOException {
            if (rows == 0 && errors.isEmpty()) {
                error(headerLine + 1, null, "the file has a header but no data rows");
            }
            for (ColumnBuilder b : builders) {
                if (!b.isCategorical() && b.nonFinite() > 0) {
                    error(
                            b.nonFiniteLine(),
                            b.name,
                            "'" + b.nonFiniteText() + "' is not a finite number"
                                    + (b.nonFinite() > 1 ? " (" + b.nonFinite() + " such cells in this column)" : "")
                                    + "; leave the cell empty"
                                    + (options.missing().contains("NA") ? " or write NA" : "")
                                    + " for a missing value");
                }
            }
            for (ColumnBuilder b : builders) {
                if (b.controls() > 0) {
                    String text = b.controlText();
                    error(
                            b.controlLine(),
                            b.name,
                            "the cell holds " + spelledChar(text.charAt(ColumnBuilder.controlAt(text)))
                                    + " at position " + (ColumnBuilder.controlAt(text) + 1)
                                    + (b.controls() > 1 ? " (" + b.controls() + " such values in this column)" : "")
                                    + "; cells must be printable text (tab and line breaks in quotes allowed)");
                }
            }
            if (!errors.isEmpty()) {
                throw CsvProblems.of(errors, false);
            }
            checkStorage();
            // the columns' summaries are a pass over each: in parallel
            List<Future<Column>> built = new ArrayList<>(width);
            for (int i = 0; i < width; i++) {
                built.add(WORKERS.submit(builders[i]::build));
                builders[i] = null;
            }
            List<Column> columns = new ArrayList<>(width);
            for (Future<Column> f : built) {
                columns.add(get(f));
            }
            return new Dataset(DatasetIds.newId(), name, Instant.now(), columns, delimiter);
        }

        /** An explicit delimiter left the header one column although it holds another candidate: say which. */
        private void checkSingleColumn(char delimiter, int[] counts) {
            StringBuilder found = new StringBuilder();
            for (int k = 0; k < counts.length; k++) {
                if (counts[k] > 0 && CANDIDATES[k] != delimiter) {
                    found.append(found.length() == 0 ? "" : ", ").append(CsvOptions.spelled(CANDIDATES[k]));
                }
            }
            if (found.length() == 0) {
                return;
            }
            char suggested = mostFrequentOther(counts, delimiter);
            String field = options.delimiterField() == null ? "delimiter" : options.delimiterField();
            throw Problem.malformed(
                    "With the delimiter " + CsvOptions.spelled(delimiter) + " the header is a single column, but it"
                            + " contains " + found + "; the file looks " + CsvOptions.spelled(suggested)
                            + "-separated: send delimiter=" + (suggested == '\t' ? "tab" : String.valueOf(suggested))
                            + " or leave the delimiter out to detect it.",
                    Violation.field(
                            field,
                            "the header has one column with delimiter " + CsvOptions.spelled(delimiter) + "; detected "
                                    + CsvOptions.spelled(suggested)));
        }

        /** The candidate other than {@code delimiter} seen most often (the first of equals). */
        private char mostFrequentOther(int[] counts, char delimiter) {
            int best = -1;
            for (int k = 0; k < counts.length; k++) {
                if (CANDIDATES[k] != delimiter && (best < 0 || counts[k] > counts[best])) {
                    best = k;
                }
            }
            return CANDIDATES[best];
        }

        private String[] readHeader(int width, int line) {
            String[] names = new String[width];
            Map<String, Integer> seen = new HashMap<>();
            for (int i = 0; i < width; i++) {
                String h = tokenizer.field(i).strip();
                names[i] = h;
                if (h.isEmpty()) {
                    error(line, String.valueOf(i + 1), "column " + (i + 1) + " has an empty name");
                    continue;
                }
                int bad = unprintable(h);
                if (bad >= 0) {
                    error(
                            line,
                            String.valueOf(i + 1),
                            "column " + (i + 1) + "'s name holds " + spelledChar(h.charAt(bad)) + " at position "
                                    + (bad + 1) + "; names must be printable text");
                    continue;
                }
                Integer first = seen.putIfAbsent(h, i + 1);
                if (first != null) {
                    error(
                            line,
                            String.valueOf(i + 1),
                            "duplicate column name '" + h + "' (columns " + first + " and " + (i + 1) + ")");
                }
            }
            if (!errors.isEmpty()) {
                throw CsvProblems.of(errors, false);
            }
            return names;
        }

        /**
         * The first control character (NUL included) or byte-order mark in a column name, else -1: such a name
         * cannot be typed in a request, and a second BOM (a file concatenated with another) would hide in it.
         */
        private static int unprintable(String name) {
            for (int i = 0; i < name.length(); i++) {
                char c = name.charAt(i);
                if (Character.isISOControl(c) || c == '\uFEFF') return i;
            }
            return -1;
        }

        private static String spelledChar(char c) {
            return c == '\uFEFF'
                    ? "a byte-order mark (U+FEFF)"
                    : String.format("the control character U+%04X", (int) c);
        }

        private int nextNonBlank() throws IOException {
            int n;
            do {
                n = tokenizer.next();
            } while (n >= 0 && tokenizer.blank());
            return n;
        }

        @Override
        public void error(int line, int field, String message) {
            error(line, columnRef(field), message);
        }

        void error(Integer line, String column, String message) {
            errors.add(Violation.cell(line, column, message));
            if (errors.size() >= MAX_ERRORS) {
                throw CsvProblems.of(errors, false);
            }
        }

        Problem fail(Violation error, boolean tooLarge) {
            if (errors.size() < MAX_ERRORS) {
                errors.add(error);
            }
            return CsvProblems.of(errors, tooLarge);
        }

        /** Column name when the header is known and valid, else the 1-based index. */
        String columnRef(int field) {
            return field < header.length ? header[field] : String.valueOf(field + 1);
        }
    }
}
