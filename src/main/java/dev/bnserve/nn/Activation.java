package dev.bnserve.nn;

import java.util.Locale;

/**
 * The hidden-layer nonlinearity of an MLP, elementwise on flat arrays: forward {@code y = f(x)} and backward
 * {@code dx = dy·f'(x)} written in terms of the output {@code y}. Everything an activation needs lives here
 * (its layer kind, spec, state, forward and gradient), so adding one is one constant plus its {@link LayerKind}.
 *
 * <ul>
 *   <li>{@link #RELU}: {@code y = max(x, 0)}, {@code dx = dy·[y > 0]};</li>
 *   <li>{@link #TANH}: {@code y = tanh(x)}, {@code dx = dy·(1 − y²)}.</li>
 * </ul>
 * NaN propagates through both.
 */
public enum Activation {
    RELU {
        @Override
        void forward(double[] x, int xOff, double[] y, int yOff, int len) {
            for (int i = 0; i < len; i++) y[yOff + i] = Math.max(x[xOff + i], 0.0);
        }

        @Override
        void backward(double[] y, double[] dy, double[] dx, int len) {
            for (int i = 0; i < len; i++) dx[i] = reluGrad(dy[i], y[i]);
        }

        @Override
        LayerKind kind() {
            return LayerKind.RELU;
        }

        @Override
        LayerSpec spec() {
            return new LayerSpec.Relu();
        }

        @Override
        LayerState state(int features) {
            return new LayerState.Relu(features);
        }
    },
    TANH {
        @Override
        void forward(double[] x, int xOff, double[] y, int yOff, int len) {
            for (int i = 0; i < len; i++) y[yOff + i] = Math.tanh(x[xOff + i]);
        }

        @Override
        void backward(double[] y, double[] dy, double[] dx, int len) {
            for (int i = 0; i < len; i++) dx[i] = dy[i] * (1.0 - y[i] * y[i]);
        }

        @Override
        LayerKind kind() {
            return LayerKind.TANH;
        }

        @Override
        LayerSpec spec() {
            return new LayerSpec.Tanh();
        }

        @Override
        LayerState state(int features) {
            return new LayerState.Tanh(features);
        }
    };

    /** {@code y[yOff + i] = f(x[xOff + i])} for {@code i < len} (in place is allowed). */
    abstract void forward(double[] x, int xOff, double[] y, int yOff, int len);

    /** {@code dx[i] = dy[i]·f'} at the output {@code y[i]}, for {@code i < len}. */
    abstract void backward(double[] y, double[] dy, double[] dx, int len);

    abstract LayerKind kind();

    abstract LayerSpec spec();

    abstract LayerState state(int features);

    /**
     * {@code y > 0 ? dy : +0.0} without a branch (half the units are off, at random: a branch mispredicts
     * constantly). {@code y = max(x, 0)} is +0.0 or positive, so {@code bits(y) − 1} is negative exactly when
     * {@code y == +0.0}.
     */
    static double reluGrad(double dy, double y) {
        long off = (Double.doubleToRawLongBits(y) - 1) >> 63;
        return Double.longBitsToDouble(Double.doubleToRawLongBits(dy) & ~off);
    }

    public String id() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** Parses {@code relu} or {@code tanh} (case-insensitive). */
    public static Activation parse(String s) {
        for (Activation a : values()) {
            if (a.id().equalsIgnoreCase(s)) return a;
        }
        throw new IllegalArgumentException("unknown activation '" + s + "' (expected relu or tanh)");
    }
}
