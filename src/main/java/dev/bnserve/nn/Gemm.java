package dev.bnserve.nn;

import java.util.Arrays;

/**
 * General float64 matrix multiply on row-major flat arrays:
 * <pre>
 *   C[m×n] = (accumulate ? C : 0) + op(A)[m×k] · op(B)[k×n],   op(X) = X or Xᵀ
 * </pre>
 * Element {@code (i, j)} of op(A) is {@code a[aOff + i*lda + j]}, or {@code a[aOff + j*lda + i]} when
 * {@code transA}; likewise for B; C's element {@code (i, j)} is {@code c[cOff + i*ldc + j]}.
 *
 * <h2>Numerics</h2>
 * Every implementation evaluates each output element as the same chain of fused multiply-adds in
 * ascending {@code p}:
 * <pre>
 *   c = accumulate ? C[i][j] : +0.0;  for p = 0..k-1: c = fma(op(A)[i][p], op(B)[p][j], c)
 * </pre>
 * so results are deterministic and bit-identical between the scalar and the Vector API kernels, for
 * any blocking, and for any thread count (threads split the rows or columns of C, never k).
 *
 * <h2>Implementations</h2>
 * {@link #create()} uses the engine {@link Kernels} picks for this JVM (the JDK Vector API engine when the
 * {@code jdk.incubator.vector} module is in the boot layer and the preferred species holds at least 4
 * doubles, otherwise the pure-Java engine of {@link #scalar()}); {@code -Dbnserve.scalar=true} forces the
 * scalar engine. {@link #create(int)} additionally splits large products (at least {@link #PARALLEL_MIN_FLOPS}
 * flops) over a shared pool of daemon threads. Up to 4 rows, {@code op(A)·Bᵀ} reads B in
 * place (the training and evaluation forward of tiny batches), with the same chains.
 *
 * <h2>Call sites</h2>
 * Densely stored operands (leading dimension = row width, offset 0) use the named forms, EJML style:
 * {@link #mult} {@code C = A·B}, {@link #multTransA} {@code C = Aᵀ·B}, {@link #multTransB} {@code C = A·Bᵀ},
 * {@link #multAddTransB} {@code C += A·Bᵀ}; {@link #gemm} is the general form behind them.
 *
 * <p>An instance owns packing buffers (grown on demand, never shrunk: steady-state calls allocate
 * nothing on the single-thread path) and is <b>not thread-safe</b>; use one instance per thread.
 */
public final class Gemm {

    /**
     * Products with fewer flops ({@code 2·m·n·k}) than this run single-threaded even on a
     * multi-threaded instance (handing work to another thread costs tens of microseconds).
     */
    public static final long PARALLEL_MIN_FLOPS = 2_000_000L;

    private final GemmEngine[] engines;
    private final String name;

    private Gemm(GemmEngine[] engines) {
        this.engines = engines;
        this.name = engines[0].name() + (engines.length > 1 ? " x" + engines.length + " threads" : "");
    }

    /** A single-threaded instance for elementwise work only ({@link #forRanges}); it has no packing buffers. */
    static final Gemm SERIAL = new Gemm(new GemmEngine[] {new ScalarGemm()});

    /** The fastest single-threaded implementation available in this JVM. */
    public static Gemm create() {
        return new Gemm(new GemmEngine[] {Kernels.newGemmEngine()});
    }

    /**
     * The fastest implementation, splitting products of at least {@link #PARALLEL_MIN_FLOPS} flops
     * over up to {@code threads} threads (the caller's plus {@code threads-1} shared daemon workers).
     * {@code threads <= 0} means {@code Runtime.availableProcessors()}.
     */
    public static Gemm create(int threads) {
        int t = threads <= 0 ? Runtime.getRuntime().availableProcessors() : threads;
        GemmEngine[] e = new GemmEngine[t];
        for (int i = 0; i < t; i++) e[i] = Kernels.newGemmEngine();
        if (t > 1) GemmWorkers.ensure(t - 1);
        return new Gemm(e);
    }

    /** The pure-Java kernel (cache-blocked, 4-row unrolled), single-threaded. */
    public static Gemm scalar() {
        return new Gemm(new GemmEngine[] {new ScalarGemm()});
    }

    /** Which kernel {@link #create()} uses in this JVM, e.g. {@code "vector512 4x32"} or {@code "scalar"}. */
    public static String describe() {
        return Kernels.newGemmEngine().name();
    }

    /** The kernel of this instance (and its thread count if more than one). */
    public String name() {
        return name;
    }

    /** Number of threads this instance may use for large products. */
    public int threads() {
        return engines.length;
    }

    @Override
    public String toString() {
        return "Gemm[" + name + "]";
    }

    /** {@code C = A·B}: A is m × k, B is k × n, C is m × n, all dense row-major. */
    public void mult(int m, int n, int k, double[] a, double[] b, double[] c) {
        gemm(false, false, m, n, k, a, 0, k, b, 0, n, c, 0, n, false);
    }

