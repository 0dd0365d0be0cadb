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
}
