package dev.bnserve.nn;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * Issue 15: training gives the same bits on any number of threads. Every product and every elementwise pass of a
 * training step is split over the {@link Gemm}'s threads (products by rows or columns of the result, BatchNorm by
 * features, Adam and SGD by elements), never along a sum, so 1, 2 and 3 threads must agree on every parameter,
 * every running statistic and every epoch's loss, bit for bit. The shapes are chosen above the thresholds where
 * work is split, and the test checks that worker threads really ran parts of it.
 */
class ThreadIndependenceTest {
    private static final int ROWS = 2500, FEATURES = 40, BATCH = 200;

    private static TrainingData classification() {
        SplittableRandom r = new SplittableRandom(11);
        double[] x = new double[ROWS * FEATURES];
        int[] y = new int[ROWS];
        for (int i = 0; i < ROWS; i++) {
            double s = 0;
            for (int j = 0; j < FEATURES; j++) {
                double v = r.nextGaussian() * (1 + j % 5) + j;
                x[i * FEATURES + j] = v;
                s += (j % 3 == 0 ? 1 : -0.5) * (v - j) / (1 + j % 5);
            }
            y[i] = s > 1 ? 0 : s > -1 ? 1 : s > -3 ? 2 : 3;
        }
        return TrainingData.classification(x, ROWS, FEATURES, y, 4);
    }

    private static TrainingData regression() {
        TrainingData c = classification();
        double[] t = new double[ROWS * 2];
        for (int i = 0; i < ROWS; i++) {
            t[2 * i] = c.labels()[i] * 3.5 + c.x()[i * FEATURES];
            t[2 * i + 1] = -c.x()[i * FEATURES + 7];
        }
        return TrainingData.regression(c.x(), ROWS, FEATURES, t, 2);
    }

    /** Everything a run leaves: parameters, running statistics (as raw bits) and the epoch losses. */
    private static List<Long> fingerprint(NetworkSpec spec, TrainingData data, TrainingConfig config, int threads) {
        Network net = Network.initialize(spec, 5).withGemm(Gemm.create(threads));
        TrainingResult r = new Trainer(config).train(net, data);
        List<Long> bits = new ArrayList<>();
        for (Param p : net.params()) for (double v : p.value()) bits.add(Double.doubleToRawLongBits(v));
        for (LayerState s : net.state()) {
            if (s instanceof LayerState.BatchNorm bn) {
                for (double v : bn.runningMean()) bits.add(Double.doubleToRawLongBits(v));
                for (double v : bn.runningVar()) bits.add(Double.doubleToRawLongBits(v));
            }
        }
        for (EpochStats e : r.history()) {
            bits.add(Double.doubleToRawLongBits(e.loss()));
            bits.add(Double.doubleToRawLongBits(e.validationLoss()));
        }
        return bits;
    }

    private static void assertSameOnOneTwoAndThreeThreads(NetworkSpec spec, TrainingData data, TrainingConfig c) {
        long before = GemmWorkers.WORKER_PARTS.sum();
        List<Long> one = fingerprint(spec, data, c, 1);
        List<Long> two = fingerprint(spec, data, c, 2);
        List<Long> three = fingerprint(spec, data, c, 3);
        assertThat(GemmWorkers.WORKER_PARTS.sum())
                .as("parts run by worker threads")
                .isGreaterThan(before);
        assertThat(one).hasSizeGreaterThan(20_000);
        assertThat(two).as("2 threads vs 1").isEqualTo(one);
        assertThat(three).as("3 threads vs 1").isEqualTo(one);
    }

    @Test
    void adamBatchNormBeforeReluClassifierIsTheSameOnAnyThreadCount() {
        // hidden 160 → 144 at batch 200: the products and the BatchNorm passes are above the split thresholds
        assertThat(2.0 * BATCH * 160 * 144).isGreaterThanOrEqualTo(Gemm.PARALLEL_MIN_FLOPS);
        assertThat(5L * BATCH * FEATURES).isGreaterThanOrEqualTo(Gemm.PARALLEL_MIN_ELEMENTS);
        NetworkSpec spec = NetworkSpec.mlp(
                FEATURES,
                List.of(160, 144),
                4,
                Activation.RELU,
                true,
                true,
                NetworkSpec.Placement.BEFORE_ACTIVATION,
                0.1,
                1e-5);
        TrainingConfig c =
                new TrainingConfig(3, BATCH, true, 9, 0.2, OptimizerConfig.adam(1e-3), StatisticsMode.POPULATION);
        assertSameOnOneTwoAndThreeThreads(spec, classification(), c);
    }

    @Test
    void sgdTanhBatchNormAfterActivationRegressionIsTheSameOnAnyThreadCount() {
        NetworkSpec spec = NetworkSpec.mlp(
                FEATURES,
                List.of(176, 96),
                2,
                Activation.TANH,
                true,
                true,
                NetworkSpec.Placement.AFTER_ACTIVATION,
                null,
                1e-5);
        TrainingConfig c =
                new TrainingConfig(2, BATCH, true, 3, 0.2, OptimizerConfig.sgd(0.01, 0.9), StatisticsMode.EMA);
        assertSameOnOneTwoAndThreeThreads(spec, regression(), c);
    }
}
