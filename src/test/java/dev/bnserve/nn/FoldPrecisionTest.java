package dev.bnserve.nn;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * Folding a BatchNorm that comes before a Linear must not cancel: with a feature at |μ|/σ ≈ 1e6 the old
 * {@code b' = b + W·(β − s·μ)} fold lost ~1e-10 relative against the unfolded network; keeping {@code x − μ} before
 * the folded product ({@code W'·(x − μ) + b''}) keeps it at round-off.
 */
class FoldPrecisionTest {
    /** |plan − unfolded| ≤ FOLD_LARGE_MEAN_TOL·(1 + |unfolded|) for a feature at mean 1e6, std 1. */
    static final double FOLD_LARGE_MEAN_TOL = 1e-12;

    /** Input BN over 3 features (feature 0 at {@code mean} with std 1) → Linear(3 → 4) → ReLU → Linear(4 → 2). */
    static List<LayerState> layers(double mean, SplittableRandom rng, double[] x, int n) {
        int d = 3;
        for (int r = 0; r < n; r++) {
            x[r * d] = mean + rng.nextGaussian();
            x[r * d + 1] = rng.nextGaussian() * 3 - 2;
            x[r * d + 2] = rng.nextGaussian() * 0.5 + 10;
        }
        // running statistics as training would leave them: close to, not exactly, the sample's
        double[] rm = {mean + 0.01, -2.02, 10.003};
        double[] rv = {1.02, 8.9, 0.26};
        LayerState bn = new LayerState.BatchNorm(
                d, 0.1, 1e-5, new double[] {1.3, 0.7, 1.1}, new double[] {0.2, -0.4, 0.05}, rm, rv, 50);
        double[] w1 = new double[4 * d], b1 = new double[4], w2 = new double[2 * 4], b2 = new double[2];
        for (double[] a : new double[][] {w1, b1, w2, b2})
            for (int i = 0; i < a.length; i++) a[i] = rng.nextDouble() * 2 - 1;
        return List.of(
                bn, new LayerState.Linear(d, 4, w1, b1), new LayerState.Relu(4), new LayerState.Linear(4, 2, w2, b2));
    }

    /** max over the outputs of |plan − unfolded| / (1 + |unfolded|). */
    static double foldError(double mean, InferencePlanFactory compile) {
        SplittableRandom rng = new SplittableRandom(7);
        int n = 200;
        double[] x = new double[n * 3];
        List<LayerState> layers = layers(mean, rng, x, n);
        double[] unfolded = new double[n * 2];
        Network.fromState(3, layers).forwardEval(x, n, unfolded);
        double[] folded = new double[n * 2];
        compile.compile(3, layers).predictBatch(x, n, folded);
        double worst = 0;
        for (int i = 0; i < folded.length; i++) {
            worst = Math.max(worst, Math.abs(folded[i] - unfolded[i]) / (1 + Math.abs(unfolded[i])));
        }
        return worst;
    }

    interface InferencePlanFactory {
        InferencePlan compile(int inputs, List<LayerState> layers);
    }

    @Test
    void inputBatchNormOverALargeMeanFoldsWithoutCancellation() {
        for (InferencePlanFactory f :
                List.<InferencePlanFactory>of(InferencePlan::compile, InferencePlan::compileScalar)) {
            // 1e3 (std 1) is just under InferencePlan.CENTER_RATIO: the classic fold, whose loss stays below 2^-43
            for (double mean : new double[] {1e3, 1e6, 1e7}) {
                double e = foldError(mean, f);
                System.out.printf("fold error (max |plan − unfolded|/(1 + |unfolded|)) at mean %.0e: %.3g%n", mean, e);
                assertThat(e).as("mean %s", mean).isLessThanOrEqualTo(FOLD_LARGE_MEAN_TOL);
            }
        }
    }

    @Test
    void theCenteredFoldKeepsOneChainPerOutputAloneBatchedAndOnEitherKernel() {
        SplittableRandom rng = new SplittableRandom(3);
        int n = 33;
        double[] x = new double[n * 3];
        List<LayerState> layers = layers(1e6, rng, x, n);
        InferencePlan plan = InferencePlan.compile(3, layers);
        InferencePlan scalar = InferencePlan.compileScalar(3, layers);
        double[] batch = new double[n * 2];
        plan.predictBatch(x, n, batch);
        for (int r = 0; r < n; r++) {
            double[] row = java.util.Arrays.copyOfRange(x, r * 3, r * 3 + 3);
            assertThat(plan.predict(row)).isEqualTo(java.util.Arrays.copyOfRange(batch, r * 2, r * 2 + 2));
            assertThat(scalar.predict(row)).isEqualTo(plan.predict(row));
        }
        assertThat(plan.operationCount())
                .as("BN folded away: dense, relu, dense")
                .isEqualTo(3);
    }
}
