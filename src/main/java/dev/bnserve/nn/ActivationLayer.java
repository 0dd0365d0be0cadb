package dev.bnserve.nn;

/** An elementwise {@link Activation} over n × features rows: {@code y = f(x)}, {@code dx = dy·f'}. */
final class ActivationLayer extends Layer {
    final Activation activation;

    ActivationLayer(int features, Activation activation) {
        super(features, features);
        this.activation = activation;
    }

    @Override
    LayerKind kind() {
        return activation.kind();
    }

    @Override
    void forwardTrain(Gemm gemm, double[] x, double[] y, int n) {
        forwardEval(gemm, x, y, n);
    }

    @Override
    void forwardEval(Gemm gemm, double[] x, double[] y, int n) {
        activation.forward(x, 0, y, 0, n * in);
    }

    @Override
    void backward(Gemm gemm, double[] x, double[] y, double[] dy, double[] dx, int n) {
        if (dx == null) return;
        activation.backward(y, dy, dx, n * in);
    }

    @Override
    LayerState state() {
        return activation.state(in);
    }
}
