package dev.bnserve.nn;

import java.util.List;

/**
 * Stochastic gradient descent as in PyTorch: {@code g = ∇ + λ·p};
 * with momentum μ, {@code buf = g} on the first step, else {@code buf = μ·buf + g}, and {@code g = buf};
 * then {@code p ← p − lr·g}.
 */
final class Sgd implements Optimizer {
    private final List<Param> params;
    private final double lr;
    private final double momentum;
    private final double weightDecay;
    private final double[][] buffers;
    private final Gemm gemm;
    private boolean first = true;

    Sgd(OptimizerConfig c, List<Param> params, Gemm gemm) {
        this.gemm = gemm;
        this.params = List.copyOf(params);
        this.lr = c.learningRate();
        this.momentum = c.momentum();
        this.weightDecay = c.weightDecay();
        this.buffers = new double[this.params.size()][];
        for (int i = 0; i < buffers.length; i++)
            buffers[i] = new double[this.params.get(i).value().length];
    }

    @Override
    public void step() {
        for (int t = 0; t < buffers.length; t++) {
            double[] p = params.get(t).value();
            double[] g = params.get(t).grad();
            double[] buf = buffers[t];
            boolean f = first;
            gemm.forRanges(p.length, 64, 3L * p.length, (lo, hi) -> update(p, g, buf, f, lo, hi));
        }
        first = false;
    }

    private void update(double[] p, double[] g, double[] buf, boolean first, int lo, int hi) {
        for (int i = lo; i < hi; i++) {
            double d = g[i] + weightDecay * p[i];
            if (momentum != 0) {
                d = first ? d : momentum * buf[i] + d;
                buf[i] = d;
            }
            p[i] -= lr * d;
        }
    }
}
