package dev.bnserve.nn;

import java.util.Arrays;
import java.util.List;

/**
 * Fully connected layer {@code Y = X·Wᵀ + b}, W out × in.
 * Backward: {@code dW = dYᵀ·X}, {@code db = Σ_rows dY}, {@code dX = dY·W}.
 */
final class LinearLayer extends Layer {
    final double[] w;
    final double[] b;
    private final double[] gw;
    private final double[] gb;

    LinearLayer(LayerState.Linear s) {
        super(s.in(), s.out());
        this.w = s.weight();
        this.b = s.bias();
        this.gw = new double[w.length];
        this.gb = new double[b.length];
    }

    @Override
    LayerKind kind() {
        return LayerKind.LINEAR;
    }

    @Override
    void forwardTrain(Gemm gemm, double[] x, double[] y, int n) {
        gemm.forRanges(n, 4, (long) n * out, (lo, hi) -> {
            for (int r = lo; r < hi; r++) System.arraycopy(b, 0, y, r * out, out);
        });
        gemm.multAddTransB(n, out, in, x, w, y); // Y += X·Wᵀ
    }

    @Override
    void forwardEval(Gemm gemm, double[] x, double[] y, int n) {
        for (int r = 0; r < n; r++) System.arraycopy(b, 0, y, r * out, out);
        gemm.multAddTransB(n, out, in, x, w, y); // Y += X·Wᵀ
    }

    @Override
    void backward(Gemm gemm, double[] x, double[] y, double[] dy, double[] dx, int n) {
        gemm.multTransA(out, in, n, dy, x, gw); // dW = dYᵀ·X
        gemm.forRanges(out, 16, (long) n * out, (lo, hi) -> {
            Arrays.fill(gb, lo, hi, 0.0);
            for (int r = 0; r < n; r++) {
                int o = r * out;
                for (int j = lo; j < hi; j++) gb[j] += dy[o + j];
            }
        });
        if (dx != null) gemm.mult(n, in, out, dy, w, dx); // dX = dY·W
    }

    @Override
    List<Param> params() {
        return List.of(new Param("weight", w, gw), new Param("bias", b, gb));
    }

    @Override
    LayerState state() {
        return new LayerState.Linear(in, out, w, b);
    }
}
