package dev.bnserve.nn;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.bnserve.model.TrainingSpec;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;

/** Properties prediction must keep whatever the weights: batch independence, purity, exact folding. */
class InvariantsTest {
    /** Folding BatchNorm into Linear only reorders a few roundings: |plan − unfolded| ≤ FOLD_TOL·(1 + |unfolded|). */
    static final double FOLD_TOL = 1e-12;

    /** A trained-looking network: a few steps of training so weights and running statistics are non-trivial. */
    static Network trained(NetworkSpec spec, long seed) {
        Network net = Network.initialize(spec, seed);
        SplittableRandom rng = new SplittableRandom(seed);
        int n = 16, d = spec.inputs(), k = spec.outputs();
        Optimizer opt = OptimizerConfig.adam(0.05).create(net.params());
        for (int step = 0; step < 20; step++) {
            double[] x = randomRows(rng, n, d);
            int[] y = new int[n];
            for (int r = 0; r < n; r++) y[r] = rng.nextInt(k);
            net.forwardBackward(x, n, Loss.CROSS_ENTROPY, y, null);
            opt.step();
        }
        return net;
    }

    /** Training runs BatchNorm → ReLU as one fused pass; it must change no bit of anything training computes. */
    @Test
    void fusedBatchNormReluTrainsBitForBitLikeTheSeparateLayers() {
        for (NetworkSpec spec : layouts()) {
            for (Loss loss : Loss.values()) {
                Network fused = Network.initialize(spec, 3);
                Network plain = Network.initialize(spec, 3).fusion(false);
                Optimizer of = OptimizerConfig.adam(0.05).create(fused.params());
                Optimizer op = OptimizerConfig.adam(0.05).create(plain.params());
                SplittableRandom rng = new SplittableRandom(9);
                int n = 24, d = spec.inputs(), k = spec.outputs();
                for (int step = 0; step < 5; step++) {
                    double[] x = randomRows(rng, n, d);
                    int[] y = new int[n];
                    double[] t = new double[n * k];
                    for (int r = 0; r < n; r++) y[r] = rng.nextInt(k);
                    for (int i = 0; i < t.length; i++) t[i] = rng.nextGaussian();
                    boolean ce = loss == Loss.CROSS_ENTROPY;
                    double lf = fused.forwardBackward(x, n, loss, ce ? y : null, ce ? null : t);
                    double lp = plain.forwardBackward(x, n, loss, ce ? y : null, ce ? null : t);
                    assertThat(lf).isEqualTo(lp);
                    assertThat(java.util.Arrays.copyOf(fused.lastOutput(), n * k))
                            .isEqualTo(java.util.Arrays.copyOf(plain.lastOutput(), n * k));
                    for (int p = 0; p < fused.params().size(); p++) {
                        assertThat(fused.params().get(p).grad())
                                .as(spec + " " + fused.params().get(p).name())
                                .isEqualTo(plain.params().get(p).grad());
                    }
                    of.step();
                    op.step();
                }
                assertThat(fused.state()).isEqualTo(plain.state());
            }
        }
    }

    static double[] randomRows(SplittableRandom rng, int n, int d) {
        double[] x = new double[n * d];
        for (int i = 0; i < x.length; i++) x[i] = rng.nextGaussian() * (1 + (i % d) * 3) + (i % d) * 10;
        return x;
    }

    static List<NetworkSpec> layouts() {
        List<NetworkSpec> specs = new ArrayList<>();
        for (Activation a : Activation.values()) {
            for (NetworkSpec.Placement p : NetworkSpec.Placement.values()) {
                specs.add(NetworkSpec.mlp(13, List.of(64, 37), 10, a, true, true, p, 0.1, 1e-5));
            }
        }
        specs.add(NetworkSpec.mlp(
                5, List.of(9), 3, Activation.RELU, false, false, NetworkSpec.Placement.BEFORE_ACTIVATION, 0.1, 1e-5));
        LayerSpec.BatchNorm b = new LayerSpec.BatchNorm(
                TrainingSpec.DEFAULTS.batchNorm().momentum(),
                TrainingSpec.DEFAULTS.batchNorm().eps());
        specs.add(new NetworkSpec(
                6,
                List.of(
                        b,
                        b,
                        new LayerSpec.Linear(8),
                        new LayerSpec.Relu(),
                        b,
                        new LayerSpec.Relu(),
                        b,
                        new LayerSpec.Linear(4))));
        return specs;
    }

