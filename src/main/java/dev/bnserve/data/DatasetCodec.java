package dev.bnserve.data;

import java.io.BufferedInputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.EOFException;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.DoubleBuffer;
import java.nio.IntBuffer;
import java.nio.MappedByteBuffer;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.channels.FileChannel.MapMode;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.zip.CRC32;
import java.util.zip.CheckedInputStream;
import java.util.zip.CheckedOutputStream;

/**
 * Binary dataset format, version 2 (big-endian, {@link DataOutputStream}):
 * <pre>
 * int magic 'BNDS', int version,
 * str id, str name, long createdSeconds, int createdNanos, int rows, int columns,
 * char delimiter                                                    (version 2 only)
 * per column: str name, byte type (0 numeric, 1 categorical, 2 date (version 2 only)),
 *   numeric: rows x long (raw IEEE-754 bits, NaN = missing)
 *   categorical: int levels, levels x str, rows x int code (-1 = missing)
 *   date: byte hasTime (0/1), rows x long (raw bits of UTC epoch seconds, NaN = missing)
 * int CRC32 of everything above
 * </pre>
 * where {@code str} is an int byte length followed by UTF-8 bytes. Version 1 files (no delimiter, read as comma;
 * no date columns) are still read; only version 2 is written.
 *
 * <p>{@link #map} opens a stored file with its columns memory-mapped where they lie (a column's values are one run of
 * big-endian longs or ints, so a read-only {@link DoubleBuffer} / {@link IntBuffer} view of the mapping reads them in
 * place): a stored dataset takes no heap beyond its names, levels and summaries, for both versions, so nothing needs
 * migrating. {@link #read} decodes into heap arrays (the PostgreSQL store, which has no file to map).
 */
public final class DatasetCodec {

    static final int MAGIC = 0x424E4453;
    static final int VERSION = 2;
    static final int VERSION_1 = 1;
    private static final int MAX_STRING_BYTES = 4 * CsvParser.MAX_FIELD_CHARS;

    private static final int BLOCK = 1 << 16;
    // big-endian, as DataOutputStream writes; the double view writes raw bits (NaN payloads kept)
    private static final VarHandle DOUBLES = MethodHandles.byteArrayViewVarHandle(double[].class, ByteOrder.BIG_ENDIAN);
    private static final VarHandle INTS = MethodHandles.byteArrayViewVarHandle(int[].class, ByteOrder.BIG_ENDIAN);

    private DatasetCodec() {}

    public static void write(Dataset d, OutputStream out) throws IOException {
        CheckedOutputStream checked = new CheckedOutputStream(out, new CRC32());
        DataOutputStream data = new DataOutputStream(checked);
        data.writeInt(MAGIC);
        data.writeInt(VERSION);
        writeString(data, d.id());
        writeString(data, d.name());
        data.writeLong(d.created().getEpochSecond());
        data.writeInt(d.created().getNano());
        data.writeInt(d.rows());
        data.writeInt(d.columns().size());
        data.writeChar(d.delimiter());
        for (Column c : d.columns()) {
            writeString(data, c.name());
            if (c instanceof NumericColumn n) {
                data.writeByte(0);
                writeDoubles(data, n.values());
            } else if (c instanceof DateColumn t) {
                data.writeByte(2);
                data.writeByte(t.hasTime() ? 1 : 0);
                writeDoubles(data, t.values());
            } else {
                CategoricalColumn k = (CategoricalColumn) c;
                data.writeByte(1);
                data.writeInt(k.distinct());
                for (String level : k.levels()) {
                    writeString(data, level);
                }
                writeInts(data, k.rawCodes());
            }
        }
        data.flush();
        new DataOutputStream(out).writeInt((int) checked.getChecksum().getValue());
        out.flush();
    }

    /** As {@code writeLong(doubleToRawLongBits(v))} for each value, a block of bytes at a time. */
    private static void writeDoubles(DataOutputStream data, DoubleBuffer values) throws IOException {
        byte[] block = new byte[BLOCK];
        double[] chunk = new double[BLOCK / Double.BYTES];
        int size = values.limit();
        for (int from = 0; from < size; from += chunk.length) {
            int n = Math.min(chunk.length, size - from);
            values.get(from, chunk, 0, n);
            for (int i = 0; i < n; i++) {
                DOUBLES.set(block, i * Double.BYTES, chunk[i]);
            }
            data.write(block, 0, n * Double.BYTES);
        }
    }

    /** As {@code writeInt} for each value, a block of bytes at a time. */
    private static void writeInts(DataOutputStream data, IntBuffer values) throws IOException {
        byte[] block = new byte[BLOCK];
        int[] chunk = new int[BLOCK / Integer.BYTES];
        int size = values.limit();
        for (int from = 0; from < size; from += chunk.length) {
            int n = Math.min(chunk.length, size - from);
            values.get(from, chunk, 0, n);
            for (int i = 0; i < n; i++) {
                INTS.set(block, i * Integer.BYTES, chunk[i]);
            }
            data.write(block, 0, n * Integer.BYTES);
        }
    }

