package dev.bnserve.data;

import java.io.IOException;
import java.io.Reader;
import java.util.Arrays;

/**
 * RFC 4180 record reader: a configurable separator (comma unless {@link #delimiter(char)} says otherwise), double-quote quoting with {@code ""} escapes, CRLF / LF / CR line
 * ends, optional leading BOM, optional final line end. Fields are handed out as transient strings in a reused
 * array; nothing is retained between records. Physical line numbers (1-based) are tracked for messages.
 */
final class CsvTokenizer {

    /** Receives recoverable syntax errors; {@code field} is 0-based. */
    interface ErrorSink {
        void error(int line, int field, String message);
    }

    /** Unrecoverable syntax error (e.g. unterminated quote). */
    static final class Fatal extends RuntimeException {
        private static final long serialVersionUID = 1L;
        final int line;
        final int field;

        Fatal(int line, int field, String message) {
            super(message, null, false, false);
            this.line = line;
            this.field = field;
        }
    }

    /**
     * Marks bytes the decoder could not decode (a Unicode non-character, never expected in text); reaching it
     * is a fatal error.
     */
    static final char UNDECODABLE = '\uFFFF';

    private final Reader in;
    private final ErrorSink sink;
    private final int maxFieldChars;
    private final String charset;
    private final char[] buf = new char[1 << 16];
    private int pos;
    private int lim;
    private boolean started;
    private int line = 1;
    private int recordLine;
    private boolean blank;
    private int keep = Integer.MAX_VALUE;
    private char delimiter = ',';
    private final StringBuilder field = new StringBuilder(64);
    private String[] fields = new String[16];

    CsvTokenizer(Reader in, ErrorSink sink, int maxFieldChars, String charset) {
        this.in = in;
        this.sink = sink;
        this.maxFieldChars = maxFieldChars;
        this.charset = charset;
    }

    /** The field separator; set before the first {@link #next()}. */
    void delimiter(char delimiter) {
        this.delimiter = delimiter;
    }

    /**
     * Counts each of {@code candidates} outside double quotes in the first non-empty line, reading ahead without
     * consuming anything; call before the first {@link #next()}. Looks at most one buffer (64 Ki characters) ahead:
     * of a longer header only that much is counted.
     */
    int[] countInHeader(char[] candidates) throws IOException {
        if (started || pos != 0) {
            throw new IllegalStateException("the header must be scanned before reading");
        }
        int[] counts = new int[candidates.length];
        boolean quoted = false;
        boolean content = false;
        for (int i = 0; ; ) {
            if (i == lim && !fillMore()) {
                break;
            }
            char c = buf[i++];
            if (c == UNDECODABLE) {
                break; // next() reports it
            }
            if (c == '"') {
                quoted = !quoted;
            } else if (!quoted && (c == '\n' || c == '\r')) {
                if (content) {
                    break;
                }
                continue;
            } else if (i == 1 && c == '\uFEFF') {
                continue; // byte order mark
            } else if (!quoted) {
                for (int k = 0; k < candidates.length; k++) {
                    if (c == candidates[k]) {
                        counts[k]++;
                    }
                }
            }
            content = true;
        }
        return counts;
    }

    /** Store at most {@code keep} fields per record (the rest are only counted). */
    void keep(int keep) {
        this.keep = keep;
    }

    /**
     * Continues a file already read up to a record boundary on {@code line} (the byte-level reader hands single
     * records to this tokenizer): no byte-order mark is looked for, and lines count from {@code line}.
     */
    void startAt(int line) {
        this.started = true;
        this.line = line;
    }

    /** The current physical line: after a record, the line the next one starts on. */
    int line() {
        return line;
    }

    /** Line on which the last record started. */
    int recordLine() {
        return recordLine;
    }

    /** True if the last record was an empty line. */
    boolean blank() {
        return blank;
    }

    /** Field {@code i} of the last record ({@code i < min(count, keep)}). */
    String field(int i) {
        return fields[i];
    }

