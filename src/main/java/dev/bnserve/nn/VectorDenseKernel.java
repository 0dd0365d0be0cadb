package dev.bnserve.nn;

import jdk.incubator.vector.DoubleVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * {@link DenseKernel} on the JDK Vector API: each lane runs the same fma chain as the scalar
 * kernel for one output, four vectors of outputs at a time so the chains overlap.
 * Loaded (reflectively) by {@link Kernels} only when the Vector API is usable.
 */
final class VectorDenseKernel implements DenseKernel {
    private static final VectorSpecies<Double> S = DoubleVector.SPECIES_PREFERRED;
    private static final int L = S.length();
    /**
     * Eight rows per register block where the vectors are 512 bits wide: 16 accumulators, 2 weight vectors and a
     * broadcast fit AVX-512's 32 registers, and each weight vector, streamed from L2, serves twice the rows.
     */
    private static final boolean WIDE = L >= 8;

    @Override
    public String name() {
        return "vector" + (L * 64);
    }

    @Override
    public void dense(
            double[] x, int xOff, double[] c, double[] wt, double[] b, int in, int out, double[] y, int yOff) {
        int o = 0;
        for (; o + 4 * L <= out; o += 4 * L) {
            DoubleVector a0 = DoubleVector.fromArray(S, b, o);
            DoubleVector a1 = DoubleVector.fromArray(S, b, o + L);
            DoubleVector a2 = DoubleVector.fromArray(S, b, o + 2 * L);
            DoubleVector a3 = DoubleVector.fromArray(S, b, o + 3 * L);
            for (int i = 0, w = o; i < in; i++, w += out) {
                DoubleVector xi = DoubleVector.broadcast(S, x[xOff + i] - c[i]);
                a0 = xi.fma(DoubleVector.fromArray(S, wt, w), a0);
                a1 = xi.fma(DoubleVector.fromArray(S, wt, w + L), a1);
                a2 = xi.fma(DoubleVector.fromArray(S, wt, w + 2 * L), a2);
                a3 = xi.fma(DoubleVector.fromArray(S, wt, w + 3 * L), a3);
            }
            a0.intoArray(y, yOff + o);
            a1.intoArray(y, yOff + o + L);
            a2.intoArray(y, yOff + o + 2 * L);
            a3.intoArray(y, yOff + o + 3 * L);
        }
        for (; o + L <= out; o += L) {
            DoubleVector a0 = DoubleVector.fromArray(S, b, o);
            for (int i = 0, w = o; i < in; i++, w += out) {
                a0 = DoubleVector.broadcast(S, x[xOff + i] - c[i]).fma(DoubleVector.fromArray(S, wt, w), a0);
            }
            a0.intoArray(y, yOff + o);
        }
        // The last out % L outputs: the same fma chain in scalar form (masked vector ops box on JDK 17).
        for (; o < out; o++) {
            double acc = b[o];
            for (int i = 0, w = o; i < in; i++, w += out) acc = Math.fma(x[xOff + i] - c[i], wt[w], acc);
            y[yOff + o] = acc;
        }
    }

    /**
     * Four rows at a time: each weight vector is loaded once for four rows (the single-row kernel streams the whole
     * matrix per row), and every output is the chain {@link #dense} computes, {@code fma(x_i − c_i, w_io, acc)} for
     * i = 0, 1, … from {@code b_o}, with {@code x_i − c_i} computed once per row into {@code xc}.
     */
    @Override
    public void denseRows(
            double[] x,
            int xOff,
            int rows,
            double[] c,
            double[] wt,
            double[] b,
            int in,
            int out,
            double[] y,
            int yOff,
            double[] xc,
            int xo) {
        int r = 0;
        if (WIDE) {
            for (; r + 8 <= rows; r += 8) {
                int x0 = xOff + r * in;
                for (int q = 0; q < 8; q++) {
                    for (int i = 0; i < in; i++) xc[xo + q * in + i] = x[x0 + q * in + i] - c[i];
                }
                int y0 = yOff + r * out;
                int o = 0;
                for (; o + 2 * L <= out; o += 2 * L) block8x2(xc, xo, wt, b, in, out, o, y, y0);
                for (int half = 0; half < 2; half++) {
                    int xh = xo + half * 4 * in, yh = y0 + half * 4 * out;
                    int p = o;
                    for (; p + L <= out; p += L) block4x1(xc, xh, wt, b, in, out, p, y, yh);
                    for (; p + 2 <= out; p += 2) tail4x2(xc, xh, wt, b, in, out, p, y, yh);
                    if (p < out) tail4x1(xc, xh, wt, b, in, out, p, y, yh);
                }
            }
        }
        for (; r + 4 <= rows; r += 4) {
            int x0 = xOff + r * in;
            for (int q = 0; q < 4; q++) {
                for (int i = 0; i < in; i++) xc[xo + q * in + i] = x[x0 + q * in + i] - c[i];
            }
            int y0 = yOff + r * out;
            int o = 0;
            for (; o + 2 * L <= out; o += 2 * L) block4x2(xc, xo, wt, b, in, out, o, y, y0);
            for (; o + L <= out; o += L) block4x1(xc, xo, wt, b, in, out, o, y, y0);
            for (; o + 2 <= out; o += 2) tail4x2(xc, xo, wt, b, in, out, o, y, y0);
            if (o < out) tail4x1(xc, xo, wt, b, in, out, o, y, y0);
        }
        for (; r < rows; r++) dense(x, xOff + r * in, c, wt, b, in, out, y, yOff + r * out);
    }