    /**
     * @param length total stream length, used to reject absurd sizes before allocating
     * @throws IOException if the stream is truncated, corrupt or of an unknown version
     */
    public static Dataset read(InputStream in, long length) throws IOException {
        CheckedInputStream checked = new CheckedInputStream(in, new CRC32());
        DataInputStream data = new DataInputStream(checked);
        if (data.readInt() != MAGIC) {
            throw new IOException("not a dataset file (bad magic number)");
        }
        int version = data.readInt();
        if (version != VERSION && version != VERSION_1) {
            throw new IOException("unsupported dataset format version " + version);
        }
        String id = readString(data);
        String name = readString(data);
        Instant created = Instant.ofEpochSecond(data.readLong(), data.readInt());
        int rows = data.readInt();
        int width = data.readInt();
        if (rows < 0 || width <= 0 || (long) rows * width * Integer.BYTES > length) {
            throw new IOException("corrupt header: rows=" + rows + ", columns=" + width);
        }
        char delimiter = version == VERSION_1 ? ',' : data.readChar();
        if (!CsvOptions.DELIMITERS.contains(delimiter)) {
            throw new IOException("corrupt header: delimiter " + (int) delimiter);
        }
        List<Column> columns = new ArrayList<>(Math.min(width, 1 << 16));
        for (int j = 0; j < width; j++) {
            String columnName = readString(data);
            int type = data.readByte();
            if (type == 0) {
                double[] values = new double[rows];
                for (int i = 0; i < rows; i++) {
                    values[i] = Double.longBitsToDouble(data.readLong());
                }
                columns.add(new NumericColumn(columnName, values));
            } else if (type == 1) {
                int distinct = data.readInt();
                if (distinct < 0 || distinct > rows) {
                    throw new IOException("corrupt column '" + columnName + "': " + distinct + " levels");
                }
                List<String> levels = new ArrayList<>(distinct);
                for (int i = 0; i < distinct; i++) {
                    levels.add(readString(data));
                }
                int[] codes = new int[rows];
                for (int i = 0; i < rows; i++) {
                    codes[i] = data.readInt();
                }
                columns.add(new CategoricalColumn(columnName, codes, levels));
            } else if (type == 2 && version >= VERSION) {
                int hasTime = data.readByte();
                if (hasTime != 0 && hasTime != 1) {
                    throw new IOException("corrupt column '" + columnName + "': hasTime " + hasTime);
                }
                double[] values = new double[rows];
                for (int i = 0; i < rows; i++) {
                    values[i] = Double.longBitsToDouble(data.readLong());
                }
                columns.add(new DateColumn(columnName, values, hasTime == 1));
            } else {
                throw new IOException("corrupt column '" + columnName + "': type " + type);
            }
        }
        int expected = (int) checked.getChecksum().getValue();
        int stored = new DataInputStream(in).readInt();
        if (stored != expected) {
            throw new IOException("checksum mismatch");
        }
        if (in.read() != -1) {
            throw new IOException("trailing bytes after checksum");
        }
        try {
            return new Dataset(id, name, created, columns, delimiter);
        } catch (IllegalArgumentException e) {
            throw new IOException("inconsistent dataset: " + e.getMessage(), e);
        }
    }

