package dev.bnserve.nn;

/**
 * One single-threaded {@link Gemm} implementation with its own packing buffers (so not thread-safe):
 * {@code C[m×n] = (accumulate ? C : 0) + op(A)[m×k]·op(B)[k×n]} on row-major arrays with offsets and leading
 * dimensions, each element the fma chain over ascending {@code p} that {@link Gemm} documents.
 * {@link Kernels#newGemmEngine()} picks {@link ScalarGemm} or {@code VectorGemm}.
 */
abstract class GemmEngine {
    /** Arguments are already validated; m, n, k &gt; 0. */
    abstract void run(
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
            boolean accumulate);

    abstract String name();

    /** Column split granularity for the multi-threaded path (a multiple of the register block). */
    int colQuantum() {
        return 32;
    }

    /** Row split granularity for the multi-threaded path (a multiple of the register block). */
    int rowQuantum() {
        return 4;
    }
}