    private static void block4x2(
            double[] xc, int xo, double[] wt, double[] b, int in, int out, int o, double[] y, int y0) {
        DoubleVector b0 = DoubleVector.fromArray(S, b, o);
        DoubleVector b1 = DoubleVector.fromArray(S, b, o + L);
        DoubleVector a00 = b0, a01 = b1, a10 = b0, a11 = b1, a20 = b0, a21 = b1, a30 = b0, a31 = b1;
        for (int i = 0, w = o; i < in; i++, w += out) {
            DoubleVector w0 = DoubleVector.fromArray(S, wt, w);
            DoubleVector w1 = DoubleVector.fromArray(S, wt, w + L);
            DoubleVector v0 = DoubleVector.broadcast(S, xc[xo + i]);
            DoubleVector v1 = DoubleVector.broadcast(S, xc[xo + in + i]);
            DoubleVector v2 = DoubleVector.broadcast(S, xc[xo + 2 * in + i]);
            DoubleVector v3 = DoubleVector.broadcast(S, xc[xo + 3 * in + i]);
            a00 = v0.fma(w0, a00);
            a01 = v0.fma(w1, a01);
            a10 = v1.fma(w0, a10);
            a11 = v1.fma(w1, a11);
            a20 = v2.fma(w0, a20);
            a21 = v2.fma(w1, a21);
            a30 = v3.fma(w0, a30);
            a31 = v3.fma(w1, a31);
        }
        a00.intoArray(y, y0 + o);
        a01.intoArray(y, y0 + o + L);
        a10.intoArray(y, y0 + out + o);
        a11.intoArray(y, y0 + out + o + L);
        a20.intoArray(y, y0 + 2 * out + o);
        a21.intoArray(y, y0 + 2 * out + o + L);
        a30.intoArray(y, y0 + 3 * out + o);
        a31.intoArray(y, y0 + 3 * out + o + L);
    }

    /** {@link #block4x2} for eight rows: the same chains, each weight vector loaded once for eight rows. */
    private static void block8x2(
            double[] xc, int xo, double[] wt, double[] b, int in, int out, int o, double[] y, int y0) {
        DoubleVector b0 = DoubleVector.fromArray(S, b, o);
        DoubleVector b1 = DoubleVector.fromArray(S, b, o + L);
        DoubleVector a00 = b0, a01 = b1, a10 = b0, a11 = b1, a20 = b0, a21 = b1, a30 = b0, a31 = b1;
        DoubleVector a40 = b0, a41 = b1, a50 = b0, a51 = b1, a60 = b0, a61 = b1, a70 = b0, a71 = b1;
        for (int i = 0, w = o; i < in; i++, w += out) {
            DoubleVector w0 = DoubleVector.fromArray(S, wt, w);
            DoubleVector w1 = DoubleVector.fromArray(S, wt, w + L);
            DoubleVector v = DoubleVector.broadcast(S, xc[xo + i]);
            a00 = v.fma(w0, a00);
            a01 = v.fma(w1, a01);
            v = DoubleVector.broadcast(S, xc[xo + in + i]);
            a10 = v.fma(w0, a10);
            a11 = v.fma(w1, a11);
            v = DoubleVector.broadcast(S, xc[xo + 2 * in + i]);
            a20 = v.fma(w0, a20);
            a21 = v.fma(w1, a21);
            v = DoubleVector.broadcast(S, xc[xo + 3 * in + i]);
            a30 = v.fma(w0, a30);
            a31 = v.fma(w1, a31);
            v = DoubleVector.broadcast(S, xc[xo + 4 * in + i]);
            a40 = v.fma(w0, a40);
            a41 = v.fma(w1, a41);
            v = DoubleVector.broadcast(S, xc[xo + 5 * in + i]);
            a50 = v.fma(w0, a50);
            a51 = v.fma(w1, a51);
            v = DoubleVector.broadcast(S, xc[xo + 6 * in + i]);
            a60 = v.fma(w0, a60);
            a61 = v.fma(w1, a61);
            v = DoubleVector.broadcast(S, xc[xo + 7 * in + i]);
            a70 = v.fma(w0, a70);
            a71 = v.fma(w1, a71);
        }
        a00.intoArray(y, y0 + o);
        a01.intoArray(y, y0 + o + L);
        a10.intoArray(y, y0 + out + o);
        a11.intoArray(y, y0 + out + o + L);
        a20.intoArray(y, y0 + 2 * out + o);
        a21.intoArray(y, y0 + 2 * out + o + L);
        a30.intoArray(y, y0 + 3 * out + o);
        a31.intoArray(y, y0 + 3 * out + o + L);
        a40.intoArray(y, y0 + 4 * out + o);
        a41.intoArray(y, y0 + 4 * out + o + L);
        a50.intoArray(y, y0 + 5 * out + o);
        a51.intoArray(y, y0 + 5 * out + o + L);
        a60.intoArray(y, y0 + 6 * out + o);
        a61.intoArray(y, y0 + 6 * out + o + L);
        a70.intoArray(y, y0 + 7 * out + o);
        a71.intoArray(y, y0 + 7 * out + o + L);
    }

