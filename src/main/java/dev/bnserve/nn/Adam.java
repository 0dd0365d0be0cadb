package dev.bnserve.nn;

import java.util.List;

/**
 * Adam as in PyTorch 1.13 (no amsgrad, weight decay as L2): {@code g = ∇ + λ·p},
 * {@code m = β₁m + (1−β₁)g}, {@code v = β₂v + (1−β₂)g²}, and at step t
 * {@code p ← p − (lr/(1−β₁ᵗ)) · m / (sqrt(v)/sqrt(1−β₂ᵗ) + ε)}.
 */
final class Adam implements Optimizer {
    private final List<Param> params;
    private final double lr;
    private final double beta1;
    private final double beta2;
    private final double eps;
    private final double weightDecay;
    private final double[][] m;
    private final double[][] v;
    private final Gemm gemm;
    private long step;

    Adam(OptimizerConfig c, List<Param> params, Gemm gemm) {
        this.gemm = gemm;
        this.params = List.copyOf(params);
        this.lr = c.learningRate();
        this.beta1 = c.momentum();
        this.beta2 = c.beta2();
        this.eps = c.epsilon();
        this.weightDecay = c.weightDecay();
        this.m = new double[this.params.size()][];
        this.v = new double[this.params.size()][];
        for (int i = 0; i < m.length; i++) {
            m[i] = new double[this.params.get(i).value().length];
            v[i] = new double[m[i].length];
        }
    }

    @Override
    public void step() {
        step++;
        double bc1 = 1 - Math.pow(beta1, step);
        double bc2Sqrt = Math.sqrt(1 - Math.pow(beta2, step));
        double stepSize = lr / bc1;
        for (int t = 0; t < m.length; t++) {
            double[] p = params.get(t).value();
            double[] g = params.get(t).grad();
            double[] mt = m[t];
            double[] vt = v[t];
            // elementwise: any split over threads gives the same bits
            gemm.forRanges(p.length, 64, 8L * p.length, (lo, hi) -> update(p, g, mt, vt, stepSize, bc2Sqrt, lo, hi));
        }
    }

    private void update(
            double[] p, double[] g, double[] mt, double[] vt, double stepSize, double bc2Sqrt, int lo, int hi) {
        for (int i = lo; i < hi; i++) {
            double d = g[i] + weightDecay * p[i];
            mt[i] = beta1 * mt[i] + (1 - beta1) * d;
            vt[i] = beta2 * vt[i] + (1 - beta2) * d * d;
            p[i] -= stepSize * mt[i] / (Math.sqrt(vt[i]) / bc2Sqrt + eps);
        }
    }
}
