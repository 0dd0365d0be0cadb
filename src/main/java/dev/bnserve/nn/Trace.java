package dev.bnserve.nn;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;

/**
 * One row evaluated through the <em>unfolded</em> layers in inference mode, every intermediate value kept: what
 * each BatchNorm saw and did, which the folded {@link InferencePlan} no longer shows.
 *
 * <p>The arithmetic is exactly that of {@link Network#forwardEval} (the layer classes' eval path), so
 * {@link #output()} is bit-identical to {@code Network.fromState(inputs, layers).forwardEval(x, 1, out)}:
 * <ul>
 *   <li>{@link LayerKind#LINEAR}: {@code y_o = fma(x_{in−1}, W_{o,in−1}, … fma(x_0, W_{o,0}, b_o))}, W row-major
 *       out × in (the {@link Gemm} chain);</li>
 *   <li>{@link LayerKind#BATCHNORM}: {@code y_j = (x_j − μ_j)·s_j + β_j} with {@code s_j = γ_j/sqrt(σ²_j + eps)},
 *       μ, σ² the stored running mean and (unbiased) running variance; the step also records
 *       {@code normalized_j = (x_j − μ_j)/sqrt(σ²_j + eps)}, from which {@code γ_j·normalized_j + β_j} gives the
 *       output up to a rounding or two (|Δ| ≲ 4·2⁻⁵³·(|γ·normalized| + |β|)), not bit for bit;</li>
 *   <li>{@link LayerKind#RELU}: {@code y = max(x, 0)}; {@link LayerKind#TANH}: {@code y = tanh(x)}.</li>
 * </ul>
 * Tracing reads the layer states and never changes them.
 */
public final class Trace {
    private final int inputs;
    private final List<Step> steps;

    /**
     * What layer {@link #layer} did to the row. Arrays are copies (accessors copy again); the BatchNorm fields are
     * null (and {@code eps} NaN) for the other kinds.
     *
     * @param layer      index of the layer in the list given to {@link Trace#of}
     * @param kind       the layer's kind
     * @param input      the layer's input, {@code inputs()} values of the layer
     * @param output     the layer's output, {@code outputs()} values
     * @param mean       BatchNorm: the stored running mean μ (features values)
     * @param var        BatchNorm: the stored running variance σ² (unbiased, features values)
     * @param eps        BatchNorm: added to σ² before the square root
     * @param normalized BatchNorm: {@code (input − μ)/sqrt(σ² + eps)} per feature
     * @param gamma      BatchNorm: the scale γ
     * @param beta       BatchNorm: the shift β
     */
    public record Step(
            int layer,
            LayerKind kind,
            double[] input,
            double[] output,
            double[] mean,
            double[] var,
            double eps,
            double[] normalized,
            double[] gamma,
            double[] beta) {
        public Step {
            Objects.requireNonNull(kind, "kind");
            input = input.clone();
            output = output.clone();
            mean = copy(mean);
            var = copy(var);
            normalized = copy(normalized);
            gamma = copy(gamma);
            beta = copy(beta);
        }

        @Override
        public double[] input() {
            return input.clone();
        }

        @Override
        public double[] output() {
            return output.clone();
        }

        @Override
        public double[] mean() {
            return copy(mean);
        }

        @Override
        public double[] var() {
            return copy(var);
        }

        @Override
        public double[] normalized() {
            return copy(normalized);
        }

        @Override
        public double[] gamma() {
            return copy(gamma);
        }

        @Override
        public double[] beta() {
            return copy(beta);
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof Step s
                    && s.layer == layer
                    && s.kind == kind
                    && Double.compare(s.eps, eps) == 0
                    && Arrays.equals(s.input, input)
                    && Arrays.equals(s.output, output)
                    && Arrays.equals(s.mean, mean)
                    && Arrays.equals(s.var, var)
                    && Arrays.equals(s.normalized, normalized)
                    && Arrays.equals(s.gamma, gamma)
                    && Arrays.equals(s.beta, beta);
        }

        @Override
        public int hashCode() {
            return (layer * 31 + kind.hashCode()) * 31 + Arrays.hashCode(output);
        }

        @Override
        public String toString() {
            String s = "Step[layer=" + layer + ", kind=" + kind.id() + ", input=" + Arrays.toString(input) + ", output="
                    + Arrays.toString(output);
            if (kind == LayerKind.BATCHNORM) {
                s += ", mean=" + Arrays.toString(mean) + ", var=" + Arrays.toString(var) + ", eps=" + eps
                        + ", normalized=" + Arrays.toString(normalized) + ", gamma=" + Arrays.toString(gamma)
                        + ", beta=" + Arrays.toString(beta);
            }
            return s + "]";
        }

        private static double[] copy(double[] a) {
            return a == null ? null : a.clone();
        }
    }

