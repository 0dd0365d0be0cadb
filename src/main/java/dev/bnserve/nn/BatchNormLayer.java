package dev.bnserve.nn;

import java.util.Arrays;
import java.util.List;

/**
 * Batch normalization over features (PyTorch {@code BatchNorm1d} semantics).
 *
 * <p>Training, per feature j over the n rows of the batch:
 * {@code μ = Σx/n}, {@code σ² = Σ(x−μ)²/n} (biased), {@code x̂ = (x−μ)/sqrt(σ²+eps)},
 * {@code y = γ·x̂ + β}; then {@code running = (1−m)·running + m·batch} with the unbiased
 * {@code σ²·n/(n−1)} in the running variance, {@code m = momentum} or {@code 1/batchesTracked}
 * when momentum is null (cumulative average).
 *
 * <p>Backward through the batch statistics (the full gradient):
 * {@code dβ = Σ dy}, {@code dγ = Σ dy·x̂},
 * {@code dx = γ/(n·sqrt(σ²+eps)) · (n·dy − dβ − x̂·dγ)}.
 *
 * <p>Inference: {@code y = γ·(x − runningMean)/sqrt(runningVar + eps) + β}.
 */
final class BatchNormLayer extends Layer {
    final Double momentum;
    final double eps;
    final double[] gamma;
    final double[] beta;
    final double[] runningMean;
    final double[] runningVar;
    long batchesTracked;

    private final double[] gGamma;
    private final double[] gBeta;
    private final double[] mean;
    private final double[] invStd;
    private final double[] scale;
    private double[] xhat = new double[0];

    BatchNormLayer(LayerState.BatchNorm s) {
        super(s.features(), s.features());
        this.momentum = s.momentum();
        this.eps = s.eps();
        this.gamma = s.gamma();
        this.beta = s.beta();
        this.runningMean = s.runningMean();
        this.runningVar = s.runningVar();
        this.batchesTracked = s.batchesTracked();
        int d = s.features();
        this.gGamma = new double[d];
        this.gBeta = new double[d];
        this.mean = new double[d];
        this.invStd = new double[d];
        this.scale = new double[d];
    }

    @Override
    LayerKind kind() {
        return LayerKind.BATCHNORM;
    }

    @Override
    void ensureCapacity(int rows) {
        if (xhat.length < rows * in) xhat = new double[rows * in];
    }

    @Override
    void forwardTrain(Gemm gemm, double[] x, double[] y, int n) {
        forwardTrain(gemm, x, y, n, false);
    }

    /**
     * Training forward, and with {@code relu} the following ReLU too: {@code y = max(γ·x̂ + β, 0)}, the same bits
     * as the two layers one after the other, in one pass less over the batch. Features are independent, so the
     * work is split over {@code gemm}'s threads by feature ranges: every feature's sums run over the rows in order on
     * one thread, the same bits on any number of threads.
     */
    void forwardTrain(Gemm gemm, double[] x, double[] y, int n, boolean relu) {
        if (n < 2)
            throw new IllegalArgumentException(
                    "batch normalization in training needs at least 2 rows per batch, got " + n);
        ensureCapacity(n);
        batchesTracked++;
        double m = momentum == null ? 1.0 / batchesTracked : momentum;
        gemm.forRanges(in, FEATURE_QUANTUM, 5L * n * in, (lo, hi) -> forwardTrain(x, y, n, relu, m, lo, hi));
    }

    /** Features whose work goes to one thread together (a multiple of 8 doubles: whole cache lines). */
    private static final int FEATURE_QUANTUM = 16;

    /** {@link #forwardTrain(Gemm, double[], double[], int, boolean)} of the features {@code [lo, hi)}. */
    private void forwardTrain(double[] x, double[] y, int n, boolean relu, double m, int lo, int hi) {
        final int d = in;
        double[] var = invStd; // accumulate the variance in place, then turn it into 1/sqrt(var + eps)
        moments(x, n, d, lo, hi, mean, var);
        double unbias = (double) n / (n - 1);
        for (int j = lo; j < hi; j++) {
            double v = var[j] / n;
            if (!Double.isFinite(v)) {
                // |x| beyond ~1e154 squares to Inf: normalizing would silently map the feature to 0 and store Inf
                // statistics
                throw new ArithmeticException("the batch " + (Double.isFinite(mean[j]) ? "variance" : "mean")
                        + " of feature " + j + " became " + (Double.isNaN(v) ? "NaN" : "Inf"));
            }
            runningMean[j] = (1 - m) * runningMean[j] + m * mean[j];
            runningVar[j] = (1 - m) * runningVar[j] + m * (v * unbias);
            invStd[j] = 1.0 / Math.sqrt(v + eps);
        }
        // Two copies of the normalizing loop rather than a test per element: the fused one is the hot loop of
        // every BN → ReLU network, and each copy stays a plain loop the JIT compiles on its own.
        if (relu) {
            for (int r = 0; r < n; r++) {
                int o = r * d;
                for (int j = lo; j < hi; j++) {
                    double h = (x[o + j] - mean[j]) * invStd[j];
                    xhat[o + j] = h;
                    y[o + j] = Math.max(gamma[j] * h + beta[j], 0.0);
                }
            }
        } else {
            for (int r = 0; r < n; r++) {
                int o = r * d;
                for (int j = lo; j < hi; j++) {
                    double h = (x[o + j] - mean[j]) * invStd[j];
                    xhat[o + j] = h;
                    y[o + j] = gamma[j] * h + beta[j];
                }
            }
        }
    }

