package dev.bnserve.nn;

import java.util.Arrays;
import jdk.incubator.vector.DoubleVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * {@link Gemm} engine on the JDK Vector API, BLIS style: op(A) is packed into {@value #MR}-row
 * micro-panels and op(B) into column micro-panels of 4, 2 or 1 vectors, so every transpose case runs
 * the same register-blocked micro-kernels (at most 16 accumulators / 16 FMAs per k step, small enough
 * to stay inlined). Edge tiles go through a small scratch tile. Each accumulator starts from C (or
 * zero) and takes the FMAs in ascending k, so results equal the scalar engine's bit for bit.
 * Loaded (reflectively) by {@link Kernels} only when the Vector API is usable.
 */
final class VectorGemm extends GemmEngine {
    private static final VectorSpecies<Double> S = DoubleVector.SPECIES_PREFERRED;
    private static final int L = S.length();
    static final int MR = 4;
    private static final int NR = 4 * L;
    private static final int KC = 256;
    private static final int MC = 128;
    private static final int NC = 2048;
    /** Read B in place (no packing) when op(B) is not transposed and m is at most this. */
    private static final int DIRECT_B_MAX_M = 16;
    /** Read A in place (no packing) when n is at most this. */
    private static final int DIRECT_A_MAX_N = 64;

    private double[] apack = new double[0];
    private double[] bpack = new double[0];
    private final double[] tile = new double[MR * NR];

    @Override
    String name() {
        return "vector" + (L * 64) + " " + MR + "x" + NR;
    }

    @Override
    int colQuantum() {
        return NR;
    }

    @Override
    int rowQuantum() {
        return MR;
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
        // Packing costs O(k·n) for B and O(m·k) for A against O(m·n·k) flops: read an operand in place
        // when it is reused by few panels of the other one (full panels only; ragged edges are packed).
        boolean directB = !transB && m <= DIRECT_B_MAX_M;
        boolean directA = n <= DIRECT_A_MAX_N;
        int ars = transA ? 1 : lda, aps = transA ? lda : 1;
        int kcMax = Math.min(KC, k);
        int needB = kcMax * roundUp(Math.min(NC, n), NR);
        if (bpack.length < needB) bpack = new double[needB];
        int needA = kcMax * roundUp(Math.min(MC, m), MR);
        if (apack.length < needA) apack = new double[needA];
        double[] ap = apack, bp = bpack;

        for (int jc = 0; jc < n; jc += NC) {
            int nc = Math.min(NC, n - jc);
            for (int pc = 0; pc < k; pc += KC) {
                int kc = Math.min(KC, k - pc);
                boolean load = accumulate || pc > 0;
                packB(transB, directB, b, bOff, ldb, pc, kc, jc, nc, bp);
                for (int ic = 0; ic < m; ic += MC) {
                    int mc = Math.min(MC, m - ic);
                    packA(transA, directA, a, aOff, lda, ic, mc, pc, kc, ap);
                    int bo = 0;
                    for (int j0 = 0; j0 < nc; ) {
                        int rem = nc - j0;
                        int wp = panelWidth(rem);
                        int w = Math.min(wp, rem);
                        double[] bx;
                        int bx0, bps;
                        if (directB && w == wp) {
                            bx = b;
                            bx0 = bOff + pc * ldb + jc + j0;
                            bps = ldb;
                        } else {
                            bx = bp;
                            bx0 = bo;
                            bps = wp;
                        }
                        int ao = 0;
                        for (int i0 = 0; i0 < mc; i0 += MR, ao += MR * kc) {
                            int h = Math.min(MR, mc - i0);
                            int co = cOff + (ic + i0) * ldc + jc + j0;
                            double[] ax;
                            int ax0, xrs, xps;
                            if (directA && h == MR) {
                                ax = a;
                                ax0 = aOff + (ic + i0) * ars + pc * aps;
                                xrs = ars;
                                xps = aps;
                            } else {
                                ax = ap;
                                ax0 = ao;
                                xrs = 1;
                                xps = MR;
                            }
                            if (h == MR && w == wp) {
                                kernel(wp, kc, ax, ax0, xrs, xps, bx, bx0, bps, c, co, ldc, load);
                            } else {
                                edge(wp, w, h, kc, ax, ax0, xrs, xps, bx, bx0, bps, c, co, ldc, load);
                            }
                        }
                        bo += wp * kc;
                        j0 += wp;
                    }
                }
            }
        }
    }

    private static int roundUp(int x, int q) {
        return (x + q - 1) / q * q;
    }

    /** Padded width of the next B micro-panel when {@code rem} columns are left. */
    private static int panelWidth(int rem) {
        if (rem >= 4 * L) return 4 * L;
        if (rem > 2 * L) return 4 * L; // 3 of 4 vectors or more are useful
        if (rem > L) return 2 * L;
        return L;
    }

    /** A ragged tile (fewer than MR rows or fewer than wp columns of C) through the scratch tile. */
    private void edge(
            int wp,
            int w,
            int h,
            int kc,
            double[] ax,
            int ax0,
            int xrs,
            int xps,
            double[] bx,
            int bx0,
            int bps,
            double[] c,
            int co,
            int ldc,
            boolean load) {
        double[] t = tile;
        if (load) {
            for (int r = 0; r < h; r++) System.arraycopy(c, co + r * ldc, t, r * wp, w);
        }
        kernel(wp, kc, ax, ax0, xrs, xps, bx, bx0, bps, t, 0, wp, load);
        for (int r = 0; r < h; r++) System.arraycopy(t, r * wp, c, co + r * ldc, w);
    }

    private static void kernel(
            int wp,
            int kc,
            double[] ax,
            int ax0,
            int xrs,
            int xps,
            double[] bx,
            int bx0,
            int bps,
            double[] c,
            int co,
            int ldc,
            boolean load) {
        if (wp == 4 * L) {
            k4x4(kc, ax, ax0, xrs, xps, bx, bx0, bps, c, co, ldc, load);
        } else if (wp == 2 * L) {
            k4x2(kc, ax, ax0, xrs, xps, bx, bx0, bps, c, co, ldc, load);
        } else {
            k4x1(kc, ax, ax0, xrs, xps, bx, bx0, bps, c, co, ldc, load);
        }
    }

    /**
     * B panel layout: for each panel (width wp, padded with zeros), kc rows of wp contiguous values.
     * With {@code direct}, only the ragged last panel is packed (full panels are read in place).
     */
    private static void packB(
            boolean transB,
            boolean direct,
            double[] b,
            int bOff,
            int ldb,
            int pc,
            int kc,
            int jc,
            int nc,
            double[] bp) {
        int bo = 0;
        for (int j0 = 0; j0 < nc; ) {
            int rem = nc - j0;
            int wp = panelWidth(rem);
            int w = Math.min(wp, rem);
            if (direct && w == wp) {
                // read in place
            } else if (transB) {
                // op(B)[p][j] = b[bOff + j*ldb + p]
                for (int cI = 0; cI < w; cI++) {
                    int src = bOff + (jc + j0 + cI) * ldb + pc;
                    for (int p = 0, d = bo + cI; p < kc; p++, d += wp) bp[d] = b[src + p];
                }
                if (w < wp) {
                    for (int p = 0, d = bo; p < kc; p++, d += wp) Arrays.fill(bp, d + w, d + wp, 0.0);
                }
            } else {
                int src = bOff + pc * ldb + jc + j0;
                if (w == wp) {
                    for (int p = 0, d = bo; p < kc; p++, d += wp, src += ldb) System.arraycopy(b, src, bp, d, wp);
                } else {
                    for (int p = 0, d = bo; p < kc; p++, d += wp, src += ldb) {
                        System.arraycopy(b, src, bp, d, w);
                        Arrays.fill(bp, d + w, d + wp, 0.0);
                    }
                }
            }
            bo += wp * kc;
            j0 += wp;
        }
    }

    /**
     * A panel layout: for each MR-row panel (zero padded), kc columns of MR contiguous values.
     * With {@code direct}, only the ragged last panel is packed.
     */
    private static void packA(
            boolean transA,
            boolean direct,
            double[] a,
            int aOff,
            int lda,
            int ic,
            int mc,
            int pc,
            int kc,
            double[] ap) {
        int ao = 0;
        for (int i0 = 0; i0 < mc; i0 += MR, ao += MR * kc) {
            int h = Math.min(MR, mc - i0);
            if (direct && h == MR) continue;
            if (transA) {
                // op(A)[i][p] = a[aOff + p*lda + i]
                int src = aOff + pc * lda + ic + i0;
                if (h == MR) {
                    for (int p = 0, d = ao; p < kc; p++, d += MR, src += lda) {
                        ap[d] = a[src];
                        ap[d + 1] = a[src + 1];
                        ap[d + 2] = a[src + 2];
                        ap[d + 3] = a[src + 3];
                    }
                } else {
                    for (int p = 0, d = ao; p < kc; p++, d += MR, src += lda) {
                        for (int r = 0; r < MR; r++) ap[d + r] = r < h ? a[src + r] : 0.0;
                    }
                }
            } else {
                for (int r = 0; r < MR; r++) {
                    if (r < h) {
                        int src = aOff + (ic + i0 + r) * lda + pc;
                        for (int p = 0, d = ao + r; p < kc; p++, d += MR) ap[d] = a[src + p];
                    } else {
                        for (int p = 0, d = ao + r; p < kc; p++, d += MR) ap[d] = 0.0;
                    }
                }
            }
        }
    }

    private static void k4x4(
            int kc,
            double[] a,
            int ao,
            int ars,
            int aps,
            double[] b,
            int bo,
            int bps,
            double[] c,
            int co,
            int ldc,
            boolean load) {
        DoubleVector c00, c01, c02, c03, c10, c11, c12, c13, c20, c21, c22, c23, c30, c31, c32, c33;
        int r1 = co + ldc, r2 = r1 + ldc, r3 = r2 + ldc;
        if (load) {
            c00 = DoubleVector.fromArray(S, c, co);
            c01 = DoubleVector.fromArray(S, c, co + L);
            c02 = DoubleVector.fromArray(S, c, co + 2 * L);
            c03 = DoubleVector.fromArray(S, c, co + 3 * L);
            c10 = DoubleVector.fromArray(S, c, r1);
            c11 = DoubleVector.fromArray(S, c, r1 + L);
            c12 = DoubleVector.fromArray(S, c, r1 + 2 * L);
            c13 = DoubleVector.fromArray(S, c, r1 + 3 * L);
            c20 = DoubleVector.fromArray(S, c, r2);
            c21 = DoubleVector.fromArray(S, c, r2 + L);
            c22 = DoubleVector.fromArray(S, c, r2 + 2 * L);
            c23 = DoubleVector.fromArray(S, c, r2 + 3 * L);
            c30 = DoubleVector.fromArray(S, c, r3);
            c31 = DoubleVector.fromArray(S, c, r3 + L);
            c32 = DoubleVector.fromArray(S, c, r3 + 2 * L);
            c33 = DoubleVector.fromArray(S, c, r3 + 3 * L);
        } else {
            DoubleVector z = DoubleVector.zero(S);
            c00 = z;
            c01 = z;
            c02 = z;
            c03 = z;
            c10 = z;
            c11 = z;
            c12 = z;
            c13 = z;
            c20 = z;
            c21 = z;
            c22 = z;
            c23 = z;
            c30 = z;
            c31 = z;
            c32 = z;
            c33 = z;
        }
        int a1 = ars, a2 = 2 * ars, a3 = 3 * ars;
        for (int p = 0; p < kc; p++) {
            int bi = bo + p * bps, ai = ao + p * aps;
            DoubleVector b0 = DoubleVector.fromArray(S, b, bi);
            DoubleVector b1 = DoubleVector.fromArray(S, b, bi + L);
            DoubleVector b2 = DoubleVector.fromArray(S, b, bi + 2 * L);
            DoubleVector b3 = DoubleVector.fromArray(S, b, bi + 3 * L);
            DoubleVector x0 = DoubleVector.broadcast(S, a[ai]);
            c00 = x0.fma(b0, c00);
            c01 = x0.fma(b1, c01);
            c02 = x0.fma(b2, c02);
            c03 = x0.fma(b3, c03);
            DoubleVector x1 = DoubleVector.broadcast(S, a[ai + a1]);
            c10 = x1.fma(b0, c10);
            c11 = x1.fma(b1, c11);
            c12 = x1.fma(b2, c12);
            c13 = x1.fma(b3, c13);
            DoubleVector x2 = DoubleVector.broadcast(S, a[ai + a2]);
            c20 = x2.fma(b0, c20);
            c21 = x2.fma(b1, c21);
            c22 = x2.fma(b2, c22);
            c23 = x2.fma(b3, c23);
            DoubleVector x3 = DoubleVector.broadcast(S, a[ai + a3]);
            c30 = x3.fma(b0, c30);
            c31 = x3.fma(b1, c31);
            c32 = x3.fma(b2, c32);
            c33 = x3.fma(b3, c33);
        }
        c00.intoArray(c, co);
        c01.intoArray(c, co + L);
        c02.intoArray(c, co + 2 * L);
        c03.intoArray(c, co + 3 * L);
        c10.intoArray(c, r1);
        c11.intoArray(c, r1 + L);
        c12.intoArray(c, r1 + 2 * L);
        c13.intoArray(c, r1 + 3 * L);
        c20.intoArray(c, r2);
        c21.intoArray(c, r2 + L);
        c22.intoArray(c, r2 + 2 * L);
        c23.intoArray(c, r2 + 3 * L);
        c30.intoArray(c, r3);
        c31.intoArray(c, r3 + L);
        c32.intoArray(c, r3 + 2 * L);
        c33.intoArray(c, r3 + 3 * L);
    }

    private static void k4x2(
            int kc,
            double[] a,
            int ao,
            int ars,
            int aps,
            double[] b,
            int bo,
            int bps,
            double[] c,
            int co,
            int ldc,
            boolean load) {
        DoubleVector c00, c01, c10, c11, c20, c21, c30, c31;
        int r1 = co + ldc, r2 = r1 + ldc, r3 = r2 + ldc;
        if (load) {
            c00 = DoubleVector.fromArray(S, c, co);
            c01 = DoubleVector.fromArray(S, c, co + L);
            c10 = DoubleVector.fromArray(S, c, r1);
            c11 = DoubleVector.fromArray(S, c, r1 + L);
            c20 = DoubleVector.fromArray(S, c, r2);
            c21 = DoubleVector.fromArray(S, c, r2 + L);
            c30 = DoubleVector.fromArray(S, c, r3);
            c31 = DoubleVector.fromArray(S, c, r3 + L);
        } else {
            DoubleVector z = DoubleVector.zero(S);
            c00 = z;
            c01 = z;
            c10 = z;
            c11 = z;
            c20 = z;
            c21 = z;
            c30 = z;
            c31 = z;
        }
        int a1 = ars, a2 = 2 * ars, a3 = 3 * ars;
        for (int p = 0; p < kc; p++) {
            int bi = bo + p * bps, ai = ao + p * aps;
            DoubleVector b0 = DoubleVector.fromArray(S, b, bi);
            DoubleVector b1 = DoubleVector.fromArray(S, b, bi + L);
            DoubleVector x0 = DoubleVector.broadcast(S, a[ai]);
            c00 = x0.fma(b0, c00);
            c01 = x0.fma(b1, c01);
            DoubleVector x1 = DoubleVector.broadcast(S, a[ai + a1]);
            c10 = x1.fma(b0, c10);
            c11 = x1.fma(b1, c11);
            DoubleVector x2 = DoubleVector.broadcast(S, a[ai + a2]);
            c20 = x2.fma(b0, c20);
            c21 = x2.fma(b1, c21);
            DoubleVector x3 = DoubleVector.broadcast(S, a[ai + a3]);
            c30 = x3.fma(b0, c30);
            c31 = x3.fma(b1, c31);
        }
        c00.intoArray(c, co);
        c01.intoArray(c, co + L);
        c10.intoArray(c, r1);
        c11.intoArray(c, r1 + L);
        c20.intoArray(c, r2);
        c21.intoArray(c, r2 + L);
        c30.intoArray(c, r3);
        c31.intoArray(c, r3 + L);
    }

    private static void k4x1(
            int kc,
            double[] a,
            int ao,
            int ars,
            int aps,
            double[] b,
            int bo,
            int bps,
            double[] c,
            int co,
            int ldc,
            boolean load) {
        DoubleVector c00, c10, c20, c30;
        int r1 = co + ldc, r2 = r1 + ldc, r3 = r2 + ldc;
        if (load) {
            c00 = DoubleVector.fromArray(S, c, co);
            c10 = DoubleVector.fromArray(S, c, r1);
            c20 = DoubleVector.fromArray(S, c, r2);
            c30 = DoubleVector.fromArray(S, c, r3);
        } else {
            DoubleVector z = DoubleVector.zero(S);
            c00 = z;
            c10 = z;
            c20 = z;
            c30 = z;
        }
        int a1 = ars, a2 = 2 * ars, a3 = 3 * ars;
        for (int p = 0; p < kc; p++) {
            int bi = bo + p * bps, ai = ao + p * aps;
            DoubleVector b0 = DoubleVector.fromArray(S, b, bi);
            DoubleVector x0 = DoubleVector.broadcast(S, a[ai]);
            c00 = x0.fma(b0, c00);
            DoubleVector x1 = DoubleVector.broadcast(S, a[ai + a1]);
            c10 = x1.fma(b0, c10);
            DoubleVector x2 = DoubleVector.broadcast(S, a[ai + a2]);
            c20 = x2.fma(b0, c20);
            DoubleVector x3 = DoubleVector.broadcast(S, a[ai + a3]);
            c30 = x3.fma(b0, c30);
        }
        c00.intoArray(c, co);
        c10.intoArray(c, r1);
        c20.intoArray(c, r2);
        c30.intoArray(c, r3);
    }
}
