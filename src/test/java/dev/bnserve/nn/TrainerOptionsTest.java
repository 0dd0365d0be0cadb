package dev.bnserve.nn;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** The trainer's options: a precomputed split, class weights, early stopping, and what the result reports. */
class TrainerOptionsTest {
    static final TrainingConfig BASE =
            new TrainingConfig(6, 16, true, 3, 0.2, OptimizerConfig.adam(1e-2), StatisticsMode.EMA);

    static TrainingData iris() {
        return TrainerTest.iris();
    }

    private static double[] bits(List<EpochStats> h) {
        double[] out = new double[h.size() * 4];
        for (int i = 0; i < h.size(); i++) {
            EpochStats e = h.get(i);
            out[4 * i] = e.loss();
            out[4 * i + 1] = e.validationLoss();
            out[4 * i + 2] = e.validationAccuracy();
            out[4 * i + 3] = e.validationRmse();
        }
        return out;
    }

    // ---- split ----

    @Test
    void thePrecomputedSplitIsTheDefaultSplitBitForBit() {
        for (StatisticsMode m : StatisticsMode.values()) {
            TrainingConfig c = new TrainingConfig(6, 16, true, 3, 0.2, OptimizerConfig.adam(1e-2), m);
            Split split = Trainer.split(150, c);
            assertThat(split.trainRows()).isEqualTo(120);
            assertThat(split.validationRows()).isEqualTo(30);
            int[] all = new int[150];
            System.arraycopy(split.train(), 0, all, 0, 120);
            System.arraycopy(split.validation(), 0, all, 120, 30);
            Arrays.sort(all);
            for (int i = 0; i < 150; i++) assertThat(all[i]).isEqualTo(i);

            Network a = Network.initialize(TrainerTest.IRIS, 1);
            Network b = Network.initialize(TrainerTest.IRIS, 1);
            TrainingResult ra = new Trainer(c).train(a, iris());
            TrainingResult rb = new Trainer(c).train(b, iris(), split, TrainingListener.NONE, () -> false);
            assertThat(b.state()).isEqualTo(a.state());
            assertThat(bits(rb.history())).isEqualTo(bits(ra.history()));
            assertThat(rb.trainRows()).isEqualTo(ra.trainRows());
            assertThat(Trainer.split(150, c)).as("deterministic").isEqualTo(split);
        }
    }

    @Test
    void anInvalidSplitIsRejected() {
        Trainer t = new Trainer(BASE);
        Network net = Network.initialize(TrainerTest.IRIS, 0);
        assertThatThrownBy(() -> t.train(
                        net, iris(), new Split(new int[] {0, 1, 2}, new int[] {2}), TrainingListener.NONE, () -> false))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("disjoint");
        assertThatThrownBy(() -> t.train(
                        net, iris(), new Split(new int[] {0, 150}, new int[] {}), TrainingListener.NONE, () -> false))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("outside [0, 150)");
        assertThatThrownBy(() -> t.train(
                        net, iris(), new Split(new int[] {4}, new int[] {1, 2}), TrainingListener.NONE, () -> false))
                .isInstanceOf(TrainingException.class)
                .hasMessage(
                        "need at least 2 training rows for batch normalization, have 1 (of 150 rows, 2 held out for validation)");
        TrainingConfig half = new TrainingConfig(1, 16, true, 0, 0.5, OptimizerConfig.adam(1e-3), StatisticsMode.EMA);
        assertThatThrownBy(() -> Trainer.split(2, half))
                .isInstanceOf(TrainingException.class)
                .hasMessage(
                        "need at least 2 training rows for batch normalization, have 1 (of 2 rows, 1 held out for validation)");
    }

    @Test
    void theEffectiveBatchSizeIsReported() {
        int[] train = new int[143];
        for (int i = 0; i < 143; i++) train[i] = i;
        TrainingConfig big = new TrainingConfig(2, 1000, true, 0, 0.2, OptimizerConfig.adam(1e-3), StatisticsMode.EMA);
        TrainingResult r = new Trainer(big)
                .train(
                        Network.initialize(TrainerTest.IRIS, 0),
                        iris(),
                        new Split(train, new int[] {143, 144, 145, 146, 147, 148, 149}),
                        TrainingListener.NONE,
                        () -> false);
        assertThat(r.batchSize()).isEqualTo(143);
        assertThat(r.trainRows()).isEqualTo(143);
        assertThat(r.validationRows()).isEqualTo(7);
        assertThat(new Trainer(BASE)
                        .train(Network.initialize(TrainerTest.IRIS, 0), iris())
                        .batchSize())
                .isEqualTo(16);
    }

