package dev.bnserve.data;

import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;

/** Counts bytes read and fails with {@link LimitExceeded} as soon as more than {@code max} were read. */
final class CountingInputStream extends FilterInputStream {

    /** Thrown through the decoding reader; translated into a {@link Problem} by the parser. */
    static final class LimitExceeded extends IOException {
        private static final long serialVersionUID = 1L;

        LimitExceeded(long max) {
            super("more than " + max + " bytes");
        }
    }

    private final long max;
    private long count;

    /** @param max byte limit; {@code <= 0} means unlimited */
    CountingInputStream(InputStream in, long max) {
        super(in);
        this.max = max <= 0 ? Long.MAX_VALUE : max;
    }

    @Override
    public int read() throws IOException {
        int b = super.read();
        if (b >= 0) {
            add(1);
        }
        return b;
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
        int n = super.read(b, off, len);
        if (n > 0) {
            add(n);
        }
        return n;
    }

    @Override
    public long skip(long n) throws IOException {
        long skipped = super.skip(n);
        add(skipped);
        return skipped;
    }

    @Override
    public boolean markSupported() {
        return false;
    }

    private void add(long n) throws LimitExceeded {
        count += n;
        if (count > max) {
            throw new LimitExceeded(max);
        }
    }
}
