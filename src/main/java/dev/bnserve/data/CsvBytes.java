package dev.bnserve.data;

import java.io.IOException;
import java.io.StringReader;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.CharBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.Charset;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CodingErrorAction;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The byte-level half of {@link CsvParser}: record boundaries found in bytes, and chunks of whole records parsed
 * into per-column primitive arrays without an object per cell.
 *
 * <p>A <em>simple</em> record (ASCII only, no double quote, no field longer than {@link CsvParser#MAX_FIELD_CHARS})
 * is read here: a plain decimal ({@code -?(0|[1-9]\d*)(\.\d+)?}, at most 15 digits, not {@code -0}) becomes its
 * double (exact: the digits fit a long below 2<sup>53</sup> and the power of ten a double, so one correctly rounded
 * division gives {@link Double#parseDouble}'s bits) and its number of fraction digits; a blank cell is missing; any
 * other text is interned once per chunk and column. Every other record (quotes, non-ASCII bytes, undecodable bytes,
 * oversized fields) is decoded on its own and read by the same {@link CsvTokenizer} as the character path, so every
 * rule and message is that path's. The charset must map ASCII bytes to themselves and never use them inside a
 * multi-byte sequence (UTF-8, US-ASCII, ISO-8859-1).
 */
final class CsvBytes {

    static final byte TEXT = -2; // scale marking a cell held as text (its id in Chunk.text)
    static final byte MISSING = -1; // scale of a missing cell (value NaN), as ColumnBuilder's NO_SCALE
    private static final int START = 0;
    private static final int PLAIN = 1;
    private static final int QUOTED = 2;
    private static final int QUOTE_SEEN = 3;
    private static final VarHandle LONGS = MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);
    private static final double[] POW10 = new double[16];

    static {
        for (int i = 0; i < POW10.length; i++) {
            POW10[i] = Math.pow(10, i); // exact up to 1e22
        }
    }

    private CsvBytes() {}

    static boolean supports(Charset charset) {
        String n = charset.name();
        return n.equals("UTF-8") || n.equals("US-ASCII") || n.equals("ISO-8859-1");
    }

    /**
     * End (exclusive) of the record starting at {@code p}, read as {@link CsvTokenizer} reads it (a quote opens a
     * quoted field only as its first character; {@code ""} inside is a quote; after the closing quote, quotes are
     * literal). Returns -1 if the record does not end before {@code end}: a lone CR at {@code end} is not known to
     * end it unless {@code eof}; at {@code eof} an unfinished record ends at {@code end}.
     */
    static int recordEnd(byte[] b, int p, int end, byte delimiter, boolean eof) {
        int state = START;
        while (p < end) {
            byte c = b[p++];
            if (state == QUOTED) {
                if (c == '"') {
                    state = QUOTE_SEEN;
                }
                continue;
            }
            if (state == QUOTE_SEEN && c == '"') {
                state = QUOTED;
                continue;
            }
            if (c == delimiter) {
                state = START;
            } else if (c == '\n') {
                return p;
            } else if (c == '\r') {
                if (p < end) {
                    return b[p] == '\n' ? p + 1 : p;
                }
                return eof ? p : -1;
            } else if (c == '"' && state == START) {
                state = QUOTED;
            } else {
                state = PLAIN;
            }
        }
        return eof ? end : -1;
    }

    /** True if {@code b[from, to)} holds a double quote (eight bytes at a time). */
    static boolean hasQuote(byte[] b, int from, int to) {
        int i = from;
        for (; i + 8 <= to; i += 8) {
            long x = (long) LONGS.get(b, i) ^ 0x2222222222222222L;
            if (((x - 0x0101010101010101L) & ~x & 0x8080808080808080L) != 0) {
                return true;
            }
        }
        for (; i < to; i++) {
            if (b[i] == '"') {
                return true;
            }
        }
        return false;
    }

    /**
     * The end of the last whole record in {@code b[0, len)} (which starts at a record boundary), or 0 if there is
     * none yet. A CR at {@code len} is never a boundary (an LF may follow).
     */
    static int lastBoundary(byte[] b, int len, byte delimiter) {
        if (!hasQuote(b, 0, len)) {
            for (int i = len - 1; i >= 0; i--) {
                if (b[i] == '\n') {
                    return i + 1;
                }
            }
            for (int i = len - 2; i >= 0; i--) {
                if (b[i] == '\r') {
                    return i + 1;
                }
            }
            return 0;
        }
        int p = 0;
        int q;
        while (p < len && (q = recordEnd(b, p, len, delimiter, false)) >= 0) {
            p = q;
        }
        return p;
    }

    /** Something about one record the merge must replay in order: a wrong field count, or tokenizer errors. */
    static final class Event {
        final int goodRowsBefore; // good rows of the chunk before this record
        final int line; // chunk-relative line the record starts on
        final int fields; // its number of fields
        final byte[] record; // its bytes when the tokenizer reported anything, to re-read with absolute lines
        final boolean fatal; // reading it stopped the parse

        Event(int goodRowsBefore, int line, int fields, byte[] record, boolean fatal) {
            this.goodRowsBefore = goodRowsBefore;
            this.line = line;
            this.fields = fields;
            this.record = record;
            this.fatal = fatal;
        }
    }

    /** Text cells of one column of one chunk, each distinct text one string. */
    static final class Texts {
        String[] strings = new String[16];
        private int[] hashes = new int[16];
        private int[] table = new int[64]; // id + 1, 0 = empty
        int size;

        int id(byte[] b, int off, int len) {
            int h = 0;
            for (int i = off, e = off + len; i < e; i++) {
                h = 31 * h + b[i];
            }
            int mask = table.length - 1;
            for (int slot = mix(h) & mask; ; slot = (slot + 1) & mask) {
                int t = table[slot];
                if (t == 0) {
                    return add(new String(b, off, len, java.nio.charset.StandardCharsets.ISO_8859_1), h, slot);
                }
                String s = strings[t - 1];
                if (hashes[t - 1] == h && sameAscii(s, b, off, len)) {
                    return t - 1;
                }
            }
        }

        int id(String text) {
            int h = text.hashCode();
            int mask = table.length - 1;
            for (int slot = mix(h) & mask; ; slot = (slot + 1) & mask) {
                int t = table[slot];
                if (t == 0) {
                    return add(text, h, slot);
                }
                if (hashes[t - 1] == h && strings[t - 1].equals(text)) {
                    return t - 1;
                }
            }
        }

        private int add(String s, int h, int slot) {
            if (size == strings.length) {
                strings = Arrays.copyOf(strings, size * 2);
                hashes = Arrays.copyOf(hashes, size * 2);
            }
            strings[size] = s;
            hashes[size] = h;
            table[slot] = ++size;
            if (size * 2 > table.length) {
                rehash();
            }
            return size - 1;
        }

        private void rehash() {
            table = new int[table.length * 2];
            int mask = table.length - 1;
            for (int i = 0; i < size; i++) {
                int slot = mix(hashes[i]) & mask;
                while (table[slot] != 0) {
                    slot = (slot + 1) & mask;
                }
                table[slot] = i + 1;
            }
        }

        private static int mix(int h) {
            h *= 0x9E3779B9;
            return h ^ (h >>> 16);
        }

        private static boolean sameAscii(String s, byte[] b, int off, int len) {
            if (s.length() != len) {
                return false;
            }
            for (int i = 0; i < len; i++) {
                if (s.charAt(i) != b[off + i]) {
                    return false;
                }
            }
            return true;
        }
    }

    /** One chunk of whole records, parsed. */
    static final class Chunk {
        final int width;
        int rows; // good rows: as many fields as the header
        double[][] values;
        byte[][] scales;
        int[][] text; // per column, lazily: the Texts id of each TEXT cell
        Texts[] texts;
        int[] finite; // per column, plain numbers among the good rows
        boolean[] hasText; // per column, a TEXT cell (perhaps in a record with the wrong number of fields)
        int[] rowLine; // chunk-relative line of each good row
        final List<Event> events = new ArrayList<>();
        int lines; // physical lines the chunk spans
        int bytes; // its length
        boolean stopped; // a fatal event ended it

        Chunk(int width, int capacity) {
            this.width = width;
            values = new double[width][capacity];
            scales = new byte[width][capacity];
            text = new int[width][];
            texts = new Texts[width];
            finite = new int[width];
            hasText = new boolean[width];
            rowLine = new int[capacity];
        }

        void grow() {
            int cap = rowLine.length * 2;
            for (int c = 0; c < width; c++) {
                values[c] = Arrays.copyOf(values[c], cap);
                scales[c] = Arrays.copyOf(scales[c], cap);
                if (text[c] != null) {
                    text[c] = Arrays.copyOf(text[c], cap);
                }
            }
            rowLine = Arrays.copyOf(rowLine, cap);
        }

        void putText(int c, int row, int id) {
            if (text[c] == null) {
                text[c] = new int[rowLine.length];
            }
            text[c][row] = id;
            hasText[c] = true;
            scales[c][row] = TEXT;
            values[c][row] = Double.NaN;
        }

        Texts texts(int c) {
            Texts t = texts[c];
            if (t == null) {
                t = texts[c] = new Texts();
            }
            return t;
        }
    }

    /**
     * Parses the whole records in {@code b[from, to)} ({@code to} is a record boundary or the end of input).
     * Returns with {@link Chunk#stopped} after a record the tokenizer found fatal.
     */
    static Chunk parse(byte[] b, int from, int to, int width, byte delimiter, Charset charset, MissingTokens missing) {
        Chunk k = new Chunk(width, Math.max(16, (to - from) / Math.max(2, 6 * width) + 16));
        k.bytes = to - from;
        Reader reader = new Reader(b, to, width, delimiter, charset, missing, k);
        reader.run(from);
        for (int c = 0; c < width; c++) {
            byte[] s = k.scales[c];
            int n = 0;
            for (int r = 0; r < k.rows; r++) {
                n += s[r] >= 0 ? 1 : 0;
            }
            k.finite[c] = n;
        }
        return k;
    }

    /** The state of parsing one chunk. */
    private static final class Reader {
        final byte[] b;
        final int end;
        final int width;
        final byte delimiter;
        final Charset charset;
        final MissingTokens missing;
        final Chunk k;
        CharsetDecoder decoder;
        final boolean[] numberStart = new boolean[128]; // a plain number may start with this byte and not be missing

        Reader(byte[] b, int end, int width, byte delimiter, Charset charset, MissingTokens missing, Chunk k) {
            this.b = b;
            this.end = end;
            this.width = width;
            this.delimiter = delimiter;
            this.charset = charset;
            this.missing = missing;
            this.k = k;
            for (int c = '0'; c <= '9'; c++) {
                numberStart[c] = !missing.mayMatchStartingWith(c);
            }
            numberStart['-'] = !missing.mayMatchStartingWith('-');
        }

        void run(int p) {
            while (p < end) {
                if (k.rows == k.rowLine.length) {
                    k.grow();
                }
                int next = simple(p);
                if (next < 0) {
                    next = complex(p);
                    if (k.stopped) {
                        return;
                    }
                }
                p = next;
            }
        }

        /** Reads a simple record starting at {@code p}; returns its end, or -1 (nothing recorded) if it is not one. */
        private int simple(int p) {
            final byte[] b = this.b;
            final int end = this.end;
            final byte delimiter = this.delimiter;
            final int row = k.rows;
            final double[][] values = k.values;
            final byte[][] scales = k.scales;
            if (b[p] == '\n' || b[p] == '\r') { // an empty line: skipped
                k.lines++;
                return b[p] == '\r' && p + 1 < end && b[p + 1] == '\n' ? p + 2 : p + 1;
            }
            int field = 0;
            while (true) {
                int q = p;
                int i = p;
                if (i < end && b[i] == '"') { // "text" with no quote, line end or non-ASCII byte inside
                    int close = i + 1;
                    while (close < end) {
                        byte d = b[close];
                        if (d == '"' || d == '\n' || d == '\r' || d < 0) {
                            break;
                        }
                        close++;
                    }
                    if (close >= end || b[close] != '"' || close - i > CsvParser.MAX_FIELD_CHARS) {
                        return -1;
                    }
                    i = close + 1;
                    if (i < end && b[i] != delimiter && b[i] != '\n' && b[i] != '\r') {
                        return -1; // a second quote or text after the closing quote
                    }
                    if (field < width) {
                        cell(field, row, q + 1, close);
                    }
                } else {
                    // a plain decimal, read as it is scanned
                    boolean negative = i < end && b[i] == '-';
                    if (negative) {
                        i++;
                    }
                    int intStart = i;
                    long digits = 0;
                    int d;
                    while (i < end && (d = b[i] - '0') >= 0 && d <= 9) {
                        digits = digits * 10 + d;
                        i++;
                    }
                    int intDigits = i - intStart;
                    int fraction = 0;
                    boolean dot = i < end && b[i] == '.';
                    if (dot) {
                        int fracStart = ++i;
                        while (i < end && (d = b[i] - '0') >= 0 && d <= 9) {
                            digits = digits * 10 + d;
                            i++;
                        }
                        fraction = i - fracStart;
                    }
                    byte c;
                    if (i == end || (c = b[i]) == delimiter || c == '\n' || c == '\r') {
                        if (field < width) {
                            if (intDigits > 0
                                    && (intDigits == 1 || b[intStart] != '0')
                                    && (!dot || fraction > 0)
                                    && intDigits + fraction <= 15
                                    && numberStart[b[q]]
                                    && !(negative && digits == 0)) {
                                double v = fraction == 0 ? (double) digits : (double) digits / POW10[fraction];
                                values[field][row] = negative ? -v : v;
                                scales[field][row] = (byte) fraction;
                            } else if (i == q) {
                                values[field][row] = Double.NaN;
                                scales[field][row] = MISSING;
                            } else {
                                k.putText(field, row, k.texts(field).id(b, q, i - q));
                            }
                        }
                    } else {
                        while (i < end) {
                            c = b[i];
                            if (c == delimiter || c == '\n' || c == '\r') {
                                break;
                            }
                            if (c == '"' || c < 0) {
                                return -1;
                            }
                            i++;
                        }
                        if (i - q > CsvParser.MAX_FIELD_CHARS) {
                            return -1;
                        }
                        if (field < width) {
                            k.putText(field, row, k.texts(field).id(b, q, i - q));
                        }
                    }
                }
                field++;
                if (i == end) {
                    return finish(row, field, end, 0);
                }
                byte c = b[i];
                if (c == delimiter) {
                    p = i + 1;
                    continue;
                }
                int after = c == '\r' && i + 1 < end && b[i + 1] == '\n' ? i + 2 : i + 1;
                return finish(row, field, after, 1);
            }
        }

        private int finish(int row, int fields, int after, int lines) {
            if (fields == width) {
                k.rowLine[row] = k.lines;
                k.rows++;
            } else {
                k.events.add(new Event(row, k.lines, fields, null, false));
            }
            k.lines += lines;
            return after;
        }

        private void goodRow(int row, int line) {
            k.rowLine[row] = line;
            k.rows++;
        }

        /** A cell between quotes: missing if empty, else a number or a text as unquoted. */
        private void cell(int c, int row, int p, int q) {
            if (p == q) {
                k.values[c][row] = Double.NaN;
                k.scales[c][row] = MISSING;
                return;
            }
            byte first = b[p];
            if (first >= 0 && numberStart[first]) {
                int i = p;
                boolean negative = first == '-';
                if (negative) {
                    i++;
                }
                long digits = 0;
                int intStart = i;
                while (i < q && (b[i] - '0' & 0xff) <= 9) {
                    digits = digits * 10 + (b[i++] - '0');
                }
                int intDigits = i - intStart;
                int fraction = 0;
                boolean ok = intDigits > 0 && (intDigits == 1 || b[intStart] != '0');
                if (ok && i < q) {
                    if (b[i] == '.') {
                        int fracStart = ++i;
                        while (i < q && (b[i] - '0' & 0xff) <= 9) {
                            digits = digits * 10 + (b[i++] - '0');
                        }
                        fraction = i - fracStart;
                        ok = fraction > 0 && i == q;
                    } else {
                        ok = false;
                    }
                }
                if (ok && intDigits + fraction <= 15 && !(negative && digits == 0)) {
                    double v = fraction == 0 ? (double) digits : (double) digits / POW10[fraction];
                    k.values[c][row] = negative ? -v : v;
                    k.scales[c][row] = (byte) fraction;
                    return;
                }
            }
            k.putText(c, row, k.texts(c).id(b, p, q - p));
        }

        /** Reads the record at {@code p} with the character path's tokenizer. */
        private int complex(int p) {
            int after = recordEnd(b, p, end, delimiter, true);
            String text = decode(p, after);
            int line = k.lines;
            boolean[] reported = new boolean[1];
            CsvTokenizer t = new CsvTokenizer(
                    new StringReader(text), (l, f, m) -> reported[0] = true, CsvParser.MAX_FIELD_CHARS, charset.name());
            t.delimiter((char) (delimiter & 0xff));
            t.keep(width);
            t.startAt(0);
            int n;
            try {
                n = t.next();
            } catch (CsvTokenizer.Fatal | IOException e) {
                k.events.add(new Event(k.rows, line, 0, Arrays.copyOfRange(b, p, after), true));
                k.stopped = true;
                return end;
            }
            int row = k.rows;
            boolean good = n == width;
            if (good) {
                for (int c = 0; c < width; c++) {
                    String cell = t.field(c);
                    if (cell.isEmpty()) {
                        k.values[c][row] = Double.NaN;
                        k.scales[c][row] = MISSING;
                    } else {
                        k.putText(c, row, k.texts(c).id(cell));
                    }
                }
            }
            if (reported[0] || !good) {
                k.events.add(new Event(row, line, n, reported[0] ? Arrays.copyOfRange(b, p, after) : null, false));
            }
            if (good) {
                goodRow(row, line);
            }
            k.lines += t.line();
            return after;
        }

        private String decode(int from, int to) {
            if (decoder == null) {
                decoder = newDecoder(charset);
            }
            try {
                return decoder.reset()
                        .decode(ByteBuffer.wrap(b, from, to - from))
                        .toString();
            } catch (CharacterCodingException e) {
                throw new IllegalStateException(e); // cannot happen: errors are replaced
            }
        }
    }

    /** The decoder of the character path: undecodable bytes become {@link CsvTokenizer#UNDECODABLE}. */
    static CharsetDecoder newDecoder(Charset charset) {
        return charset.newDecoder()
                .onMalformedInput(CodingErrorAction.REPLACE)
                .onUnmappableCharacter(CodingErrorAction.REPLACE)
                .replaceWith(String.valueOf(CsvTokenizer.UNDECODABLE));
    }

    /** Decodes {@code b[0, len)} as the character path would. */
    static String decode(byte[] b, int len, Charset charset) {
        try {
            CharBuffer chars = newDecoder(charset).decode(ByteBuffer.wrap(b, 0, len));
            return chars.toString();
        } catch (CharacterCodingException e) {
            throw new IllegalStateException(e);
        }
    }
}
