package dev.bnserve.nn;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.util.Arrays;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class GemmTest {
    /** Relative tolerance against a plain (non-fused) triple loop, scaled by Σ|a·b| per element. */
    static final double TOL = 1e-12;

    private static final int[] EDGE = {1, 2, 3, 4, 5, 7, 8, 9, 15, 16, 17, 31, 32, 33, 40, 63, 64, 65};

    private final Gemm scalar = Gemm.scalar();
    private final Gemm best = Gemm.create();
    private final Gemm threaded = Gemm.create(2);

    /** One random problem, with offsets and padded leading dimensions. */
    private static final class Problem {
        final boolean ta, tb, acc;
        final int m, n, k, aOff, bOff, cOff, lda, ldb, ldc;
        final double[] a, b, c0;

        Problem(SplittableRandom r, boolean ta, boolean tb, int m, int n, int k, boolean acc, boolean padded) {
            this.ta = ta;
            this.tb = tb;
            this.m = m;
            this.n = n;
            this.k = k;
            this.acc = acc;
            aOff = padded ? r.nextInt(5) : 0;
            bOff = padded ? r.nextInt(5) : 0;
            cOff = padded ? r.nextInt(5) : 0;
            int aRows = ta ? k : m, aCols = ta ? m : k;
            int bRows = tb ? n : k, bCols = tb ? k : n;
            lda = aCols + (padded ? r.nextInt(4) : 0);
            ldb = bCols + (padded ? r.nextInt(4) : 0);
            ldc = n + (padded ? r.nextInt(4) : 0);
            a = random(r, aOff + aRows * lda + 3);
            b = random(r, bOff + bRows * ldb + 3);
            c0 = random(r, cOff + m * ldc + 3);
        }

        double a(int i, int p) {
            return ta ? a[aOff + p * lda + i] : a[aOff + i * lda + p];
        }

        double b(int p, int j) {
            return tb ? b[bOff + j * ldb + p] : b[bOff + p * ldb + j];
        }

        double[] run(Gemm g) {
            double[] c = c0.clone();
            g.gemm(ta, tb, m, n, k, a, aOff, lda, b, bOff, ldb, c, cOff, ldc, acc);
            return c;
        }

        /** The documented fma chain: exact reference. */
        double[] fmaReference() {
            double[] c = c0.clone();
            for (int i = 0; i < m; i++) {
                for (int j = 0; j < n; j++) {
                    double s = acc ? c[cOff + i * ldc + j] : 0.0;
                    for (int p = 0; p < k; p++) s = Math.fma(a(i, p), b(p, j), s);
                    c[cOff + i * ldc + j] = s;
                }
            }
            return c;
        }

        @Override
        public String toString() {
            return (ta ? "T" : "N") + (tb ? "T" : "N") + " " + m + "x" + n + "x" + k + " acc=" + acc + " off=" + aOff
                    + "/" + bOff + "/" + cOff + " ld=" + lda + "/" + ldb + "/" + ldc;
        }

        /** Naive plain-arithmetic triple loop, compared with tolerance; untouched elements compared exactly. */
        void assertClose(double[] got) {
            double[] c = c0.clone();
            for (int i = 0; i < m; i++) {
                for (int j = 0; j < n; j++) {
                    double s = acc ? c[cOff + i * ldc + j] : 0.0;
                    double mag = Math.abs(s);
                    for (int p = 0; p < k; p++) {
                        s += a(i, p) * b(p, j);
                        mag += Math.abs(a(i, p) * b(p, j));
                    }
                    int idx = cOff + i * ldc + j;
                    if (!(Math.abs(got[idx] - s) <= TOL * mag)) { // also catches NaN
                        assertThat(got[idx]).as("%s at (%d,%d)", this, i, j).isCloseTo(s, within(TOL * mag));
                    }
                    c[idx] = got[idx];
                }
            }
            // everything outside the m×n window (offset gap, ld padding, tail) must be untouched
            assertBitsEqual(c, got, "outside window %s", this);
        }
    }

    /** Bit-for-bit equality of whole arrays (fast for large arrays; reports the first difference). */
    static void assertBitsEqual(double[] expected, double[] actual, String what, Object... args) {
        assertThat(actual).as(what, args).hasSameSizeAs(expected);
        for (int i = 0; i < expected.length; i++) {
            if (Double.doubleToLongBits(expected[i]) != Double.doubleToLongBits(actual[i])) {
                assertThat(actual[i])
                        .as(String.format(what, args) + " at index " + i)
                        .isEqualTo(expected[i]);
            }
        }
    }

    private static double[] random(SplittableRandom r, int len) {
        double[] x = new double[len];
        for (int i = 0; i < len; i++) x[i] = r.nextDouble(-1, 1);
        return x;
    }

    private void check(Problem pr) {
        double[] s = pr.run(scalar);
        pr.assertClose(s);
        double[] v = pr.run(best);
        pr.assertClose(v);
        double[] ref = pr.fmaReference();
        assertBitsEqual(ref, s, "scalar bit-exact %s", pr);
        assertBitsEqual(ref, v, "%s bit-exact %s", best.name(), pr);
        double[] t = pr.run(threaded);
        assertBitsEqual(ref, t, "threaded bit-exact %s", pr);
        assertBitsEqual(v, pr.run(best), "repeatable %s", pr);
    }

    @Test
    void allTransposesEdgeSizes() {
        SplittableRandom r = new SplittableRandom(1);
        for (boolean ta : new boolean[] {false, true}) {
            for (boolean tb : new boolean[] {false, true}) {
                for (int m : new int[] {1, 2, 3, 4, 5, 9, 17}) {
                    for (int n : EDGE) {
                        for (int k : new int[] {1, 2, 7, 16, 33}) {
                            check(new Problem(r, ta, tb, m, n, k, r.nextBoolean(), r.nextBoolean()));
                        }
                    }
                }
            }
        }
    }

    @Test
    void randomShapes() {
        SplittableRandom r = new SplittableRandom(2);
        for (int iter = 0; iter < 400; iter++) {
            int m = 1 + r.nextInt(70), n = 1 + r.nextInt(90), k = 1 + r.nextInt(80);
            check(new Problem(r, r.nextBoolean(), r.nextBoolean(), m, n, k, r.nextBoolean(), r.nextBoolean()));
        }
    }

    @Test
    void beyondBlockSizes() {
        // k > 256 (several k blocks, accumulation continues through C), m > 128 (several A blocks)
        SplittableRandom r = new SplittableRandom(3);
        int[][] shapes = {{130, 70, 300}, {129, 33, 513}, {7, 2050, 9}, {260, 40, 257}, {5, 37, 600}};
        for (int[] s : shapes) {
            for (boolean ta : new boolean[] {false, true}) {
                for (boolean tb : new boolean[] {false, true}) {
                    check(new Problem(r, ta, tb, s[0], s[1], s[2], r.nextBoolean(), true));
                }
            }
        }
    }

    @Test
    void trainingShapes() {
        SplittableRandom r = new SplittableRandom(4);
        int[][] layers = {{32, 64, 64}, {32, 64, 10}, {256, 32, 256}, {256, 256, 5}};
        for (int[] l : layers) {
            int batch = l[0], in = l[1], out = l[2];
            check(new Problem(r, false, true, batch, out, in, false, false)); // Y = X·Wᵀ
            check(new Problem(r, true, false, out, in, batch, false, false)); // dW = dYᵀ·X
            check(new Problem(r, false, false, batch, in, out, false, false)); // dX = dY·W
        }
    }

    @Test
    void multiThreadedLargeProductIsBitIdentical() {
        SplittableRandom r = new SplittableRandom(5);
        Gemm four = Gemm.create(4);
        // above PARALLEL_MIN_FLOPS, split by columns (m <= n) and by rows (m > n), with ragged ends
        int[][] shapes = {{64, 401, 200}, {401, 64, 200}, {256, 256, 256}, {97, 1000, 57}, {12, 1500, 500}};
        for (int[] s : shapes) {
            assertThat(2.0 * s[0] * s[1] * s[2]).isGreaterThanOrEqualTo(Gemm.PARALLEL_MIN_FLOPS);
            for (boolean ta : new boolean[] {false, true}) {
                for (boolean tb : new boolean[] {false, true}) {
                    Problem pr = new Problem(r, ta, tb, s[0], s[1], s[2], r.nextBoolean(), true);
                    double[] one = pr.run(best);
                    assertBitsEqual(one, pr.run(threaded), "2 threads %s", pr);
                    assertBitsEqual(one, pr.run(four), "4 threads %s", pr);
                    assertBitsEqual(one, pr.run(scalar), "scalar %s", pr);
                    pr.assertClose(one);
                }
            }
        }
    }

    @Test
    void zeroSizes() {
        double[] c = {1, 2, 3, 4, 5, 6};
        // k = 0: C = 0 without accumulate, unchanged with accumulate
        for (Gemm g : new Gemm[] {scalar, best, threaded}) {
            double[] x = c.clone();
            g.gemm(false, false, 2, 2, 0, new double[0], 0, 0, new double[0], 0, 2, x, 1, 3, true);
            assertThat(x).containsExactly(c);
            g.gemm(true, true, 2, 2, 0, new double[0], 0, 2, new double[0], 0, 0, x, 1, 3, false);
            assertThat(x).containsExactly(1, 0, 0, 4, 0, 0);
            double[] y = c.clone();
            g.gemm(false, false, 0, 3, 4, new double[0], 0, 4, new double[12], 0, 3, y, 0, 3, false);
            g.gemm(false, false, 3, 0, 4, new double[12], 0, 4, new double[0], 0, 0, y, 0, 0, false);
            assertThat(y).containsExactly(c);
        }
    }

    @Test
    void specialValuesPropagate() {
        double[] a = {Double.NaN, 1, 2, Double.POSITIVE_INFINITY};
        double[] b = {1, 1, 1, 1};
        for (Gemm g : new Gemm[] {scalar, best}) {
            double[] c = new double[4];
            g.gemm(false, false, 2, 2, 2, a, 0, 2, b, 0, 2, c, 0, 2, false);
            assertThat(c[0]).isNaN();
            assertThat(c[1]).isNaN();
            assertThat(c[2]).isEqualTo(Double.POSITIVE_INFINITY);
            assertThat(c[3]).isEqualTo(Double.POSITIVE_INFINITY);
        }
    }

    @Test
    void rejectsBadArguments() {
        double[] x = new double[16];
        assertThatThrownBy(() -> best.gemm(false, false, -1, 2, 2, x, 0, 2, x, 0, 2, x, 0, 2, false))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> best.gemm(false, false, 4, 4, 4, x, 1, 4, x, 0, 4, new double[16], 0, 4, false))
                .isInstanceOf(IndexOutOfBoundsException.class);
        assertThatThrownBy(() -> best.gemm(false, false, 2, 2, 4, x, 0, 3, x, 0, 2, new double[4], 0, 2, false))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> best.gemm(false, true, 2, 2, 2, x, 0, 2, x, 0, 2, new double[4], 0, 1, false))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void implementationSelection() {
        assertThat(scalar.name()).isEqualTo("scalar");
        assertThat(scalar.threads()).isEqualTo(1);
        assertThat(threaded.threads()).isEqualTo(2);
        boolean module = ModuleLayer.boot().findModule("jdk.incubator.vector").isPresent();
        if (module && !Boolean.getBoolean("bnserve.scalar")) {
            // surefire runs with --add-modules jdk.incubator.vector; the preferred species has >= 4 lanes on x86-64
            assertThat(Gemm.describe()).startsWith("vector");
        }
        assertThat(best.name()).isEqualTo(Gemm.describe());
        assertThat(threaded.name()).startsWith(Gemm.describe());
    }

    @Test
    void steadyStateDoesNotGrowBuffers() {
        // repeated calls with the same shape give the same result; a smaller call after a larger one still works
        SplittableRandom r = new SplittableRandom(6);
        Problem big = new Problem(r, true, false, 70, 90, 300, false, true);
        Problem small = new Problem(r, false, true, 3, 5, 2, true, true);
        double[] first = big.run(best);
        double[] s1 = small.run(best);
        assertThat(big.run(best)).containsExactly(first);
        assertThat(small.run(best)).containsExactly(s1);
        assertThat(Arrays.equals(s1, small.fmaReference())).isTrue();
    }
}