    /**
     * Column moments of the row-major n × d block {@code x}, in two passes over the rows in order:
     * {@code mean[j] = Σ_r x[r][j] / n} and {@code m2[j] = Σ_r (x[r][j] − mean[j])²} (the biased variance is
     * {@code m2/n}). Training and population statistics share it, so both see the same sums.
     */
    static void moments(double[] x, int n, int d, double[] mean, double[] m2) {
        moments(x, n, d, 0, d, mean, m2);
    }

    /** {@link #moments(double[], int, int, double[], double[])} of the columns {@code [lo, hi)} only. */
    static void moments(double[] x, int n, int d, int lo, int hi, double[] mean, double[] m2) {
        Arrays.fill(mean, lo, hi, 0.0);
        for (int r = 0; r < n; r++) {
            int o = r * d;
            for (int j = lo; j < hi; j++) mean[j] += x[o + j];
        }
        for (int j = lo; j < hi; j++) mean[j] /= n;
        Arrays.fill(m2, lo, hi, 0.0);
        for (int r = 0; r < n; r++) {
            int o = r * d;
            for (int j = lo; j < hi; j++) {
                double t = x[o + j] - mean[j];
                m2[j] += t * t;
            }
        }
    }

    /**
     * Chan's parallel combination: folds a chunk of {@code m} rows with column means {@code cm} and
     * {@code c2 = Σ(x − cm)²} into the running {@code mean}, {@code m2} over {@code count} rows
     * ({@code δ = cm − mean}, {@code mean += δ·m/total}, {@code m2 += c2 + δ²·count·m/total}); returns
     * {@code total = count + m}. Population statistics (the network's and {@link PopulationStatistics}) share it.
     */
    static long combine(double[] mean, double[] m2, long count, double[] cm, double[] c2, int m, int d) {
        long total = count + m;
        for (int j = 0; j < d; j++) {
            double delta = cm[j] - mean[j];
            mean[j] += delta * m / total;
            m2[j] += c2[j] + delta * delta * ((double) count * m / total);
        }
        return total;
    }

    @Override
    void forwardEval(Gemm gemm, double[] x, double[] y, int n) {
        final int d = in;
        double[] s = scale; // scratch: backward overwrites it before reading it
        for (int j = 0; j < d; j++) s[j] = gamma[j] / Math.sqrt(runningVar[j] + eps);
        for (int r = 0; r < n; r++) {
            int o = r * d;
            for (int j = 0; j < d; j++) y[o + j] = (x[o + j] - runningMean[j]) * s[j] + beta[j];
        }
    }

    @Override
    void backward(Gemm gemm, double[] x, double[] y, double[] dy, double[] dx, int n) {
        backward(gemm, dy, null, dx, n);
    }

    /**
     * Backward; with {@code reluOut} non-null, through the following ReLU first ({@code dy} is then the gradient
     * of the ReLU's output {@code reluOut}), taking the same values as the two layers one after the other. Split
     * over {@code gemm}'s threads by feature ranges, as the forward.
     */
    void backward(Gemm gemm, double[] dy, double[] reluOut, double[] dx, int n) {
        gemm.forRanges(
                in, FEATURE_QUANTUM, (dx == null ? 2L : 4L) * n * in, (lo, hi) -> backward(dy, reluOut, dx, n, lo, hi));
    }

    private void backward(double[] dy, double[] reluOut, double[] dx, int n, int lo, int hi) {
        final int d = in;
        Arrays.fill(gGamma, lo, hi, 0.0);
        Arrays.fill(gBeta, lo, hi, 0.0);
        for (int r = 0; r < n; r++) {
            int o = r * d;
            if (reluOut == null) {
                for (int j = lo; j < hi; j++) {
                    double g = dy[o + j];
                    gBeta[j] += g;
                    gGamma[j] += g * xhat[o + j];
                }
            } else {
                for (int j = lo; j < hi; j++) {
                    double g = Activation.reluGrad(dy[o + j], reluOut[o + j]);
                    gBeta[j] += g;
                    gGamma[j] += g * xhat[o + j];
                }
            }
        }
        if (dx == null) return;
        for (int j = lo; j < hi; j++) {
            scale[j] = gamma[j] * invStd[j] / n;
        }
        for (int r = 0; r < n; r++) {
            int o = r * d;
            if (reluOut == null) {
                for (int j = lo; j < hi; j++)
                    dx[o + j] = scale[j] * (n * dy[o + j] - gBeta[j] - xhat[o + j] * gGamma[j]);
            } else {
                for (int j = lo; j < hi; j++) {
                    double g = Activation.reluGrad(dy[o + j], reluOut[o + j]);
                    dx[o + j] = scale[j] * (n * g - gBeta[j] - xhat[o + j] * gGamma[j]);
                }
            }
        }
    }

    /** Replaces the running statistics (population mode); {@code batchesTracked} is kept. */
    void setRunningStatistics(double[] mean, double[] unbiasedVar) {
        System.arraycopy(mean, 0, runningMean, 0, in);
        System.arraycopy(unbiasedVar, 0, runningVar, 0, in);
    }

    @Override
    List<Param> params() {
        return List.of(new Param("gamma", gamma, gGamma), new Param("beta", beta, gBeta));
    }

    @Override
    LayerState state() {
        return new LayerState.BatchNorm(in, momentum, eps, gamma, beta, runningMean, runningVar, batchesTracked);
    }
}
