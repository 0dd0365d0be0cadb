package dev.bnserve.nn;

/**
 * The architecture of one layer, without parameters. A network is a list of these applied in
 * order; {@link NetworkSpec} builds the usual MLP layouts.
 */
public sealed interface LayerSpec {

    /** Which of the closed set of layers this is; dispatch switches on it. */
    LayerKind kind();

    /** Fully connected layer {@code y = x·Wᵀ + b} with {@code W} of shape out × in. */
    record Linear(int out) implements LayerSpec {
        public Linear {
            if (out < 1) throw new IllegalArgumentException("linear layer needs out >= 1, got " + out);
        }

        @Override
        public LayerKind kind() {
            return LayerKind.LINEAR;
        }
    }

    /**
     * Batch normalization over features: {@code y = γ·(x − μ)/sqrt(σ² + eps) + β} per feature, with the batch's
     * μ, σ² in training and the running ones in inference (see {@link LayerState.BatchNorm}).
     *
     * @param momentum weight of the new batch statistic in the running average
     *                 ({@code running = (1 - momentum)·running + momentum·batch}); {@code null} means the
     *                 cumulative average over all batches seen
     * @param eps      added to the variance before the square root
     */
    record BatchNorm(Double momentum, double eps) implements LayerSpec {

        public BatchNorm {
            if (momentum != null && !(momentum >= 0 && momentum <= 1)) {
                throw new IllegalArgumentException("batchnorm momentum must be in [0, 1] or null, got " + momentum);
            }
            if (!(eps > 0) || !Double.isFinite(eps)) {
                throw new IllegalArgumentException("batchnorm eps must be a positive finite number, got " + eps);
            }
        }

        @Override
        public LayerKind kind() {
            return LayerKind.BATCHNORM;
        }
    }

    /** {@code y = max(x, 0)}. */
    record Relu() implements LayerSpec {
        @Override
        public LayerKind kind() {
            return LayerKind.RELU;
        }
    }

    /** {@code y = tanh(x)}. */
    record Tanh() implements LayerSpec {
        @Override
        public LayerKind kind() {
            return LayerKind.TANH;
        }
    }
}
