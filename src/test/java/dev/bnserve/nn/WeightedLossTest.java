package dev.bnserve.nn;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The class-weighted cross-entropy (PyTorch {@code CrossEntropyLoss(weight=w)}, reduction mean):
 * {@code L = Σ_r w[y_r]·ce_r / Σ_r w[y_r]}. PyTorch is not installed here, so the loss is checked in closed form on a
 * tiny batch and its gradient, through every layer type, against central finite differences as in
 * {@link GradientCheckTest}.
 */
class WeightedLossTest {

    @org.junit.jupiter.api.Test
    void closedFormOnATinyBatch() {
        // logits of 3 rows, 2 classes; ce_r = log(e^{z0} + e^{z1}) − z_y
        double[] z = {0, 0, 1, 0, 0, 2};
        int[] y = {0, 0, 1};
        double[] w = {1, 3};
        double ce0 = Math.log(2);
        double ce1 = Math.log(Math.E + 1) - 1;
        double ce2 = Math.log(1 + Math.exp(2)) - 2;
        double expected = (1 * ce0 + 1 * ce1 + 3 * ce2) / (1 + 1 + 3);
        double[] grad = new double[6];
        double loss = Loss.CROSS_ENTROPY.evaluate(z, 3, 2, y, null, w, grad);
        assertThat(loss).isCloseTo(expected, within(1e-15));
        // ∂L/∂z_r = w[y_r]·(softmax(z_r) − onehot(y_r)) / W, W = 5
        double s = Math.E / (Math.E + 1); // softmax of row 1, class 0
        double t = 1 / (1 + Math.exp(2)); // softmax of row 2, class 0
        double[] expectedGrad = {
            (0.5 - 1) / 5, 0.5 / 5, (s - 1) / 5, (1 - s) / 5, 3 * t / 5, 3 * ((1 - t) - 1) / 5,
        };
        for (int i = 0; i < 6; i++) assertThat(grad[i]).as("grad[%d]", i).isCloseTo(expectedGrad[i], within(1e-15));
    }

    @org.junit.jupiter.api.Test
    void equalWeightsGiveTheUnweightedLossAndNullIsExactlyIt() {
        SplittableRandom rng = new SplittableRandom(3);
        int n = 7, k = 4;
        double[] z = new double[n * k];
        for (int i = 0; i < z.length; i++) z[i] = rng.nextGaussian() * 3;
        int[] y = new int[n];
        for (int r = 0; r < n; r++) y[r] = rng.nextInt(k);
        double[] g0 = new double[n * k], g1 = new double[n * k], g2 = new double[n * k];
        double plain = Loss.CROSS_ENTROPY.evaluate(z, n, k, y, null, g0);
        double viaNull = Loss.CROSS_ENTROPY.evaluate(z, n, k, y, null, null, g1);
        double equal = Loss.CROSS_ENTROPY.evaluate(z, n, k, y, null, new double[] {2.5, 2.5, 2.5, 2.5}, g2);
        assertThat(viaNull).isEqualTo(plain);
        assertThat(g1).isEqualTo(g0);
        assertThat(equal).isCloseTo(plain, within(1e-14 * plain));
        for (int i = 0; i < g0.length; i++) assertThat(g2[i]).isCloseTo(g0[i], within(1e-15));
    }

    @org.junit.jupiter.api.Test
    void aBatchOfZeroWeightRowsContributesNothing() {
        double[] grad = {9, 9, 9, 9};
        double loss = Loss.CROSS_ENTROPY.evaluate(
                new double[] {1, 2, 3, 4}, 2, 2, new int[] {1, 1}, null, new double[] {1, 0}, grad);
        assertThat(loss).isZero();
        assertThat(grad).containsOnly(0.0);
    }

    @org.junit.jupiter.api.Test
    void configRejectsNegativeOrNonFiniteWeights() {
        TrainingConfig c = new TrainingConfig(1, 2, true, 0, 0.2, OptimizerConfig.adam(1e-3), StatisticsMode.EMA);
        assertThatThrownBy(() -> c.withClassWeights(new double[] {1, -1}))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("class 1");
        assertThatThrownBy(() -> c.withClassWeights(new double[] {Double.NaN}))
                .isInstanceOf(IllegalArgumentException.class);
        assertThat(c.withClassWeights(null)).isEqualTo(c);
        assertThat(c.withClassWeights(new double[] {1, 2})).isEqualTo(c.withClassWeights(new double[] {1, 2}));
    }

    static Stream<NetworkSpec> networks() {
        List<NetworkSpec> out = new ArrayList<>();
        for (Activation act : Activation.values()) {
            for (NetworkSpec.Placement p : NetworkSpec.Placement.values())
                out.add(NetworkSpec.mlp(5, List.of(7, 6), 3, act, true, true, p, 0.1, 1e-5));
        }
        out.add(new GradientCheckTest.BatchNormLike().doubleNormalized());
        return out.stream();
    }

    /** {@link GradientCheckTest#gradientsMatchFiniteDifferences} with unequal class weights, one of them 0. */
    @ParameterizedTest(name = "{0}")
    @MethodSource("networks")
    void weightedGradientsMatchFiniteDifferences(NetworkSpec spec) {
        SplittableRandom rng = new SplittableRandom(spec.hashCode() * 31L + 5);
        Network net = Network.initialize(spec, 7);
        for (Param p : net.params()) {
            if (p.name().equals("gamma") || p.name().equals("beta")) {
                for (int i = 0; i < p.value().length; i++)
                    p.value()[i] = rng.nextDouble(0.5, 1.5) * (p.name().equals("beta") ? 0.3 : 1);
            }
        }
        int n = 9, d = spec.inputs(), k = spec.outputs();
        double[] weights = {0.4, 2.5, 0.0};
        double[] x = new double[n * d];
        for (int i = 0; i < x.length; i++) x[i] = rng.nextGaussian() * (1 + i % d) + (i % d) - 1;
        int[] labels = new int[n];
        for (int r = 0; r < n; r++) labels[r] = r % k; // every class present, so the zero weight matters
        net.forwardBackward(x, n, Loss.CROSS_ENTROPY, labels, null, weights);
        List<double[]> analytic = new ArrayList<>();
        for (Param p : net.params()) analytic.add(p.grad().clone());
        double h = GradientCheckTest.H;
        List<Param> params = net.params();
        int checked = 0;
        for (int t = 0; t < params.size(); t++) {
            double[] v = params.get(t).value();
            for (int i = 0; i < v.length; i++) {
                double keep = v[i];
                v[i] = keep + h;
                double up = net.forwardBackward(x, n, Loss.CROSS_ENTROPY, labels, null, weights);
                v[i] = keep - h;
                double down = net.forwardBackward(x, n, Loss.CROSS_ENTROPY, labels, null, weights);
                v[i] = keep;
                double numeric = (up - down) / (2 * h);
                double a = analytic.get(t)[i];
                assertThat(Math.abs(numeric - a))
                        .as("%s[%d]: analytic %s vs numeric %s", params.get(t).name() + "#" + t, i, a, numeric)
                        .isLessThanOrEqualTo(GradientCheckTest.ABS_TOL + GradientCheckTest.REL_TOL * Math.abs(numeric));
                checked++;
            }
        }
        assertThat(checked).isGreaterThan(20);
    }
}
