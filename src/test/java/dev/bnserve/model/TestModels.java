package dev.bnserve.model;

import dev.bnserve.nn.Activation;
import dev.bnserve.nn.EpochStats;
import dev.bnserve.nn.LayerState;
import dev.bnserve.nn.NetworkSpec.Placement;
import dev.bnserve.nn.OptimizerConfig;
import dev.bnserve.nn.StatisticsMode;
import java.time.Instant;
import java.util.List;

/** Hand-built model records for tests. */
public final class TestModels {

    private TestModels() {}

    /** Awkward doubles: subnormals, signed zeros, extremes, values without a short decimal form. */
    public static final double[] ODD = {
        Double.MIN_VALUE,
        -0.0,
        0.0,
        1e300,
        -1e300,
        Double.MAX_VALUE,
        -Double.MAX_VALUE,
        Double.MIN_NORMAL,
        Math.nextDown(Double.MIN_NORMAL),
        0.1 + 0.2,
        Math.PI,
        -1.0 / 3,
        Math.nextUp(1.0),
        4.35e-311,
        123456789.123456789,
        -2.2250738585072014E-308,
        1e-5,
        9007199254740993.0,
        5e-324 * 3,
        -Double.MIN_VALUE
    };

    static double odd(int i) {
        return ODD[i % ODD.length];
    }

    static double[] odds(int n, int offset) {
        double[] v = new double[n];
        for (int i = 0; i < n; i++) v[i] = odd(i + offset);
        return v;
    }

    /** A ready classifier: input BN (momentum null), linear 3→4, BN, relu, linear 4→2; every parameter awkward. */
    public static ModelRecord awkward(String id) {
        double[] var = odds(3, 0);
        for (int i = 0; i < var.length; i++) var[i] = Math.abs(var[i]);
        double[] var2 = {0.0, Double.MIN_VALUE, 1e300, 2.5};
        List<LayerState> layers = List.of(
                new LayerState.BatchNorm(3, null, 1e-5, odds(3, 1), odds(3, 5), odds(3, 9), var, 7),
                new LayerState.Linear(3, 4, odds(12, 3), odds(4, 11)),
                new LayerState.BatchNorm(4, 0.1, 1e-3, odds(4, 13), odds(4, 2), odds(4, 17), var2, 9_000_000_000L),
                new LayerState.Relu(4),
                new LayerState.Linear(4, 2, odds(8, 6), new double[] {-0.0, Double.MIN_VALUE}));
        TrainingSpec request = new TrainingSpec(
                "d-0123456789abcdefghjkmnpqrs",
                "y",
                List.of("a", "b", "c"),
                Task.CLASSIFICATION,
                List.of(TrainingSpec.HiddenLayer.of(4)),
                Activation.RELU,
                new TrainingSpec.BatchNormSpec(
                        true, true, Placement.BEFORE_ACTIVATION, null, 1e-5, StatisticsMode.POPULATION),
                new TrainingSpec.OptimizerSpec(OptimizerConfig.Type.SGD, 0.1 + 0.2, 0.9, 0.0),
                2,
                16,
                -42L,
                0.25,
                false,
                TrainingSpec.DEFAULTS.preprocessing(),
                null,
                null,
                null);
        List<EpochStats> history = List.of(
                new EpochStats(1, 2, 0.1 + 0.2, 0.7, 0.5, Double.NaN, 0, 0),
                new EpochStats(2, 2, Double.MIN_VALUE, Double.NaN, 1.0, Double.NaN, 0, 0));
        ModelRecord.Metrics metrics = new ModelRecord.Metrics(0.123, 98765.4321, 0.2, 1234, 96, 32, 1.0, null, 0.01);
        return new ModelRecord(
                id,
                ModelStatus.READY,
                null,
                Instant.parse("2026-01-02T03:04:05.123456789Z"),
                Instant.parse("2026-01-02T03:04:06Z"),
                "d-0123456789abcdefghjkmnpqrs",
                "y",
                Task.CLASSIFICATION,
                List.of("a", "b", "c"),
                List.of("no", "yes"),
                request,
                2,
                2,
                history,
                metrics,
                layers,
                null);
    }

    /**
     * A ready classifier over inputs {@code a, b} with classes {@code neg, pos}: an identity linear layer, so the
     * logits are the inputs themselves.
     */
    public static ModelRecord identityClassifier(String id, Instant finished) {
        return ready(
                id,
                Task.CLASSIFICATION,
                List.of("a", "b"),
                List.of("neg", "pos"),
                finished,
                List.of(new LayerState.Linear(2, 2, new double[] {1, 0, 0, 1}, new double[] {0, 0})));
    }

    /**
     * A ready regression model over inputs {@code a, b}: batch norm with running mean (1, 2), running variance
     * (4 - eps, 1 - eps), gamma (2, 1), beta (0, 0.5), then {@code y = 1.5·h0 - h1 + 0.25}. So
     * {@code y = 1.5·(a - 1) - (b - 1.5) + 0.25 = 1.5a - b + 0.25} (up to rounding).
     */
    public static ModelRecord affineRegression(String id, Instant finished) {
        double eps = 1e-5;
        return ready(
                id,
                Task.REGRESSION,
                List.of("a", "b"),
                null,
                finished,
                List.of(
                        new LayerState.BatchNorm(
                                2,
                                0.1,
                                eps,
                                new double[] {2, 1},
                                new double[] {0, 0.5},
                                new double[] {1, 2},
                                new double[] {4 - eps, 1 - eps},
                                10),
                        new LayerState.Linear(2, 1, new double[] {1.5, -1}, new double[] {0.25})));
    }

    /** A model still training (no layers). */
    public static ModelRecord training(String id) {
        return new ModelRecord(
                id,
                ModelStatus.TRAINING,
                null,
                Instant.now(),
                null,
                "d-0123456789abcdefghjkmnpqrs",
                "y",
                Task.CLASSIFICATION,
                List.of("a", "b"),
                List.of("neg", "pos"),
                null,
                3,
                30,
                List.of(),
                null,
                null,
                null);
    }

    public static ModelRecord ready(
            String id,
            Task task,
            List<String> inputs,
            List<String> classes,
            Instant finished,
            List<LayerState> layers) {
        return new ModelRecord(
                id,
                ModelStatus.READY,
                null,
                finished.minusSeconds(5),
                finished,
                "d-0123456789abcdefghjkmnpqrs",
                "y",
                task,
                inputs,
                classes,
                null,
                1,
                1,
                List.of(new EpochStats(
                        1,
                        1,
                        0.5,
                        0.4,
                        task == Task.CLASSIFICATION ? 1.0 : Double.NaN,
                        task == Task.REGRESSION ? 0.1 : Double.NaN,
                        10,
                        0.01)),
                new ModelRecord.Metrics(
                        0.01,
                        1000,
                        0.02,
                        10,
                        8,
                        2,
                        task == Task.CLASSIFICATION ? 1.0 : null,
                        task == Task.REGRESSION ? 0.1 : null,
                        0.4),
                layers,
                null);
    }
}