    /**
     * Opens a stored file (version 1 or 2) with its columns memory-mapped, read-only: the values stay in the file (the
     * operating system's page cache), not in the heap; only names, levels and summaries are read into it. The whole
     * file is checked (magic, version, structure, CRC) as {@link #read} does, reading it once through a small buffer.
     * The file must not be changed while mapped (the stores never do: a dataset is written once, under a new name, and
     * deleted by unlinking, which leaves open mappings valid until they are dropped).
     *
     * @throws IOException if the file is truncated, corrupt or of an unknown version
     */
    public static Dataset map(Path file) throws IOException {
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ)) {
            long length = channel.size();
            Positioned counted = new Positioned(new BufferedInputStream(Channels.newInputStream(channel), BLOCK));
            CheckedInputStream checked = new CheckedInputStream(counted, new CRC32());
            DataInputStream data = new DataInputStream(checked);
            if (data.readInt() != MAGIC) {
                throw new IOException("not a dataset file (bad magic number)");
            }
            int version = data.readInt();
            if (version != VERSION && version != VERSION_1) {
                throw new IOException("unsupported dataset format version " + version);
            }
            String id = readString(data);
            String name = readString(data);
            Instant created = Instant.ofEpochSecond(data.readLong(), data.readInt());
            int rows = data.readInt();
            int width = data.readInt();
            if (rows < 0 || width <= 0 || (long) rows * width * Integer.BYTES > length) {
                throw new IOException("corrupt header: rows=" + rows + ", columns=" + width);
            }
            char delimiter = version == VERSION_1 ? ',' : data.readChar();
            if (!CsvOptions.DELIMITERS.contains(delimiter)) {
                throw new IOException("corrupt header: delimiter " + (int) delimiter);
            }
            // one mapping for the file, or one per column where the file is beyond a buffer's 2 GB
            MappedByteBuffer whole = length <= Integer.MAX_VALUE ? channel.map(MapMode.READ_ONLY, 0, length) : null;
            List<Column> columns = new ArrayList<>(Math.min(width, 1 << 16));
            byte[] skip = new byte[BLOCK];
            for (int j = 0; j < width; j++) {
                String columnName = readString(data);
                int type = data.readByte();
                if (type == 0 || (type == 2 && version >= VERSION)) {
                    int hasTime = type == 2 ? data.readByte() : 0;
                    if (hasTime != 0 && hasTime != 1) {
                        throw new IOException("corrupt column '" + columnName + "': hasTime " + hasTime);
                    }
                    long at = counted.position;
                    skip(data, skip, (long) rows * Double.BYTES);
                    DoubleBuffer values = region(channel, whole, at, (long) rows * Double.BYTES)
                            .asDoubleBuffer();
                    columns.add(
                            type == 0
                                    ? new NumericColumn(columnName, values)
                                    : new DateColumn(columnName, values, hasTime == 1));
                } else if (type == 1) {
                    int distinct = data.readInt();
                    if (distinct < 0 || distinct > rows) {
                        throw new IOException("corrupt column '" + columnName + "': " + distinct + " levels");
                    }
                    List<String> levels = new ArrayList<>(distinct);
                    for (int i = 0; i < distinct; i++) {
                        levels.add(readString(data));
                    }
                    long at = counted.position;
                    skip(data, skip, (long) rows * Integer.BYTES);
                    IntBuffer codes = region(channel, whole, at, (long) rows * Integer.BYTES)
                            .asIntBuffer();
                    columns.add(new CategoricalColumn(columnName, codes, levels));
                } else {
                    throw new IOException("corrupt column '" + columnName + "': type " + type);
                }
            }
            int expected = (int) checked.getChecksum().getValue();
            int stored = new DataInputStream(counted).readInt();
            if (stored != expected) {
                throw new IOException("checksum mismatch");
            }
            if (counted.read() != -1) {
                throw new IOException("trailing bytes after checksum");
            }
            try {
                return new Dataset(id, name, created, columns, delimiter);
            } catch (IllegalArgumentException e) {
                throw new IOException("inconsistent dataset: " + e.getMessage(), e);
            }
        }
    }

    /** Reads (for the checksum) and drops {@code n} bytes. */
    private static void skip(DataInputStream data, byte[] scratch, long n) throws IOException {
        while (n > 0) {
            int k = (int) Math.min(scratch.length, n);
            try {
                data.readFully(scratch, 0, k);
            } catch (EOFException e) {
                throw new IOException("truncated file", e);
            }
            n -= k;
        }
    }

    /** Bytes {@code at} to {@code at + n} of the file, big-endian, as a read-only mapped buffer. */
    private static ByteBuffer region(FileChannel channel, MappedByteBuffer whole, long at, long n) throws IOException {
        if (n > Integer.MAX_VALUE) throw new IOException("a column beyond 2 GB");
        if (whole == null) return channel.map(MapMode.READ_ONLY, at, n).order(ByteOrder.BIG_ENDIAN);
        return whole.slice((int) at, (int) n).order(ByteOrder.BIG_ENDIAN);
    }

    /** Counts the bytes read from the stream it wraps: the file offset of what comes next. */
    private static final class Positioned extends FilterInputStream {
        long position;

        Positioned(InputStream in) {
            super(in);
        }

        @Override
        public int read() throws IOException {
            int b = super.read();
            if (b >= 0) position++;
            return b;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            int n = super.read(b, off, len);
            if (n > 0) position += n;
            return n;
        }

        @Override
        public long skip(long n) throws IOException {
            long k = super.skip(n);
            position += k;
            return k;
        }
    }

    private static void writeString(DataOutputStream out, String s) throws IOException {
        byte[] bytes = s.getBytes(StandardCharsets.UTF_8);
        out.writeInt(bytes.length);
        out.write(bytes);
    }

    private static String readString(DataInputStream in) throws IOException {
        int n = in.readInt();
        if (n < 0 || n > MAX_STRING_BYTES) {
            throw new IOException("corrupt string length " + n);
        }
        byte[] bytes = new byte[n];
        try {
            in.readFully(bytes);
        } catch (EOFException e) {
            throw new IOException("truncated file", e);
        }
        return new String(bytes, StandardCharsets.UTF_8);
    }
}