    private Trace(int inputs, List<Step> steps) {
        this.inputs = inputs;
        this.steps = List.copyOf(steps);
    }

    /**
     * Evaluates the row {@code x} ({@code inputs} values) through {@code layers} (as from {@link Network#state()})
     * in inference mode, recording one {@link Step} per layer.
     *
     * @throws IllegalArgumentException if the layers do not chain from {@code inputs} or {@code x} has another length
     */
    public static Trace of(int inputs, List<LayerState> layers, double[] x) {
        Network.checkChain(inputs, layers);
        if (x.length != inputs) throw new IllegalArgumentException("expected " + inputs + " inputs, got " + x.length);
        List<Step> steps = new ArrayList<>(layers.size());
        double[] h = x.clone();
        for (int i = 0; i < layers.size(); i++) {
            LayerState s = layers.get(i);
            Step step = switch (s.kind()) {
                case LINEAR -> linear(i, (LayerState.Linear) s, h);
                case BATCHNORM -> batchNorm(i, (LayerState.BatchNorm) s, h);
                case RELU -> elementwise(i, s.kind(), Activation.RELU, h);
                case TANH -> elementwise(i, s.kind(), Activation.TANH, h);
            };
            steps.add(step);
            h = step.output;
        }
        return new Trace(inputs, steps);
    }

    /** {@code y_o = b_o} then {@code y_o = fma(x_i, W_{o,i}, y_o)} for ascending i, as {@link Gemm} accumulates. */
    private static Step linear(int layer, LayerState.Linear l, double[] x) {
        double[] w = l.weight(), y = l.bias();
        int in = l.in();
        for (int o = 0; o < l.out(); o++) {
            double acc = y[o];
            for (int i = 0; i < in; i++) acc = Math.fma(x[i], w[o * in + i], acc);
            y[o] = acc;
        }
        return new Step(layer, LayerKind.LINEAR, x, y, null, null, Double.NaN, null, null, null);
    }

    /** As {@code BatchNormLayer.forwardEval}: {@code y = (x − μ)·(γ/sqrt(σ² + eps)) + β}. */
    private static Step batchNorm(int layer, LayerState.BatchNorm bn, double[] x) {
        double[] g = bn.gamma(), be = bn.beta(), rm = bn.runningMean(), rv = bn.runningVar();
        int d = bn.features();
        double eps = bn.eps();
        double[] y = new double[d], normalized = new double[d];
        for (int j = 0; j < d; j++) {
            double sd = Math.sqrt(rv[j] + eps);
            double s = g[j] / sd;
            y[j] = (x[j] - rm[j]) * s + be[j];
            normalized[j] = (x[j] - rm[j]) / sd;
        }
        return new Step(layer, LayerKind.BATCHNORM, x, y, rm, rv, eps, normalized, g, be);
    }

    private static Step elementwise(int layer, LayerKind kind, Activation a, double[] x) {
        double[] y = new double[x.length];
        a.forward(x, 0, y, 0, x.length);
        return new Step(layer, kind, x, y, null, null, Double.NaN, null, null, null);
    }

    /** Width of the traced row. */
    public int inputs() {
        return inputs;
    }

    /** One step per layer, in layer order. */
    public List<Step> steps() {
        return steps;
    }

    /** The network's output for the row: the last step's output (a copy). */
    public double[] output() {
        return steps.get(steps.size() - 1).output();
    }
}
