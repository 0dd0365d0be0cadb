package dev.bnserve.nn;

import java.util.List;

/**
 * A live layer inside a {@link Network}. Activations are row-major {@code n × width} blocks of flat
 * arrays; a layer allocates no arrays on the training path once {@link #ensureCapacity} has run (work split over
 * threads costs a few small task objects per call).
 */
abstract sealed class Layer permits LinearLayer, BatchNormLayer, ActivationLayer {
    final int in;
    final int out;

    Layer(int in, int out) {
        this.in = in;
        this.out = out;
    }

    abstract LayerKind kind();

    /** Training-mode forward of {@code n} rows: {@code x} is n × in, {@code y} is n × out. */
    abstract void forwardTrain(Gemm gemm, double[] x, double[] y, int n);

    /** Inference-mode forward; never changes the layer. */
    abstract void forwardEval(Gemm gemm, double[] x, double[] y, int n);

    /**
     * Backward pass after {@link #forwardTrain} on the same rows: writes the parameter gradients
     * and, unless {@code dx} is null, the input gradient.
     */
    abstract void backward(Gemm gemm, double[] x, double[] y, double[] dy, double[] dx, int n);

    List<Param> params() {
        return List.of();
    }

    void ensureCapacity(int rows) {}

    abstract LayerState state();

    static Layer of(LayerState s) {
        return switch (s.kind()) {
            case LINEAR -> new LinearLayer((LayerState.Linear) s);
            case BATCHNORM -> new BatchNormLayer((LayerState.BatchNorm) s);
            case RELU -> new ActivationLayer(s.inputs(), Activation.RELU);
            case TANH -> new ActivationLayer(s.inputs(), Activation.TANH);
        };
    }
}