    @Test
    void aRowsAnswerIsBitIdenticalAloneAndInAnyBatch() {
        for (NetworkSpec spec : layouts()) {
            Network net = trained(spec, 3);
            InferencePlan plan = InferencePlan.compile(spec.inputs(), net.state());
            InferencePlan scalar = InferencePlan.compileScalar(spec.inputs(), net.state());
            int n = 41, d = spec.inputs(), k = spec.outputs();
            double[] x = randomRows(new SplittableRandom(11), n, d);
            double[] batch = new double[n * k];
            plan.predictBatch(x, n, batch);
            for (int r = 0; r < n; r++) {
                double[] row = java.util.Arrays.copyOfRange(x, r * d, (r + 1) * d);
                double[] alone = plan.predict(row);
                assertThat(alone)
                        .as("row %d alone vs in batch", r)
                        .isEqualTo(java.util.Arrays.copyOfRange(batch, r * k, (r + 1) * k));
                assertThat(scalar.predict(row))
                        .as("scalar kernel vs %s kernel", plan.kernelName())
                        .isEqualTo(alone);
            }
            // Any sub-batch, at any offset.
            double[] sub = new double[7 * k];
            plan.predictBatch(java.util.Arrays.copyOfRange(x, 5 * d, 12 * d), 7, sub);
            assertThat(sub).isEqualTo(java.util.Arrays.copyOfRange(batch, 5 * k, 12 * k));
        }
    }

    /**
     * The block kernel ({@link InferencePlan#predictRows}: four rows per register block, {@link InferencePlan#BLOCK}
     * rows per pass) gives every row the bits it gets alone, for every block length 1–67 (all remainders of the
     * four-row block and of the 64-row pass) and every offset, with the vector and the scalar kernel.
     */
    @Test
    void everyBlockOfOneTo67RowsGivesEachRowItsBitsAlone() {
        for (NetworkSpec spec : layouts()) {
            Network net = trained(spec, 3);
            InferencePlan plan = InferencePlan.compile(spec.inputs(), net.state());
            InferencePlan scalar = InferencePlan.compileScalar(spec.inputs(), net.state());
            int total = 67 + 13, d = spec.inputs(), k = spec.outputs();
            double[] x = randomRows(new SplittableRandom(17), total, d);
            double[][] alone = new double[total][];
            for (int r = 0; r < total; r++) {
                alone[r] = plan.predict(java.util.Arrays.copyOfRange(x, r * d, (r + 1) * d));
            }
            double[] scratch = new double[plan.blockScratchSize()];
            for (int n = 1; n <= 67; n++) {
                for (int start : new int[] {0, 1, 13}) {
                    double[] out = new double[(n + 2) * k];
                    plan.predictRows(x, start * d, n, out, k, scratch);
                    double[] viaScalar = new double[n * k];
                    scalar.predictRows(x, start * d, n, viaScalar, 0, new double[scalar.blockScratchSize()]);
                    for (int r = 0; r < n; r++) {
                        assertThat(java.util.Arrays.copyOfRange(out, (r + 1) * k, (r + 2) * k))
                                .as("row %d of a block of %d from row %d (%s kernel)", r, n, start, plan.kernelName())
                                .isEqualTo(alone[start + r]);
                        assertThat(java.util.Arrays.copyOfRange(viaScalar, r * k, (r + 1) * k))
                                .as("scalar block kernel, row %d of %d", r, n)
                                .isEqualTo(alone[start + r]);
                    }
                    assertThat(out[0]).isZero(); // nothing written outside the block
                    assertThat(out[(n + 1) * k]).isZero();
                }
            }
        }
    }

