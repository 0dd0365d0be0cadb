package dev.bnserve.store.pg;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import org.springframework.jdbc.core.simple.JdbcClient;

/**
 * Large values as rows of at most {@link #SIZE} bytes ({@code <table>(<owner>, seq, data)}): written as a stream, read
 * back one chunk at a time, so neither side ever holds one giant {@code bytea}.
 */
final class Chunks {
    /** 1 MiB a row. */
    static final int SIZE = 1 << 20;

    private Chunks() {}

    /** What a write produced. */
    record Written(long bytes, int chunks) {}

    /** The body of a write: produces the bytes into {@code out}. */
    interface Body {
        void writeTo(OutputStream out) throws IOException;
    }

    /** Replaces the chunks of {@code owner} with what {@code body} writes (inside the caller's transaction). */
    static Written write(JdbcClient jdbc, String table, String ownerColumn, String owner, Body body) {
        jdbc.sql("DELETE FROM " + table + " WHERE " + ownerColumn + " = ?")
                .param(owner)
                .update();
        String insert = "INSERT INTO " + table + " (" + ownerColumn + ", seq, data) VALUES (?, ?, ?)";
        ChunkOutput out = new ChunkOutput(
                bytes -> jdbc.sql(insert).params(owner, bytes.seq, bytes.data).update());
        try {
            body.writeTo(out);
            out.close();
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
        return new Written(out.total, out.seq);
    }

    /** The chunks of {@code owner} as one stream (inside the caller's transaction, for a consistent view). */
    static InputStream read(JdbcClient jdbc, String table, String ownerColumn, String owner, int chunks) {
        String select = "SELECT data FROM " + table + " WHERE " + ownerColumn + " = ? AND seq = ?";
        return new InputStream() {
            private byte[] current = new byte[0];
            private int pos;
            private int next;

            private boolean fill() {
                while (pos >= current.length) {
                    if (next >= chunks) return false;
                    current = jdbc.sql(select)
                            .params(owner, next++)
                            .query(byte[].class)
                            .single();
                    pos = 0;
                }
                return true;
            }

            @Override
            public int read() {
                return fill() ? current[pos++] & 0xff : -1;
            }

            @Override
            public int read(byte[] b, int off, int len) {
                if (len == 0) return 0;
                if (!fill()) return -1;
                int n = Math.min(len, current.length - pos);
                System.arraycopy(current, pos, b, off, n);
                pos += n;
                return n;
            }
        };
    }

    private record Chunk(int seq, byte[] data) {}

    private interface Sink {
        void put(Chunk c);
    }

    private static final class ChunkOutput extends OutputStream {
        private final Sink sink;
        private final byte[] buffer = new byte[SIZE];
        private int used;
        int seq;
        long total;
        private boolean closed;

        ChunkOutput(Sink sink) {
            this.sink = sink;
        }

        @Override
        public void write(int b) {
            if (used == SIZE) emit();
            buffer[used++] = (byte) b;
            total++;
        }

        @Override
        public void write(byte[] b, int off, int len) {
            while (len > 0) {
                if (used == SIZE) emit();
                int n = Math.min(len, SIZE - used);
                System.arraycopy(b, off, buffer, used, n);
                used += n;
                off += n;
                len -= n;
                total += n;
            }
        }

        private void emit() {
            sink.put(new Chunk(seq++, java.util.Arrays.copyOf(buffer, used)));
            used = 0;
        }

        @Override
        public void close() {
            if (closed) return;
            closed = true;
            if (used > 0) emit();
        }
    }
}
