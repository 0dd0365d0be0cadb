package dev.bnserve.nn;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.bnserve.model.TrainingSpec;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class TrainerTest {
    static final NetworkSpec IRIS = NetworkSpec.mlp(
            4, List.of(16, 16), 3, Activation.RELU, true, true, NetworkSpec.Placement.BEFORE_ACTIVATION, 0.1, 1e-5);

    static TrainingData iris() {
        return TestData.classification("/data/iris.csv", "species");
    }

    @Test
    void theSameSeedReproducesTheSameModelAndHistory() {
        TrainingConfig config = TrainingSpec.DEFAULTS.withEpochs(5).trainingConfig();
        Network a = Network.initialize(IRIS, 0);
        Network b = Network.initialize(IRIS, 0);
        TrainingResult ra = new Trainer(config).train(a, iris());
        TrainingResult rb = new Trainer(config).train(b, iris());
        assertThat(a.state()).isEqualTo(b.state());
        assertThat(ra.history().stream().map(EpochStats::loss).toList())
                .isEqualTo(rb.history().stream().map(EpochStats::loss).toList());
    }

    @Test
    void reportsProgressEveryEpochAndCountsRows() {
        List<EpochStats> seen = new ArrayList<>();
        TrainingResult r = new Trainer(TrainingSpec.DEFAULTS.withEpochs(4).trainingConfig())
                .train(Network.initialize(IRIS, 0), iris(), seen::add, () -> false);
        assertThat(seen).extracting(EpochStats::epoch).containsExactly(1, 2, 3, 4);
        assertThat(r.trainRows()).isEqualTo(120);
        assertThat(r.rowsProcessed()).isEqualTo(4L * 120);
        assertThat(r.samplesPerSecond()).isPositive();
        assertThat(seen.get(3).validationAccuracy()).isBetween(0.0, 1.0);
        assertThat(seen.get(3).validationRmse()).isNaN();
    }

    @Test
    void cancellationStopsPromptly() {
        AtomicInteger steps = new AtomicInteger();
        assertThatThrownBy(() -> new Trainer(TrainingSpec.DEFAULTS.trainingConfig())
                        .train(
                                Network.initialize(IRIS, 0),
                                iris(),
                                TrainingListener.NONE,
                                () -> steps.incrementAndGet() > 10))
                .isInstanceOf(TrainingCancelledException.class);
        assertThat(steps.get()).isEqualTo(11);
    }

    @Test
    void aDivergingRunFailsNamingEpochAndStep() {
        // Squared error grows with the weights, so SGD at lr 1e6 overflows within a few steps.
        TrainingConfig config =
                new TrainingConfig(50, 32, true, 0, 0.2, OptimizerConfig.sgd(1e6, 0.9), StatisticsMode.EMA);
        NetworkSpec spec = NetworkSpec.mlp(
                4, List.of(16), 1, Activation.RELU, false, false, NetworkSpec.Placement.BEFORE_ACTIVATION, 0.1, 1e-5);
        TrainingData iris = iris();
        double[] y = new double[iris.rows()];
        for (int r = 0; r < y.length; r++) y[r] = iris.x()[r * 4] * 10;
        TrainingData data = TrainingData.regression(iris.x(), iris.rows(), 4, y, 1);
        assertThatThrownBy(() -> new Trainer(config).train(Network.initialize(spec, 0), data))
                .isInstanceOf(TrainingException.class)
                .hasMessageMatching("loss became (NaN|Inf) at epoch \\d+, step \\d+.*");
    }

    @Test
    void featuresTooLargeToNormalizeFailNamingEpochStepLayerAndFeature() {
        // (1e300)² overflows: a BatchNorm would otherwise map the feature to 0 and store runningVar = Inf
        TrainingData iris = iris();
        double[] x = iris.x().clone();
        for (int r = 0; r < iris.rows(); r++) x[r * 4 + 2] *= 1e300;
        TrainingData huge = TrainingData.classification(x, iris.rows(), 4, iris.labels(), iris.classes());
        assertThatThrownBy(() -> new Trainer(TrainingSpec.DEFAULTS.withEpochs(2).trainingConfig())
                        .train(Network.initialize(IRIS, 0), huge))
                .isInstanceOf(TrainingException.class)
                .hasMessageStartingWith(
                        "batch statistics became NaN/Inf at epoch 1, step 1 (layer 0: the batch variance of feature 2 became Inf)");
    }

    @Test
    void populationModeReplacesRunningStatisticsWithTrainingSplitStatistics() {
        TrainingConfig ema = TrainingSpec.DEFAULTS.withEpochs(3).trainingConfig();
        TrainingConfig pop =
                new TrainingConfig(3, 32, true, 0, 0.2, OptimizerConfig.adam(1e-3), StatisticsMode.POPULATION);
        Network a = Network.initialize(IRIS, 0);
        Network b = Network.initialize(IRIS, 0);
        new Trainer(ema).train(a, iris());
        new Trainer(pop).train(b, iris());
        LayerState.BatchNorm inA = (LayerState.BatchNorm) a.state().get(0);
        LayerState.BatchNorm inB = (LayerState.BatchNorm) b.state().get(0);
        assertThat(inA.gamma()).isEqualTo(inB.gamma());
        assertThat(inA.runningMean()).isNotEqualTo(inB.runningMean());
        // The input BN's population mean is the mean of the 120 training rows' features: near iris' overall mean.
        assertThat(inB.runningMean()[0]).isBetween(5.6, 6.1);
        assertThat(inB.batchesTracked()).isEqualTo(inA.batchesTracked());
    }

    @Test
    void regressionPredictsInTheTargetsUnits() {
        SplittableRandom rng = new SplittableRandom(1);
        int n = 400;
        double[] x = new double[n * 2];
        double[] y = new double[n];
        for (int r = 0; r < n; r++) {
            x[2 * r] = rng.nextDouble(-1, 1);
            x[2 * r + 1] = rng.nextDouble(-1, 1);
            y[r] = 1000 + 300 * x[2 * r] - 200 * x[2 * r + 1];
        }
        NetworkSpec spec = NetworkSpec.mlp(
                2, List.of(16), 1, Activation.TANH, true, true, NetworkSpec.Placement.BEFORE_ACTIVATION, 0.1, 1e-5);
        Network net = Network.initialize(spec, 0);
        TrainingResult r = new Trainer(
                        new TrainingConfig(60, 16, true, 0, 0.2, OptimizerConfig.adam(1e-2), StatisticsMode.EMA))
                .train(net, TrainingData.regression(x, n, 2, y, 1));
        assertThat(r.last().validationRmse())
                .as("RMSE in target units, targets spread ~210")
                .isLessThan(25);
        assertThat(r.last().validationAccuracy()).isNaN();
        double[] out = InferencePlan.compile(2, net.state()).predict(new double[] {0.5, -0.5});
        assertThat(out[0]).isCloseTo(1250, org.assertj.core.data.Offset.offset(40.0));
    }

    @Test
    void tooFewRowsIsAClearError() {
        TrainingData two =
                TrainingData.classification(new double[] {1, 2, 3, 4, 5, 6, 7, 8}, 2, 4, new int[] {0, 1}, 3);
        TrainingConfig halfHeldOut =
                new TrainingConfig(2, 32, true, 0, 0.5, OptimizerConfig.adam(1e-3), StatisticsMode.EMA);
        assertThatThrownBy(() -> new Trainer(halfHeldOut).train(Network.initialize(IRIS, 0), two))
                .isInstanceOf(TrainingException.class)
                .hasMessageContaining("at least 2 training rows");
        TrainingConfig noVal = new TrainingConfig(2, 32, true, 0, 0.0, OptimizerConfig.adam(1e-3), StatisticsMode.EMA);
        assertThat(new Trainer(noVal).train(Network.initialize(IRIS, 0), two).trainRows())
                .isEqualTo(2);
    }
}
