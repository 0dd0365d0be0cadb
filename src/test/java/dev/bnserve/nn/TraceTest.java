package dev.bnserve.nn;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** {@link Trace}: one row through the unfolded layers, every intermediate value checked by hand. */
class TraceTest {
    /** Hand recomputation (plain sums, γ·normalized + β) vs the trace: |a − b| ≤ HAND_TOL·(1 + |b|). */
    static final double HAND_TOL = 1e-12;

    /** Trace vs the folded plan: |a − b| ≤ FOLD_TOL·(1 + |b|). */
    static final double FOLD_TOL = 1e-12;

    static List<NetworkSpec> specs() {
        List<NetworkSpec> specs = new ArrayList<>(InvariantsTest.layouts());
        specs.add(NetworkSpecTest.mixed(4, 3));
        return specs;
    }

    @Test
    void theTracedOutputIsForwardEvalBitForBitAndThePlanWithinRoundOff() {
        for (NetworkSpec spec : specs()) {
            Network net = InvariantsTest.trained(spec, 21);
            List<LayerState> layers = net.state();
            int n = 25, d = spec.inputs(), k = spec.outputs();
            double[] x = InvariantsTest.randomRows(new SplittableRandom(8), n, d);
            double[] batched = new double[n * k];
            Network.fromState(d, layers).forwardEval(x, n, batched);
            InferencePlan plan = InferencePlan.compile(d, layers);
            for (int r = 0; r < n; r++) {
                double[] row = Arrays.copyOfRange(x, r * d, (r + 1) * d);
                double[] traced = Trace.of(d, layers, row).output();
                double[] alone = new double[k];
                Network.fromState(d, layers).forwardEval(row, 1, alone);
                assertThat(traced).as("%s row %d vs forwardEval alone", spec, r).isEqualTo(alone);
                assertThat(traced)
                        .as("%s row %d vs forwardEval in a batch", spec, r)
                        .isEqualTo(Arrays.copyOfRange(batched, r * k, (r + 1) * k));
                double[] folded = plan.predict(row);
                for (int o = 0; o < k; o++) {
                    assertThat(Math.abs(traced[o] - folded[o]))
                            .as("%s row %d output %d vs the folded plan", spec, r, o)
                            .isLessThanOrEqualTo(FOLD_TOL * (1 + Math.abs(folded[o])));
                }
            }
        }
    }

    @Test
    void everyStepRecomputesByHandFromTheExportedLayers() {
        for (NetworkSpec spec : specs()) {
            Network net = InvariantsTest.trained(spec, 4);
            List<LayerState> layers = net.state();
            List<LayerState> copy = List.copyOf(net.state());
            int d = spec.inputs();
            double[] x = InvariantsTest.randomRows(new SplittableRandom(1), 1, d);
            Trace trace = Trace.of(d, layers, x);
            assertThat(layers).as("tracing never changes the layers").isEqualTo(copy);
            assertThat(trace.steps()).hasSize(layers.size());
            double[] h = x;
            for (int i = 0; i < layers.size(); i++) {
                Trace.Step step = trace.steps().get(i);
                LayerState s = layers.get(i);
                String at = spec + " layer " + i;
                assertThat(step.layer()).isEqualTo(i);
                assertThat(step.kind()).as(at).isEqualTo(s.kind());
                assertThat(step.input()).as(at + " input").isEqualTo(h);
                double[] expected = new double[s.outputs()];
                switch (s.kind()) {
                    case LINEAR -> {
                        LayerState.Linear l = (LayerState.Linear) s;
                        double[] w = l.weight(), b = l.bias();
                        for (int o = 0; o < l.out(); o++) {
                            double sum = b[o];
                            for (int j = 0; j < l.in(); j++) sum += w[o * l.in() + j] * h[j];
                            expected[o] = sum;
                        }
                        assertThat(step.mean()).isNull();
                    }
                    case BATCHNORM -> {
                        LayerState.BatchNorm bn = (LayerState.BatchNorm) s;
                        assertThat(step.mean()).as(at + " mean").isEqualTo(bn.runningMean());
                        assertThat(step.var()).as(at + " var").isEqualTo(bn.runningVar());
                        assertThat(step.eps()).as(at + " eps").isEqualTo(bn.eps());
                        assertThat(step.gamma()).as(at + " gamma").isEqualTo(bn.gamma());
                        assertThat(step.beta()).as(at + " beta").isEqualTo(bn.beta());
                        double[] normalized = new double[bn.features()];
                        for (int j = 0; j < normalized.length; j++) {
                            normalized[j] = (h[j] - bn.runningMean()[j]) / Math.sqrt(bn.runningVar()[j] + bn.eps());
                            expected[j] = bn.gamma()[j] * normalized[j] + bn.beta()[j];
                        }
                        close(at + " normalized", step.normalized(), normalized);
                    }
                    case RELU -> {
                        for (int j = 0; j < h.length; j++) expected[j] = h[j] > 0 ? h[j] : 0;
                    }
                    case TANH -> {
                        for (int j = 0; j < h.length; j++) expected[j] = Math.tanh(h[j]);
                    }
                }
                close(at + " output", step.output(), expected);
                h = step.output();
            }
            assertThat(trace.output()).isEqualTo(h);
        }
    }

    @Test
    void stepsAreCopiesAndBadRowsAreRejected() {
        NetworkSpec spec = NetworkSpecTest.mixed(4, 3);
        List<LayerState> layers = Network.initialize(spec, 2).state();
        double[] x = {1, 2, 3, 4};
        Trace trace = Trace.of(4, layers, x);
        x[0] = 99;
        assertThat(trace.steps().get(0).input()[0]).isEqualTo(1.0);
        trace.steps().get(0).output()[0] = 42;
        assertThat(trace.steps().get(0).output()[0]).isNotEqualTo(42.0);
        assertThat(Trace.of(4, layers, new double[] {1, 2, 3, 4}).steps())
                .isEqualTo(Trace.of(4, layers, new double[] {1, 2, 3, 4}).steps());
        assertThatThrownBy(() -> Trace.of(4, layers, new double[3])).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> Trace.of(5, layers, new double[5])).isInstanceOf(IllegalArgumentException.class);
    }

    static void close(String what, double[] actual, double[] expected) {
        assertThat(actual).as(what + " length").hasSameSizeAs(expected);
        for (int i = 0; i < actual.length; i++) {
            assertThat(Math.abs(actual[i] - expected[i]))
                    .as("%s[%d]: %s vs %s", what, i, actual[i], expected[i])
                    .isLessThanOrEqualTo(HAND_TOL * (1 + Math.abs(expected[i])));
        }
    }
}