    @Test
    void predictionLeavesEveryParameterAndStatisticUnchanged() {
        for (NetworkSpec spec : layouts()) {
            Network net = trained(spec, 5);
            List<LayerState> before = net.state();
            InferencePlan plan = InferencePlan.compile(spec.inputs(), before);
            double[] x = randomRows(new SplittableRandom(2), 30, spec.inputs());
            plan.predictBatch(x, 30, new double[30 * spec.outputs()]);
            net.forwardEval(x, 30, new double[30 * spec.outputs()]);
            assertThat(net.state()).isEqualTo(before);
            assertThat(InferencePlan.compile(spec.inputs(), net.state())
                            .predict(java.util.Arrays.copyOf(x, spec.inputs())))
                    .isEqualTo(plan.predict(java.util.Arrays.copyOf(x, spec.inputs())));
        }
    }

    @Test
    void foldedPlanEqualsUnfoldedEvalMode() {
        for (NetworkSpec spec : layouts()) {
            Network net = trained(spec, 9);
            InferencePlan plan = InferencePlan.compile(spec.inputs(), net.state());
            int n = 50, k = spec.outputs();
            double[] x = randomRows(new SplittableRandom(4), n, spec.inputs());
            double[] folded = new double[n * k];
            double[] unfolded = new double[n * k];
            plan.predictBatch(x, n, folded);
            net.forwardEval(x, n, unfolded);
            for (int i = 0; i < folded.length; i++) {
                assertThat(Math.abs(folded[i] - unfolded[i]))
                        .as("output %d of %s", i, spec)
                        .isLessThanOrEqualTo(FOLD_TOL * (1 + Math.abs(unfolded[i])));
            }
            long linears = spec.layers().stream()
                    .filter(l -> l instanceof LayerSpec.Linear)
                    .count();
            long acts = spec.layers().stream()
                    .filter(l -> l instanceof LayerSpec.Relu || l instanceof LayerSpec.Tanh)
                    .count();
            assertThat(plan.operationCount())
                    .as("every BatchNorm next to a Linear is folded away")
                    .isLessThanOrEqualTo((int) (linears + acts + 1));
        }
    }

    @Test
    void concurrentPredictionsMatchSequentialAnswers() throws Exception {
        NetworkSpec spec = layouts().get(0);
        InferencePlan plan =
                InferencePlan.compile(spec.inputs(), trained(spec, 1).state());
        int n = 200, d = spec.inputs(), k = spec.outputs();
        double[] x = randomRows(new SplittableRandom(8), n, d);
        double[] expected = new double[n * k];
        plan.predictBatch(x, n, expected);
        ExecutorService pool = Executors.newFixedThreadPool(4);
        try {
            List<Future<double[]>> results = new ArrayList<>();
            for (int t = 0; t < 8; t++) {
                results.add(pool.submit(() -> {
                    double[] out = new double[n * k];
                    double[] scratch = new double[plan.scratchSize()];
                    for (int rep = 0; rep < 50; rep++)
                        for (int r = 0; r < n; r++) plan.predict(x, r * d, out, r * k, scratch);
                    return out;
                }));
            }
            for (Future<double[]> f : results) assertThat(f.get()).isEqualTo(expected);
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void aOneRowBatchNeverReachesBatchNormInTraining() {
        assertThatThrownBy(() -> new TrainingConfig(3, 1, true, 0, 0.2, OptimizerConfig.adam(1e-3), StatisticsMode.EMA))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("batchSize");
        assertThat(Trainer.batchBounds(33, 32)).containsExactly(0, 33);
        assertThat(Trainer.batchBounds(34, 32)).containsExactly(0, 32, 34);
        assertThat(Trainer.batchBounds(65, 32)).containsExactly(0, 32, 65);
        assertThat(Trainer.batchBounds(64, 32)).containsExactly(0, 32, 64);
        Network net = Network.initialize(layouts().get(0), 0);
        assertThatThrownBy(() -> net.forwardBackward(new double[13], 1, Loss.CROSS_ENTROPY, new int[] {0}, null))
                .hasMessageContaining("at least 2 rows");
    }

    @Test
    void theSameSeedGivesTheSameModel() {
        NetworkSpec spec = layouts().get(1);
        assertThat(Network.initialize(spec, 42).state())
                .isEqualTo(Network.initialize(spec, 42).state());
        assertThat(Network.initialize(spec, 42).state())
                .isNotEqualTo(Network.initialize(spec, 43).state());
    }
}