    /** {@code C = Aᵀ·B}: A is stored k × m, B is k × n, C is m × n, all dense row-major. */
    public void multTransA(int m, int n, int k, double[] a, double[] b, double[] c) {
        gemm(true, false, m, n, k, a, 0, m, b, 0, n, c, 0, n, false);
    }

    /** {@code C = A·Bᵀ}: A is m × k, B is stored n × k, C is m × n, all dense row-major. */
    public void multTransB(int m, int n, int k, double[] a, double[] b, double[] c) {
        gemm(false, true, m, n, k, a, 0, k, b, 0, k, c, 0, n, false);
    }

    /** {@code C = C + A·Bᵀ}: A is m × k, B is stored n × k, C is m × n, all dense row-major. */
    public void multAddTransB(int m, int n, int k, double[] a, double[] b, double[] c) {
        gemm(false, true, m, n, k, a, 0, k, b, 0, k, c, 0, n, true);
    }

    /** C[m×n] = (accumulate ? C : 0) + op(A)[m×k] · op(B)[k×n]; op(X) = X or Xᵀ. */
    public void gemm(
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
        if (m < 0 || n < 0 || k < 0) throw new IllegalArgumentException("negative size " + m + "x" + n + "x" + k);
        if (m == 0 || n == 0) return;
        check("C", c, cOff, ldc, m, n);
        if (k == 0) {
            if (!accumulate) {
                for (int i = 0; i < m; i++) Arrays.fill(c, cOff + i * ldc, cOff + i * ldc + n, 0.0);
            }
            return;
        }
        if (transA) check("A", a, aOff, lda, k, m);
        else check("A", a, aOff, lda, m, k);
        if (transB) check("B", b, bOff, ldb, n, k);
        else check("B", b, bOff, ldb, k, n);

        if (transB && m <= FEW_ROWS_NT) {
            fewRowsNT(transA, m, n, k, a, aOff, lda, b, bOff, ldb, c, cOff, ldc, accumulate);
            return;
        }
        int t = engines.length;
        if (t == 1 || 2.0 * m * n * k < PARALLEL_MIN_FLOPS) {
            engines[0].run(transA, transB, m, n, k, a, aOff, lda, b, bOff, ldb, c, cOff, ldc, accumulate);
            return;
        }
        parallel(transA, transB, m, n, k, a, aOff, lda, b, bOff, ldb, c, cOff, ldc, accumulate);
    }

    private void parallel(
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
        // Splitting columns duplicates the packing of A (m·k per part), splitting rows that of B (n·k).
        boolean byCols = m <= n;
        int extent = byCols ? n : m;
        int quantum = byCols ? engines[0].colQuantum() : engines[0].rowQuantum();
        int units = (extent + quantum - 1) / quantum;
        int parts = Math.min(engines.length, units);
        if (parts <= 1) {
            engines[0].run(transA, transB, m, n, k, a, aOff, lda, b, bOff, ldb, c, cOff, ldc, accumulate);
            return;
        }
        int[] bounds = new int[parts + 1];
        for (int p = 0; p <= parts; p++) bounds[p] = Math.min(extent, (int) ((long) units * p / parts) * quantum);
        GemmWorkers.Join join = new GemmWorkers.Join(parts - 1);
        for (int p = 1; p < parts; p++) {
            GemmEngine e = engines[p];
            int part = p, lo = bounds[p], len = bounds[p + 1] - lo;
            Runnable task;
            if (byCols) {
                int bo = transB ? bOff + lo * ldb : bOff + lo;
                task = () -> e.run(transA, transB, m, len, k, a, aOff, lda, b, bo, ldb, c, cOff + lo, ldc, accumulate);
            } else {
                int ao = transA ? aOff + lo : aOff + lo * lda;
                task = () ->
                        e.run(transA, transB, len, n, k, a, ao, lda, b, bOff, ldb, c, cOff + lo * ldc, ldc, accumulate);
            }
            join.fork(part, task);
        }
        try {
            int len0 = bounds[1];
            if (byCols) {
                engines[0].run(transA, transB, m, len0, k, a, aOff, lda, b, bOff, ldb, c, cOff, ldc, accumulate);
            } else {
                engines[0].run(transA, transB, len0, n, k, a, aOff, lda, b, bOff, ldb, c, cOff, ldc, accumulate);
            }
        } catch (Throwable t) {
            join.fail(0, t);
        }
        join.join();
    }

    /** A piece of elementwise work over the index range {@code [lo, hi)}; see {@link #forRanges}. */
    @FunctionalInterface
    interface Range {
        void run(int lo, int hi);
    }

