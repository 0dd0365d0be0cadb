package dev.bnserve.nn;

import java.util.List;
import java.util.Locale;

/**
 * Optimizer settings, with PyTorch's meaning. Per parameter tensor p with gradient ∇, {@code g = ∇ + λ·p}
 * (λ = weightDecay), then
 * <ul>
 *   <li>SGD: with momentum μ, {@code buf = g} on the first step, else {@code buf = μ·buf + g}, and
 *       {@code g = buf}; then {@code p ← p − lr·g};</li>
 *   <li>Adam (no amsgrad): {@code m = β₁m + (1−β₁)g}, {@code v = β₂v + (1−β₂)g²}, and at step t
 *       {@code p ← p − (lr/(1−β₁ᵗ)) · m / (sqrt(v)/sqrt(1−β₂ᵗ) + ε)}.</li>
 * </ul>
 *
 * @param type         ADAM or SGD
 * @param learningRate step size
 * @param momentum     SGD momentum, or Adam's beta1
 * @param beta2        Adam's second-moment decay (ignored by SGD)
 * @param epsilon      Adam's denominator epsilon (ignored by SGD)
 * @param weightDecay  L2 penalty added to the gradient: {@code g ← g + weightDecay·p}
 */
public record OptimizerConfig(
        Type type, double learningRate, double momentum, double beta2, double epsilon, double weightDecay) {

    /** The update rule. */
    public enum Type {
        ADAM,
        SGD;

        /** {@code adam} or {@code sgd}. */
        public String id() {
            return name().toLowerCase(Locale.ROOT);
        }

        /** Parses {@link #id()} (case-insensitive). */
        public static Type parse(String s) {
            for (Type t : values()) if (t.id().equalsIgnoreCase(s)) return t;
            throw new IllegalArgumentException("unknown optimizer '" + s + "' (expected adam or sgd)");
        }
    }

    public OptimizerConfig {
        if (type == null) throw new IllegalArgumentException("optimizer type is required");
        requireFinite("learningRate", learningRate, 0, false);
        requireFinite("momentum", momentum, 0, true);
        if (momentum >= 1 && type == Type.ADAM)
            throw new IllegalArgumentException("adam momentum (beta1) must be < 1, got " + momentum);
        requireFinite("beta2", beta2, 0, true);
        if (beta2 >= 1) throw new IllegalArgumentException("beta2 must be < 1, got " + beta2);
        requireFinite("epsilon", epsilon, 0, true);
        requireFinite("weightDecay", weightDecay, 0, true);
    }

    /** Adam with PyTorch's constants {@code β₁ = 0.9, β₂ = 0.999, ε = 1e-8}, no weight decay. */
    public static OptimizerConfig adam(double learningRate) {
        return new OptimizerConfig(Type.ADAM, learningRate, 0.9, 0.999, 1e-8, 0);
    }

    /** SGD with the given momentum, no weight decay (beta2 and epsilon are unused). */
    public static OptimizerConfig sgd(double learningRate, double momentum) {
        return new OptimizerConfig(Type.SGD, learningRate, momentum, 0.999, 1e-8, 0);
    }

    Optimizer create(List<Param> params) {
        return create(params, Gemm.SERIAL);
    }

    /** The optimizer, its elementwise update split over {@code gemm}'s threads (the same bits on any number). */
    Optimizer create(List<Param> params, Gemm gemm) {
        return type == Type.ADAM ? new Adam(this, params, gemm) : new Sgd(this, params, gemm);
    }

    private static void requireFinite(String name, double v, double min, boolean inclusive) {
        if (!Double.isFinite(v) || (inclusive ? v < min : v <= min)) {
            throw new IllegalArgumentException("optimizer " + name + " must be a finite number "
                    + (inclusive ? ">= " : "> ") + min + ", got " + v);
        }
    }
}
