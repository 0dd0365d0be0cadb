package dev.bnserve.nn;

/**
 * One row through a dense layer with centered inputs:
 * {@code y[o] = fma(x[in−1] − c[in−1], wt[in−1][o], … fma(x[0] − c[0], wt[0][o], b[o]))}
 * with {@code c} the {@code in} centers (zeros for a plain Linear; {@code x − 0.0} is {@code x}) and
 * {@code wt} = Wᵀ row-major (in × out). Every implementation evaluates exactly this chain, so
 * they agree bit for bit.
 */
interface DenseKernel {
    void dense(double[] x, int xOff, double[] c, double[] wt, double[] b, int in, int out, double[] y, int yOff);

    /**
     * {@code rows} rows at once: row {@code r} reads {@code x[xOff + r·in ..)} and writes {@code y[yOff + r·out ..)},
     * each output the same chain as {@link #dense} (the block runs over rows, never over the reduction), so a row
     * gets the same bits alone and in any block. {@code xc[xcOff ..)} is scratch of at least
     * {@link #BLOCK_ROWS}·{@code in}.
     */
    default void denseRows(
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
            int xcOff) {
        for (int r = 0; r < rows; r++) dense(x, xOff + r * in, c, wt, b, in, out, y, yOff + r * out);
    }

    /** Rows a kernel's register block holds: the scratch {@link #denseRows} needs is this many rows of inputs. */
    int BLOCK_ROWS = 8;

    String name();

    DenseKernel SCALAR = new DenseKernel() {
        @Override
        public void dense(
                double[] x, int xOff, double[] c, double[] wt, double[] b, int in, int out, double[] y, int yOff) {
            System.arraycopy(b, 0, y, yOff, out);
            for (int i = 0; i < in; i++) {
                double xi = x[xOff + i] - c[i];
                int w = i * out;
                for (int o = 0; o < out; o++) y[yOff + o] = Math.fma(xi, wt[w + o], y[yOff + o]);
            }
        }

        @Override
        public String name() {
            return "scalar";
        }
    };

    /** The kernel {@link Kernels} chose for this JVM: {@code VectorDenseKernel} or {@link #SCALAR}. */
    static DenseKernel best() {
        return Kernels.dense();
    }
}