    private static void block4x1(
            double[] xc, int xo, double[] wt, double[] b, int in, int out, int o, double[] y, int y0) {
        DoubleVector a0 = DoubleVector.fromArray(S, b, o);
        DoubleVector a1 = a0, a2 = a0, a3 = a0;
        for (int i = 0, w = o; i < in; i++, w += out) {
            DoubleVector w0 = DoubleVector.fromArray(S, wt, w);
            a0 = DoubleVector.broadcast(S, xc[xo + i]).fma(w0, a0);
            a1 = DoubleVector.broadcast(S, xc[xo + in + i]).fma(w0, a1);
            a2 = DoubleVector.broadcast(S, xc[xo + 2 * in + i]).fma(w0, a2);
            a3 = DoubleVector.broadcast(S, xc[xo + 3 * in + i]).fma(w0, a3);
        }
        a0.intoArray(y, y0 + o);
        a1.intoArray(y, y0 + out + o);
        a2.intoArray(y, y0 + 2 * out + o);
        a3.intoArray(y, y0 + 3 * out + o);
    }

    /** Two outputs of four rows in scalar form: eight independent chains, so the fma latency overlaps. */
    private static void tail4x2(
            double[] xc, int xo, double[] wt, double[] b, int in, int out, int o, double[] y, int y0) {
        double a00 = b[o], a01 = b[o + 1], a10 = a00, a11 = a01, a20 = a00, a21 = a01, a30 = a00, a31 = a01;
        for (int i = 0, w = o; i < in; i++, w += out) {
            double w0 = wt[w], w1 = wt[w + 1];
            double v0 = xc[xo + i], v1 = xc[xo + in + i], v2 = xc[xo + 2 * in + i], v3 = xc[xo + 3 * in + i];
            a00 = Math.fma(v0, w0, a00);
            a01 = Math.fma(v0, w1, a01);
            a10 = Math.fma(v1, w0, a10);
            a11 = Math.fma(v1, w1, a11);
            a20 = Math.fma(v2, w0, a20);
            a21 = Math.fma(v2, w1, a21);
            a30 = Math.fma(v3, w0, a30);
            a31 = Math.fma(v3, w1, a31);
        }
        y[y0 + o] = a00;
        y[y0 + o + 1] = a01;
        y[y0 + out + o] = a10;
        y[y0 + out + o + 1] = a11;
        y[y0 + 2 * out + o] = a20;
        y[y0 + 2 * out + o + 1] = a21;
        y[y0 + 3 * out + o] = a30;
        y[y0 + 3 * out + o + 1] = a31;
    }

    private static void tail4x1(
            double[] xc, int xo, double[] wt, double[] b, int in, int out, int o, double[] y, int y0) {
        double a0 = b[o], a1 = a0, a2 = a0, a3 = a0;
        for (int i = 0, w = o; i < in; i++, w += out) {
            double w0 = wt[w];
            a0 = Math.fma(xc[xo + i], w0, a0);
            a1 = Math.fma(xc[xo + in + i], w0, a1);
            a2 = Math.fma(xc[xo + 2 * in + i], w0, a2);
            a3 = Math.fma(xc[xo + 3 * in + i], w0, a3);
        }
        y[y0 + o] = a0;
        y[y0 + out + o] = a1;
        y[y0 + 2 * out + o] = a2;
        y[y0 + 3 * out + o] = a3;
    }
}
