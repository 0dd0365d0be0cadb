package dev.bnserve.nn;

/**
 * Elementwise nonlinearity: ReLU {@code y = max(x, 0)} with {@code dx = dy·[y > 0]}, or
 * tanh {@code y = tanh(x)} with {@code dx = dy·(1 − y²)}. NaN propagates through both.
 */
final class ActivationLayer extends Layer {
    final boolean tanh;

    ActivationLayer(int features, boolean tanh) {
        super(features, features);
        this.tanh = tanh;
    }

    @Override
    void forwardTrain(Gemm gemm, double[] x, double[] y, int n) {
        forwardEval(gemm, x, y, n);
    }

    @Override
    void forwardEval(Gemm gemm, double[] x, double[] y, int n) {
        int len = n * in;
        if (tanh) {
            for (int i = 0; i < len; i++) y[i] = Math.tanh(x[i]);
        } else {
            for (int i = 0; i < len; i++) y[i] = Math.max(x[i], 0.0);
        }
    }

    @Override
    void backward(Gemm gemm, double[] x, double[] y, double[] dy, double[] dx, int n) {
        if (dx == null) return;
        int len = n * in;
        if (tanh) {
            for (int i = 0; i < len; i++) dx[i] = dy[i] * (1.0 - y[i] * y[i]);
        } else {
            for (int i = 0; i < len; i++) dx[i] = reluGrad(dy[i], y[i]);
        }
    }

    /**
     * {@code y > 0 ? dy : +0.0} without a branch (half the units are off, at random: a branch mispredicts
     * constantly). {@code y = max(x, 0)} is +0.0 or positive, so {@code bits(y) − 1} is negative exactly when
     * {@code y == +0.0}.
     */
    static double reluGrad(double dy, double y) {
        long off = (Double.doubleToRawLongBits(y) - 1) >> 63;
        return Double.longBitsToDouble(Double.doubleToRawLongBits(dy) & ~off);
    }

    @Override
    LayerState state() {
        return tanh ? new LayerState.Tanh(in) : new LayerState.Relu(in);
    }
}
