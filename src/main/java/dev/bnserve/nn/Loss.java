package dev.bnserve.nn;

/**
 * Training losses, each the mean over the batch, with their gradient with respect to the outputs.
 * <ul>
 *   <li>{@link #CROSS_ENTROPY}: softmax cross-entropy on logits,
 *       {@code L = (1/n) Σ_r (log Σ_k e^{z_rk} − z_r,y_r)}, {@code ∂L/∂z = (softmax(z) − onehot(y))/n}.</li>
 *   <li>{@link #CROSS_ENTROPY} with class weights {@code w} (PyTorch {@code CrossEntropyLoss(weight=w)}, reduction
 *       mean): {@code L = Σ_r w[y_r]·(log Σ_k e^{z_rk} − z_r,y_r) / W} with {@code W = Σ_r w[y_r]},
 *       {@code ∂L/∂z_r = w[y_r]·(softmax(z_r) − onehot(y_r))/W}. With all weights equal it is the unweighted loss.
 *       A batch whose rows all weigh 0 ({@code W = 0}) has loss 0 and gradient 0 (PyTorch returns NaN).</li>
 *   <li>{@link #MSE}: {@code L = (1/(n·k)) Σ (o − t)²}, {@code ∂L/∂o = 2(o − t)/(n·k)}.</li>
 * </ul>
 */
public enum Loss {
    CROSS_ENTROPY,
    MSE;

    /**
     * Computes the loss of {@code n} rows of {@code k} outputs and writes its gradient into {@code grad}.
     *
     * @param out     row-major n × k network outputs (logits for cross-entropy)
     * @param grad    row-major n × k, receives {@code ∂L/∂out}; null to compute the loss only
     * @param labels  class index per row (cross-entropy), or null
     * @param targets row-major n × k targets (MSE), or null
     */
    public double evaluate(double[] out, int n, int k, int[] labels, double[] targets, double[] grad) {
        return this == CROSS_ENTROPY ? crossEntropy(out, n, k, labels, grad) : mse(out, n, k, targets, grad);
    }

    /**
     * As {@link #evaluate(double[], int, int, int[], double[], double[])}, the cross-entropy weighted by
     * {@code classWeights} (one weight per class, see the class comment); a null {@code classWeights} is exactly the
     * unweighted loss, and MSE ignores them.
     */
    public double evaluate(
            double[] out, int n, int k, int[] labels, double[] targets, double[] classWeights, double[] grad) {
        if (classWeights == null || this == MSE) return evaluate(out, n, k, labels, targets, grad);
        return weightedCrossEntropy(out, n, k, labels, classWeights, grad);
    }

    /** {@code W = Σ_r w[y_r]} over the first {@code n} labels: the denominator of the weighted cross-entropy. */
    static double weightSum(int[] labels, int n, double[] classWeights) {
        double total = 0;
        for (int r = 0; r < n; r++) total += classWeights[labels[r]];
        return total;
    }

    private static double weightedCrossEntropy(double[] z, int n, int k, int[] labels, double[] w, double[] grad) {
        double weights = weightSum(labels, n, w);
        if (!(weights > 0)) {
            if (grad != null) java.util.Arrays.fill(grad, 0, n * k, 0.0);
            return 0.0;
        }
        double inv = 1.0 / weights;
        double total = 0;
        for (int r = 0; r < n; r++) {
            int o = r * k;
            double max = Double.NEGATIVE_INFINITY;
            for (int j = 0; j < k; j++) max = Math.max(max, z[o + j]);
            double sum = 0;
            for (int j = 0; j < k; j++) sum += Math.exp(z[o + j] - max);
            double lse = max + Math.log(sum);
            int y = labels[r];
            double wy = w[y];
            total += wy * (lse - z[o + y]);
            if (grad != null) {
                double g = wy * inv;
                for (int j = 0; j < k; j++) grad[o + j] = Math.exp(z[o + j] - lse) * g;
                grad[o + y] -= g;
            }
        }
        return total * inv;
    }

    private static double crossEntropy(double[] z, int n, int k, int[] labels, double[] grad) {
        double total = 0;
        double invN = 1.0 / n;
        for (int r = 0; r < n; r++) {
            int o = r * k;
            double max = Double.NEGATIVE_INFINITY;
            for (int j = 0; j < k; j++) max = Math.max(max, z[o + j]);
            double sum = 0;
            for (int j = 0; j < k; j++) sum += Math.exp(z[o + j] - max);
            double lse = max + Math.log(sum);
            int y = labels[r];
            total += lse - z[o + y];
            if (grad != null) {
                for (int j = 0; j < k; j++) grad[o + j] = Math.exp(z[o + j] - lse) * invN;
                grad[o + y] -= invN;
            }
        }
        return total * invN;
    }

    private static double mse(double[] out, int n, int k, double[] t, double[] grad) {
        int len = n * k;
        double total = 0;
        double g = 2.0 / len;
        for (int i = 0; i < len; i++) {
            double e = out[i] - t[i];
            total += e * e;
            if (grad != null) grad[i] = g * e;
        }
        return total / len;
    }
}
