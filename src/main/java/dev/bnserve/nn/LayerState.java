package dev.bnserve.nn;

import java.util.Arrays;
import java.util.Objects;

/**
 * A snapshot of one layer's parameters and statistics, detached from any live network
 * (arrays are copies). This is what models are saved, exported and compiled from.
 */
public sealed interface LayerState {

    /** Which of the closed set of layers this is; dispatch switches on it. */
    LayerKind kind();

    /** Width of the rows entering the layer. */
    int inputs();

    /** Width of the rows leaving the layer. */
    int outputs();

    /**
     * {@code y = x·Wᵀ + b}.
     *
     * @param weight row-major out × in: {@code weight[o * in + i]}
     */
    record Linear(int in, int out, double[] weight, double[] bias) implements LayerState {
        public Linear {
            if (weight.length != in * out)
                throw new IllegalArgumentException(
                        "linear weight must have out×in = " + (in * out) + " values, got " + weight.length);
            if (bias.length != out)
                throw new IllegalArgumentException("linear bias must have " + out + " values, got " + bias.length);
            weight = weight.clone();
            bias = bias.clone();
        }

        @Override
        public LayerKind kind() {
            return LayerKind.LINEAR;
        }

        @Override
        public int inputs() {
            return in;
        }

        @Override
        public int outputs() {
            return out;
        }

        @Override
        public double[] weight() {
            return weight.clone();
        }

        /**
         * The weight at row-major index {@code k} ({@code o * in + i}), without copying the array as {@link #weight()}
         * does: writers of a large model read it value by value (a copy per answer ran heaps out, issue 16).
         */
        public double weightAt(int k) {
            return weight[k];
        }

        @Override
        public double[] bias() {
            return bias.clone();
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof Linear l
                    && l.in == in
                    && l.out == out
                    && Arrays.equals(l.weight, weight)
                    && Arrays.equals(l.bias, bias);
        }

        @Override
        public int hashCode() {
            return Arrays.hashCode(weight) * 31 + Arrays.hashCode(bias);
        }
    }

    /**
     * Batch normalization. Inference computes
     * {@code y = gamma·(x − runningMean)/sqrt(runningVar + eps) + beta}.
     */
    record BatchNorm(
            int features,
            Double momentum,
            double eps,
            double[] gamma,
            double[] beta,
            double[] runningMean,
            double[] runningVar,
            long batchesTracked)
            implements LayerState {
        public BatchNorm {
            for (double[] a : new double[][] {gamma, beta, runningMean, runningVar}) {
                if (a.length != features)
                    throw new IllegalArgumentException(
                            "batchnorm arrays must have " + features + " values, got " + a.length);
            }
            new LayerSpec.BatchNorm(momentum, eps); // validates momentum and eps
            for (double v : runningVar) {
                if (!(v >= 0)) throw new IllegalArgumentException("batchnorm runningVar must be >= 0, got " + v);
            }
            gamma = gamma.clone();
            beta = beta.clone();
            runningMean = runningMean.clone();
            runningVar = runningVar.clone();
        }

        @Override
        public LayerKind kind() {
            return LayerKind.BATCHNORM;
        }

        @Override
        public int inputs() {
            return features;
        }

        @Override
        public int outputs() {
            return features;
        }

        @Override
        public double[] gamma() {
            return gamma.clone();
        }

        @Override
        public double[] beta() {
            return beta.clone();
        }

        @Override
        public double[] runningMean() {
            return runningMean.clone();
        }

        @Override
        public double[] runningVar() {
            return runningVar.clone();
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof BatchNorm b
                    && b.features == features
                    && Objects.equals(b.momentum, momentum)
                    && b.eps == eps
                    && b.batchesTracked == batchesTracked
                    && Arrays.equals(b.gamma, gamma)
                    && Arrays.equals(b.beta, beta)
                    && Arrays.equals(b.runningMean, runningMean)
                    && Arrays.equals(b.runningVar, runningVar);
        }

        @Override
        public int hashCode() {
            return Arrays.hashCode(gamma) * 31 + Arrays.hashCode(runningMean);
        }
    }

    /** {@code y = max(x, 0)} elementwise. */
    record Relu(int features) implements LayerState {
        @Override
        public LayerKind kind() {
            return LayerKind.RELU;
        }

        @Override
        public int inputs() {
            return features;
        }

        @Override
        public int outputs() {
            return features;
        }
    }

    /** {@code y = tanh(x)} elementwise. */
    record Tanh(int features) implements LayerState {
        @Override
        public LayerKind kind() {
            return LayerKind.TANH;
        }

        @Override
        public int inputs() {
            return features;
        }

        @Override
        public int outputs() {
            return features;
        }
    }
}