    /**
     * Reads the next record.
     *
     * @return its number of fields, or -1 at end of input
     * @throws Fatal on an unterminated quote or an oversized field
     */
    int next() throws IOException {
        int c = read();
        if (!started) {
            started = true;
            if (c == '\uFEFF') {
                c = read();
            }
        }
        if (c < 0) {
            return -1;
        }
        recordLine = line;
        field.setLength(0);
        int n = 0;
        boolean quoted = false; // the current field started with a quote
        boolean closed = false; // ... and its closing quote was seen
        boolean reported = false; // junk after the closing quote already reported for this field
        int quoteLine = 0;
        while (true) {
            if (c == UNDECODABLE) {
                throw new Fatal(
                        line,
                        n,
                        "the file is not valid " + charset + " text (undecodable bytes);" + " save it as UTF-8");
            }
            if (quoted && !closed) {
                if (c < 0) {
                    throw new Fatal(
                            quoteLine,
                            n,
                            "unterminated quoted field: the quote opened on line " + quoteLine + " is never closed");
                }
                if (c == '"') {
                    if (peek() == '"') {
                        read();
                        append('"', n);
                    } else {
                        closed = true;
                    }
                } else {
                    if (c == '\n') {
                        line++;
                    }
                    append((char) c, n);
                }
            } else if (c == delimiter) {
                store(n++);
                quoted = closed = reported = false;
            } else if (c == '\n' || c == '\r' || c < 0) {
                if (c == '\r' && peek() == '\n') {
                    read();
                }
                if (c >= 0) {
                    line++;
                }
                blank = n == 0 && !quoted && field.length() == 0;
                store(n++);
                return n;
            } else if (c == '"' && !quoted && field.length() == 0) {
                quoted = true;
                quoteLine = line;
            } else {
                if (closed && !reported) {
                    sink.error(
                            line,
                            n,
                            "unexpected character '" + (char) c + "' after a closing quote;"
                                    + " quote the whole field and double any quote inside it");
                    reported = true;
                }
                append((char) c, n);
                scanPlain(n);
            }
            c = read();
        }
    }

    /** Fast path: copy a run of ordinary characters straight from the buffer. */
    private void scanPlain(int n) {
        int start = pos;
        int p = pos;
        char sep = delimiter;
        while (p < lim) {
            char d = buf[p];
            if (d == sep || d == '\n' || d == '\r' || d == '"' || d == UNDECODABLE) {
                break;
            }
            p++;
        }
        if (p > start) {
            if (field.length() + (p - start) > maxFieldChars) {
                throw new Fatal(line, n, "a field is longer than " + maxFieldChars + " characters");
            }
            field.append(buf, start, p - start);
            pos = p;
        }
    }

    private void append(char c, int n) {
        if (field.length() >= maxFieldChars) {
            throw new Fatal(
                    line, n, "a field is longer than " + maxFieldChars + " characters" + " (is a quote left open?)");
        }
        field.append(c);
    }

    private void store(int n) {
        if (n < keep) {
            if (n == fields.length) {
                fields = Arrays.copyOf(fields, n * 2);
            }
            fields[n] = field.toString();
        }
        field.setLength(0);
    }

    private int read() throws IOException {
        if (pos >= lim && !fill()) {
            return -1;
        }
        return buf[pos++];
    }

    private int peek() throws IOException {
        if (pos >= lim && !fill()) {
            return -1;
        }
        return buf[pos];
    }

    /** Appends to the buffered characters; false at end of input or when the buffer is full. */
    private boolean fillMore() throws IOException {
        if (lim == buf.length) {
            return false;
        }
        int n;
        do {
            n = in.read(buf, lim, buf.length - lim);
        } while (n == 0);
        if (n < 0) {
            return false;
        }
        lim += n;
        return true;
    }

    private boolean fill() throws IOException {
        int n;
        do {
            n = in.read(buf, 0, buf.length);
        } while (n == 0);
        if (n < 0) {
            return false;
        }
        pos = 0;
        lim = n;
        return true;
    }
}