    /**
     * Elementwise work of at least this many element operations is split over this instance's threads by
     * {@link #forRanges}; less runs on the caller's thread.
     */
    static final long PARALLEL_MIN_ELEMENTS = 16_384;

    /**
     * Runs {@code body} over {@code [0, extent)}, split into up to {@link #threads()} contiguous ranges whose bounds
     * are multiples of {@code quantum} (the caller's thread takes the first), or in one call when {@code work}
     * (the element operations of the whole extent) is below {@link #PARALLEL_MIN_ELEMENTS}. The body must compute
     * each index independently of how the extent is split (e.g. one BatchNorm feature, one Adam element), so the
     * result is the same bits on any number of threads. A failure of the lowest failing range is rethrown after
     * every range has finished.
     */
    void forRanges(int extent, int quantum, long work, Range body) {
        int t = engines.length;
        if (extent <= 0) return;
        int units = (extent + quantum - 1) / quantum;
        int parts = Math.min(t, units);
        if (parts <= 1 || work < PARALLEL_MIN_ELEMENTS) {
            body.run(0, extent);
            return;
        }
        GemmWorkers.Join join = new GemmWorkers.Join(parts - 1);
        int lo0 = 0, hi0 = Math.min(extent, (int) ((long) units / parts) * quantum);
        for (int p = 1; p < parts; p++) {
            int part = p;
            int lo = Math.min(extent, (int) ((long) units * p / parts) * quantum);
            int hi = Math.min(extent, (int) ((long) units * (p + 1) / parts) * quantum);
            join.fork(part, () -> body.run(lo, hi));
        }
        try {
            body.run(lo0, hi0);
        } catch (Throwable ex) {
            join.fail(0, ex);
        }
        join.join();
    }

    /** Up to this many rows, op(B) = Bᵀ is read in place (no transposing pack; e.g. single-row inference). */
    private static final int FEW_ROWS_NT = 4;

    /**
     * C = op(A)·Bᵀ for a few rows: 8 output columns at a time, each a scalar fma chain over
     * contiguous rows of b (same chain as the kernels, so the same bits).
     */
    private static void fewRowsNT(
            boolean transA,
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
        int aps = transA ? lda : 1;
        for (int i = 0; i < m; i++) {
            int ai = aOff + (transA ? i : i * lda);
            int ci = cOff + i * ldc;
            int j = 0;
            for (; j + 8 <= n; j += 8) {
                int b0 = bOff + j * ldb;
                double s0 = 0, s1 = 0, s2 = 0, s3 = 0, s4 = 0, s5 = 0, s6 = 0, s7 = 0;
                if (accumulate) {
                    s0 = c[ci + j];
                    s1 = c[ci + j + 1];
                    s2 = c[ci + j + 2];
                    s3 = c[ci + j + 3];
                    s4 = c[ci + j + 4];
                    s5 = c[ci + j + 5];
                    s6 = c[ci + j + 6];
                    s7 = c[ci + j + 7];
                }
                for (int p = 0, ap = ai; p < k; p++, ap += aps) {
                    double x = a[ap];
                    int bp = b0 + p;
                    s0 = Math.fma(x, b[bp], s0);
                    s1 = Math.fma(x, b[bp + ldb], s1);
                    s2 = Math.fma(x, b[bp + 2 * ldb], s2);
                    s3 = Math.fma(x, b[bp + 3 * ldb], s3);
                    s4 = Math.fma(x, b[bp + 4 * ldb], s4);
                    s5 = Math.fma(x, b[bp + 5 * ldb], s5);
                    s6 = Math.fma(x, b[bp + 6 * ldb], s6);
                    s7 = Math.fma(x, b[bp + 7 * ldb], s7);
                }
                c[ci + j] = s0;
                c[ci + j + 1] = s1;
                c[ci + j + 2] = s2;
                c[ci + j + 3] = s3;
                c[ci + j + 4] = s4;
                c[ci + j + 5] = s5;
                c[ci + j + 6] = s6;
                c[ci + j + 7] = s7;
            }
            for (; j < n; j++) {
                double s0 = accumulate ? c[ci + j] : 0.0;
                for (int p = 0, ap = ai, bp = bOff + j * ldb; p < k; p++, ap += aps)
                    s0 = Math.fma(a[ap], b[bp + p], s0);
                c[ci + j] = s0;
            }
        }
    }

    /** Bounds check of a rows×cols row-major matrix with leading dimension ld (rows, cols > 0). */
    private static void check(String what, double[] x, int off, int ld, int rows, int cols) {
        if (ld < cols) throw new IllegalArgumentException("ld" + what + "=" + ld + " < row width " + cols);
        if (off < 0 || (long) off + (long) (rows - 1) * ld + cols > x.length) {
            throw new IndexOutOfBoundsException(what + ": offset " + off + ", " + rows + "x" + cols + " with ld " + ld
                    + " exceeds array length " + x.length);
        }
    }
}