    // ---- class weights ----

    @Test
    void balancedWeightsAreSklearns() {
        // sklearn compute_class_weight("balanced", classes=[0,1,2], y=[0,0,0,1]) raises for the absent class 2;
        // present classes get n/(classes·count): 4/(3·3), 4/(3·1)
        int[] labels = {0, 0, 0, 1, 2, 2};
        double[] w = TrainingConfig.balancedWeights(labels, new int[] {0, 1, 2, 3}, 3);
        assertThat(w).containsExactly(4.0 / 9, 4.0 / 3, 0.0);
        assertThat(TrainingConfig.balancedWeights(labels, new int[] {0, 1, 2, 3, 4, 5}, 3))
                .containsExactly(6.0 / 9, 6.0 / 3, 6.0 / 6);
        assertThatThrownBy(() -> TrainingConfig.balancedWeights(labels, new int[] {6}, 3))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void weightsMustMatchTheClasses() {
        assertThatThrownBy(() -> new Trainer(BASE.withClassWeights(new double[] {1, 1}))
                        .train(Network.initialize(TrainerTest.IRIS, 0), iris()))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("2 weights")
                .hasMessageContaining("3 classes");
    }

    /** Imbalanced iris: 50 setosa, 10 versicolor, 50 virginica. */
    static TrainingData imbalanced() {
        TrainingData iris = iris();
        List<Integer> keep = new ArrayList<>();
        int versicolor = 0;
        for (int r = 0; r < iris.rows(); r++) {
            if (iris.labels()[r] == 1 && versicolor++ >= 10) continue;
            keep.add(r);
        }
        double[] x = new double[keep.size() * 4];
        int[] y = new int[keep.size()];
        for (int i = 0; i < keep.size(); i++) {
            System.arraycopy(iris.x(), keep.get(i) * 4, x, i * 4, 4);
            y[i] = iris.labels()[keep.get(i)];
        }
        return TrainingData.classification(x, keep.size(), 4, y, 3);
    }

    @Test
    void theEpochLossIsTheWeightedObjectiveAndTheValidationLossIsUnweighted() {
        TrainingData data = imbalanced();
        TrainingConfig c = new TrainingConfig(1, 1000, false, 3, 0.2, OptimizerConfig.adam(1e-2), StatisticsMode.EMA);
        Split split = Trainer.split(data.rows(), c);
        double[] w = TrainingConfig.balancedWeights(data.labels(), split.train(), 3);
        assertThat(w[1]).as("the rare class weighs most").isGreaterThan(2 * w[0]);
        c = c.withClassWeights(w);

        // one batch of all training rows, not shuffled: the epoch loss is that batch's weighted loss before the update
        int[] train = split.train();
        double[] x = new double[train.length * 4];
        int[] y = new int[train.length];
        for (int i = 0; i < train.length; i++) {
            System.arraycopy(data.x(), train[i] * 4, x, i * 4, 4);
            y[i] = data.labels()[train[i]];
        }
        double expected = Network.initialize(TrainerTest.IRIS, 2)
                .forwardBackward(x, train.length, Loss.CROSS_ENTROPY, y, null, w);
        Network net = Network.initialize(TrainerTest.IRIS, 2);
        TrainingResult r = new Trainer(c).train(net, data, split, TrainingListener.NONE, () -> false);
        assertThat(r.last().loss()).isEqualTo(expected);

        // the validation loss of the trained network is the plain mean cross-entropy
        int[] val = split.validation();
        double[] vx = new double[val.length * 4];
        int[] vy = new int[val.length];
        for (int i = 0; i < val.length; i++) {
            System.arraycopy(data.x(), val[i] * 4, vx, i * 4, 4);
            vy[i] = data.labels()[val[i]];
        }
        double[] out = new double[val.length * 3];
        net.forwardEval(vx, val.length, out);
        assertThat(r.last().validationLoss())
                .isEqualTo(Loss.CROSS_ENTROPY.evaluate(out, val.length, 3, vy, null, null))
                .isNotEqualTo(Loss.CROSS_ENTROPY.evaluate(out, val.length, 3, vy, null, w, null));
    }

    @Test
    void weightingShiftsTheModelTowardsTheRareClass() {
        TrainingData data = imbalanced();
        TrainingConfig c = new TrainingConfig(40, 16, true, 3, 0.2, OptimizerConfig.adam(1e-2), StatisticsMode.EMA);
        Split split = Trainer.split(data.rows(), c);
        double[] w = TrainingConfig.balancedWeights(data.labels(), split.train(), 3);
        Network plain = Network.initialize(TrainerTest.IRIS, 2);
        Network weighted = Network.initialize(TrainerTest.IRIS, 2);
        new Trainer(c).train(plain, data, split, TrainingListener.NONE, () -> false);
        TrainingResult rw =
                new Trainer(c.withClassWeights(w)).train(weighted, data, split, TrainingListener.NONE, () -> false);
        assertThat(rw.last().loss()).isFinite();
        // mean predicted probability of the rare class over all rows rises with its weight
        assertThat(meanProbability(weighted, data, 1)).isGreaterThan(meanProbability(plain, data, 1));
    }

    private static double meanProbability(Network net, TrainingData data, int cls) {
        double[] out = new double[data.rows() * 3];
        net.forwardEval(data.x(), data.rows(), out);
        double sum = 0;
        for (int r = 0; r < data.rows(); r++) {
            double max = Math.max(out[3 * r], Math.max(out[3 * r + 1], out[3 * r + 2]));
            double z = 0;
            for (int j = 0; j < 3; j++) z += Math.exp(out[3 * r + j] - max);
            sum += Math.exp(out[3 * r + cls] - max) / z;
        }
        return sum / data.rows();
    }

    // ---- regression validation loss ----

    @Test
    void regressionValidationLossIsTheMseInLabelUnits() {
        SplittableRandom rng = new SplittableRandom(1);
        int n = 300;
        double[] x = new double[n * 2];
        double[] y = new double[n * 2];
        for (int r = 0; r < n; r++) {
            x[2 * r] = rng.nextDouble(-1, 1);
            x[2 * r + 1] = rng.nextDouble(-1, 1);
            y[2 * r] = 1000 + 300 * x[2 * r] - 200 * x[2 * r + 1] + rng.nextGaussian() * 10;
            y[2 * r + 1] = -5 + x[2 * r] * x[2 * r + 1];
        }
        TrainingData data = TrainingData.regression(x, n, 2, y, 2);
        NetworkSpec spec = NetworkSpec.mlp(
                2, List.of(16), 2, Activation.TANH, true, true, NetworkSpec.Placement.BEFORE_ACTIVATION, 0.1, 1e-5);
        Network net = Network.initialize(spec, 0);
        TrainingConfig c = new TrainingConfig(20, 16, true, 0, 0.2, OptimizerConfig.adam(1e-2), StatisticsMode.EMA);
        TrainingResult r = new Trainer(c).train(net, data);
        EpochStats last = r.last();
        assertThat(last.validationLoss()).isEqualTo(last.validationRmse() * last.validationRmse(), within(1e-9));
        // afresh, with the network rescaled to label units after training
        int[] val = Trainer.split(n, c).validation();
        double[] vx = new double[val.length * 2];
        double[] vt = new double[val.length * 2];
        for (int i = 0; i < val.length; i++) {
            System.arraycopy(x, val[i] * 2, vx, i * 2, 2);
            System.arraycopy(y, val[i] * 2, vt, i * 2, 2);
        }
        double[] out = new double[val.length * 2];
        net.forwardEval(vx, val.length, out);
        double mse = Loss.MSE.evaluate(out, val.length, 2, null, vt, null);
        assertThat(last.validationLoss()).isCloseTo(mse, within(1e-9 * mse));
        assertThat(mse)
                .as("label units: the first target's noise alone is 10² / 2")
                .isGreaterThan(40);
    }

    // ---- early stopping ----

    @Test
    void earlyStoppingServesTheBestEpochsParametersAndStatistics() {
        TrainingConfig c = new TrainingConfig(400, 16, true, 3, 0.2, OptimizerConfig.adam(3e-2), StatisticsMode.EMA)
                .withEarlyStopping(new TrainingConfig.EarlyStopping(5, 0.0));
        Network net = Network.initialize(TrainerTest.IRIS, 1);
        List<List<LayerState>> states = new ArrayList<>();
        TrainingResult r = new Trainer(c).train(net, iris(), s -> states.add(net.state()), () -> false);

        assertThat(r.stoppedEarly()).isTrue();
        int best = r.bestEpoch();
        assertThat(r.history()).hasSize(best + 5).hasSize(states.size());
        assertThat(r.history()).extracting(EpochStats::epoch).doesNotHaveDuplicates();
        assertThat(r.best().epoch()).isEqualTo(best);
        double min = r.history().stream()
                .mapToDouble(EpochStats::validationLoss)
                .min()
                .orElseThrow();
        assertThat(r.best().validationLoss()).isEqualTo(min);
        for (int e = best + 1; e <= r.history().size(); e++)
            assertThat(r.history().get(e - 1).validationLoss()).isGreaterThanOrEqualTo(min);
        assertThat(best).as("improved for a while, then stopped before 400").isBetween(6, 394);

        // parameters, running means and variances and batch counts: exactly those after the best epoch
        assertThat(net.state()).isEqualTo(states.get(best - 1)).isNotEqualTo(states.get(states.size() - 1));
        assertThat(validationLoss(net, iris(), Trainer.split(150, c).validation()))
                .isCloseTo(r.best().validationLoss(), within(1e-12 * r.best().validationLoss()));
    }

    @Test
    void minDeltaDemandsALargerImprovement() {
        TrainingConfig c = new TrainingConfig(400, 16, true, 3, 0.2, OptimizerConfig.adam(3e-2), StatisticsMode.EMA);
        TrainingResult strict = new Trainer(c.withEarlyStopping(new TrainingConfig.EarlyStopping(5, 0.05)))
                .train(Network.initialize(TrainerTest.IRIS, 1), iris());
        TrainingResult lax = new Trainer(c.withEarlyStopping(new TrainingConfig.EarlyStopping(5, 0.0)))
                .train(Network.initialize(TrainerTest.IRIS, 1), iris());
        assertThat(strict.history().size()).isLessThanOrEqualTo(lax.history().size());
        List<EpochStats> h = strict.history();
        double best = Double.POSITIVE_INFINITY;
        int bestEpoch = 0;
        for (EpochStats e : h) {
            if (e.validationLoss() < best - 0.05) {
                best = e.validationLoss();
                bestEpoch = e.epoch();
            }
        }
        assertThat(strict.bestEpoch()).isEqualTo(bestEpoch);
        assertThat(h).hasSize(Math.min(400, bestEpoch + 5));
    }

    @Test
    void populationStatisticsAreComputedOnTheRestoredNetwork() {
        TrainingConfig c = new TrainingConfig(
                        400, 16, true, 3, 0.2, OptimizerConfig.adam(3e-2), StatisticsMode.POPULATION)
                .withEarlyStopping(new TrainingConfig.EarlyStopping(5, 0.0));
        Network net = Network.initialize(TrainerTest.IRIS, 1);
        List<List<LayerState>> states = new ArrayList<>();
        TrainingResult r = new Trainer(c).train(net, iris(), s -> states.add(net.state()), () -> false);
        assertThat(r.stoppedEarly()).isTrue();
        Network expected = Network.fromState(4, states.get(r.bestEpoch() - 1));
        expected.recomputePopulationStatistics(iris().x(), Trainer.split(150, c).train(), 120);
        List<LayerState> a = net.state(), e = expected.state();
        for (int i = 0; i < a.size(); i++) {
            if (a.get(i) instanceof LayerState.Linear la) {
                assertThat(la).isEqualTo(e.get(i));
            } else if (a.get(i) instanceof LayerState.BatchNorm ba) {
                LayerState.BatchNorm be = (LayerState.BatchNorm) e.get(i);
                assertThat(ba.gamma()).isEqualTo(be.gamma());
                assertThat(ba.batchesTracked()).isEqualTo(be.batchesTracked());
                for (int j = 0; j < ba.features(); j++) {
                    // the trainer visits the rows in its last shuffled order: the same sums up to round-off
                    assertThat(ba.runningMean()[j]).isCloseTo(be.runningMean()[j], within(1e-12));
                    assertThat(ba.runningVar()[j]).isCloseTo(be.runningVar()[j], within(1e-12 * be.runningVar()[j]));
                }
            }
        }
    }

    @Test
    void earlyStoppingOnRegressionRestoresBeforeTheRescale() {
        SplittableRandom rng = new SplittableRandom(4);
        int n = 200;
        double[] x = new double[n];
        double[] y = new double[n];
        for (int r = 0; r < n; r++) {
            x[r] = rng.nextDouble(-1, 1);
            y[r] = 50 + 20 * Math.sin(3 * x[r]) + rng.nextGaussian() * 4;
        }
        TrainingData data = TrainingData.regression(x, n, 1, y, 1);
        NetworkSpec spec = NetworkSpec.mlp(
                1, List.of(32, 32), 1, Activation.RELU, true, true, NetworkSpec.Placement.BEFORE_ACTIVATION, 0.1, 1e-5);
        TrainingConfig c = new TrainingConfig(300, 8, true, 1, 0.25, OptimizerConfig.adam(3e-2), StatisticsMode.EMA)
                .withEarlyStopping(new TrainingConfig.EarlyStopping(4, 0.0));
        Network net = Network.initialize(spec, 0);
        TrainingResult r = new Trainer(c).train(net, data);
        assertThat(r.bestEpoch()).isLessThan(r.history().size());
        int[] val = Trainer.split(n, c).validation();
        double[] vx = new double[val.length];
        double[] vt = new double[val.length];
        for (int i = 0; i < val.length; i++) {
            vx[i] = x[val[i]];
            vt[i] = y[val[i]];
        }
        double[] out = new double[val.length];
        net.forwardEval(vx, val.length, out);
        double mse = Loss.MSE.evaluate(out, val.length, 1, null, vt, null);
        // the rescaled last layer rounds differently from un-standardizing its outputs: 1e-9, not 1e-12
        assertThat(mse).isCloseTo(r.best().validationLoss(), within(1e-9 * mse));
    }

    @Test
    void withoutEarlyStoppingTheLastEpochIsTheBest() {
        TrainingResult r = new Trainer(BASE).train(Network.initialize(TrainerTest.IRIS, 0), iris());
        assertThat(r.bestEpoch()).isEqualTo(6);
        assertThat(r.best()).isSameAs(r.last());
        assertThat(r.stoppedEarly()).isFalse();
    }

    @Test
    void earlyStoppingNeedsValidationRows() {
        assertThatThrownBy(() -> new TrainingConfig(5, 16, true, 0, 0.0, OptimizerConfig.adam(1e-3), StatisticsMode.EMA)
                        .withEarlyStopping(new TrainingConfig.EarlyStopping(3, 0)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("validationSplit must be > 0");
        int[] train = new int[150];
        for (int i = 0; i < 150; i++) train[i] = i;
        assertThatThrownBy(() -> new Trainer(BASE.withEarlyStopping(new TrainingConfig.EarlyStopping(3, 0)))
                        .train(
                                Network.initialize(TrainerTest.IRIS, 0),
                                iris(),
                                new Split(train, new int[0]),
                                TrainingListener.NONE,
                                () -> false))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("needs validation rows");
        assertThatThrownBy(() -> new TrainingConfig.EarlyStopping(0, 0)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new TrainingConfig.EarlyStopping(1, -1)).isInstanceOf(IllegalArgumentException.class);
    }

    static double validationLoss(Network net, TrainingData data, int[] val) {
        int k = data.outputs(), d = data.features();
        double[] vx = new double[val.length * d];
        int[] vy = new int[val.length];
        for (int i = 0; i < val.length; i++) {
            System.arraycopy(data.x(), val[i] * d, vx, i * d, d);
            vy[i] = data.labels()[val[i]];
        }
        double[] out = new double[val.length * k];
        net.forwardEval(vx, val.length, out);
        return Loss.CROSS_ENTROPY.evaluate(out, val.length, k, vy, null, null);
    }
}
