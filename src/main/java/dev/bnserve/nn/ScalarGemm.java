package dev.bnserve.nn;

import java.util.Arrays;

/**
 * Pure-Java {@link GemmEngine}: B is packed per (k-block × column-block) into a contiguous row-major buffer, and C
 * is updated four rows at a time in i-k-j order with {@link Math#fma}.
 */
final class ScalarGemm extends GemmEngine {
    private static final int KC = 256;
    private static final int NB = 256;
    private double[] bbuf = new double[0];

    @Override
    String name() {
        return "scalar";
    }

    @Override
    void run(
            boolean transA,
            boolean transB,
            int m,
            int n,
            int k,
            double[] a,
            int aOff,
            int lda,
            double[] b,
            int bOff,
            int ldb,
            double[] c,
            int cOff,
            int ldc,
            boolean accumulate) {
        int need = Math.min(KC, k) * Math.min(NB, n);
        if (bbuf.length < need) bbuf = new double[need];
        double[] bb = bbuf;
        int as = transA ? lda : 1; // stride along p in A
        int ai = transA ? 1 : lda; // stride along i in A
        for (int jc = 0; jc < n; jc += NB) {
            int nb = Math.min(NB, n - jc);
            for (int pc = 0; pc < k; pc += KC) {
                int kc = Math.min(KC, k - pc);
                boolean load = accumulate || pc > 0;
                if (transB) {
                    for (int j = 0; j < nb; j++) {
                        int src = bOff + (jc + j) * ldb + pc;
                        for (int p = 0, d = j; p < kc; p++, d += nb) bb[d] = b[src + p];
                    }
                } else {
                    for (int p = 0; p < kc; p++) System.arraycopy(b, bOff + (pc + p) * ldb + jc, bb, p * nb, nb);
                }
                int i = 0;
                for (; i + 4 <= m; i += 4) {
                    int c0 = cOff + i * ldc + jc, c1 = c0 + ldc, c2 = c1 + ldc, c3 = c2 + ldc;
                    if (!load) {
                        Arrays.fill(c, c0, c0 + nb, 0.0);
                        Arrays.fill(c, c1, c1 + nb, 0.0);
                        Arrays.fill(c, c2, c2 + nb, 0.0);
                        Arrays.fill(c, c3, c3 + nb, 0.0);
                    }
                    int ap = aOff + i * ai + pc * as;
                    for (int p = 0; p < kc; p++, ap += as) {
                        double a0 = a[ap], a1 = a[ap + ai], a2 = a[ap + 2 * ai], a3 = a[ap + 3 * ai];
                        int bp = p * nb;
                        for (int j = 0; j < nb; j++) {
                            double bv = bb[bp + j];
                            c[c0 + j] = Math.fma(a0, bv, c[c0 + j]);
                            c[c1 + j] = Math.fma(a1, bv, c[c1 + j]);
                            c[c2 + j] = Math.fma(a2, bv, c[c2 + j]);
                            c[c3 + j] = Math.fma(a3, bv, c[c3 + j]);
                        }
                    }
                }
                for (; i < m; i++) {
                    int c0 = cOff + i * ldc + jc;
                    if (!load) Arrays.fill(c, c0, c0 + nb, 0.0);
                    int ap = aOff + i * ai + pc * as;
                    for (int p = 0; p < kc; p++, ap += as) {
                        double a0 = a[ap];
                        int bp = p * nb;
                        for (int j = 0; j < nb; j++) c[c0 + j] = Math.fma(a0, bb[bp + j], c[c0 + j]);
                    }
                }
            }
        }
    }
}
