package dev.bnserve.nn;

import static org.assertj.core.api.Assertions.assertThat;

import dev.bnserve.model.TrainingSpec;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** Backpropagation against central finite differences, for every layer type and both losses. */
class GradientCheckTest {
    /** Step of the central difference (L(p+h) − L(p−h))/2h. */
    static final double H = 1e-6;
    /** Allowed |numeric − analytic|: absolute floor plus a relative part. */
    static final double ABS_TOL = 1e-7;

    static final double REL_TOL = 1e-5;

    static Stream<Arguments> networks() {
        List<Arguments> out = new ArrayList<>();
        BatchNormLike bn = new BatchNormLike();
        for (Loss loss : Loss.values()) {
            for (Activation act : Activation.values()) {
                for (NetworkSpec.Placement p : NetworkSpec.Placement.values()) {
                    out.add(Arguments.of(loss, NetworkSpec.mlp(5, List.of(7, 6), 3, act, true, true, p, 0.1, 1e-5)));
                }
                out.add(Arguments.of(
                        loss,
                        NetworkSpec.mlp(
                                4,
                                List.of(6),
                                2,
                                act,
                                false,
                                true,
                                NetworkSpec.Placement.BEFORE_ACTIVATION,
                                null,
                                1e-3)));
                out.add(Arguments.of(
                        loss,
                        NetworkSpec.mlp(
                                4,
                                List.of(5, 5),
                                3,
                                act,
                                true,
                                false,
                                NetworkSpec.Placement.BEFORE_ACTIVATION,
                                0.1,
                                1e-5)));
            }
            out.add(Arguments.of(loss, bn.doubleNormalized()));
        }
        return out.stream();
    }

    /** Unusual layouts the MLP builder does not make: BN right after BN, BN at the very end before the output layer. */
    static final class BatchNormLike {
        NetworkSpec doubleNormalized() {
            LayerSpec.BatchNorm b = new LayerSpec.BatchNorm(
                    TrainingSpec.DEFAULTS.batchNorm().momentum(),
                    TrainingSpec.DEFAULTS.batchNorm().eps());
            return new NetworkSpec(
                    3, List.of(b, b, new LayerSpec.Linear(4), new LayerSpec.Tanh(), b, new LayerSpec.Linear(3)));
        }
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("networks")
    void gradientsMatchFiniteDifferences(Loss loss, NetworkSpec spec) {
        SplittableRandom rng = new SplittableRandom(spec.hashCode() * 31L + loss.ordinal());
        Network net = Network.initialize(spec, 7);
        // Non-trivial gamma/beta so their gradients matter.
        for (Param p : net.params()) {
            if (p.name().equals("gamma") || p.name().equals("beta")) {
                for (int i = 0; i < p.value().length; i++)
                    p.value()[i] = rng.nextDouble(0.5, 1.5) * (p.name().equals("beta") ? 0.3 : 1);
            }
        }
        int n = 9, d = spec.inputs(), k = spec.outputs();
        double[] x = new double[n * d];
        for (int i = 0; i < x.length; i++) x[i] = rng.nextGaussian() * (1 + i % d) + (i % d) - 1;
        int[] labels = null;
        double[] targets = null;
        if (loss == Loss.CROSS_ENTROPY) {
            labels = new int[n];
            for (int r = 0; r < n; r++) labels[r] = rng.nextInt(k);
        } else {
            targets = new double[n * k];
            for (int i = 0; i < targets.length; i++) targets[i] = rng.nextGaussian();
        }
        net.forwardBackward(x, n, loss, labels, targets);
        List<double[]> analytic = new ArrayList<>();
        for (Param p : net.params()) analytic.add(p.grad().clone());

        List<Param> params = net.params();
        int checked = 0;
        for (int t = 0; t < params.size(); t++) {
            double[] v = params.get(t).value();
            for (int i = 0; i < v.length; i++) {
                double keep = v[i];
                v[i] = keep + H;
                double up = net.forwardBackward(x, n, loss, labels, targets);
                v[i] = keep - H;
                double down = net.forwardBackward(x, n, loss, labels, targets);
                v[i] = keep;
                double numeric = (up - down) / (2 * H);
                double a = analytic.get(t)[i];
                assertThat(Math.abs(numeric - a))
                        .as("%s[%d]: analytic %s vs numeric %s", params.get(t).name() + "#" + t, i, a, numeric)
                        .isLessThanOrEqualTo(ABS_TOL + REL_TOL * Math.abs(numeric));
                checked++;
            }
        }
        assertThat(checked).isGreaterThan(20);
    }
}
