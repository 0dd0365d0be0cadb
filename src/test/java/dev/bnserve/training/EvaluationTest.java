package dev.bnserve.training;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import dev.bnserve.nn.Activation;
import dev.bnserve.nn.EpochStats;
import dev.bnserve.nn.Loss;
import dev.bnserve.nn.Network;
import dev.bnserve.nn.NetworkSpec;
import dev.bnserve.nn.OptimizerConfig;
import dev.bnserve.nn.StatisticsMode;
import dev.bnserve.nn.Trainer;
import dev.bnserve.nn.TrainingConfig;
import dev.bnserve.nn.TrainingData;
import dev.bnserve.nn.TrainingResult;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.json.JsonMapper;

/**
 * Expected values are worked out by hand from sklearn's definitions (sklearn is not installed here); the regression
 * examples are those of sklearn's own documentation ({@code r2_score} 0.948…, multi-output uniform average 0.936…).
 */
class EvaluationTest {
    static final double EPS = 1e-15;

    private static double[] binary(double... p1) {
        double[] p = new double[p1.length * 2];
        for (int r = 0; r < p1.length; r++) {
            p[2 * r] = 1 - p1[r];
            p[2 * r + 1] = p1[r];
        }
        return p;
    }

    @Test
    void binaryClassificationByHand() {
        // p(pos) per row; row 4 is a tie 0.5/0.5 → the lowest index, "neg"
        double[] p = binary(0.1, 0.35, 0.35, 0.8, 0.5, 0.9);
        int[] y = {0, 0, 1, 1, 0, 1};
        Evaluation.Classification m = Evaluation.classification(p, y, List.of("neg", "pos"));
        // predicted: 0 0 0 1 0 1
        assertThat(m.rows()).isEqualTo(6);
        assertThat(m.accuracy()).isEqualTo(5.0 / 6);
        assertThat(m.confusionMatrix().labels()).containsExactly("neg", "pos");
        assertThat(m.confusionMatrix().counts()).containsExactly(List.of(3, 0), List.of(1, 2));
        Evaluation.ClassMetrics neg = m.perClass().get("neg"),
                pos = m.perClass().get("pos");
        assertThat(neg).isEqualTo(new Evaluation.ClassMetrics(0.75, 1.0, 6.0 / 7, 3));
        assertThat(pos.precision()).isEqualTo(1.0);
        assertThat(pos.recall()).isEqualTo(2.0 / 3);
        assertThat(pos.f1()).isCloseTo(0.8, within(EPS));
        assertThat(pos.support()).isEqualTo(3);
        assertThat(m.perClass().keySet()).containsExactly("neg", "pos");
        assertThat(m.macroF1()).isCloseTo((6.0 / 7 + 0.8) / 2, within(EPS));
        double ll =
                -(Math.log(0.9) + Math.log(0.65) + Math.log(0.35) + Math.log(0.8) + Math.log(0.5) + Math.log(0.9)) / 6;
        assertThat(m.logLoss()).isCloseTo(ll, within(EPS));
        // positives {0.35, 0.8, 0.9} vs negatives {0.1, 0.35, 0.5}: 1 + ½ (tie) + 3 + 3 of 9 pairs
        assertThat(m.rocAuc()).isCloseTo(7.5 / 9, within(EPS));
    }

    @Test
    void multiClassWithAClassNeverPredictedAndOneAbsent() {
        // y_true = [a a b c c b], y_pred = [a c a c c a]; "d" neither occurs nor is predicted
        int[] y = {0, 0, 1, 2, 2, 1};
        int[] pred = {0, 2, 0, 2, 2, 0};
        double[] p = new double[6 * 4];
        for (int r = 0; r < 6; r++) {
            for (int j = 0; j < 4; j++) p[r * 4 + j] = j == pred[r] ? 0.7 : 0.1;
        }
        Evaluation.Classification m = Evaluation.classification(p, y, List.of("a", "b", "c", "d"));
        assertThat(m.accuracy()).isEqualTo(0.5);
        assertThat(m.confusionMatrix().counts())
                .containsExactly(List.of(1, 0, 1, 0), List.of(2, 0, 0, 0), List.of(0, 0, 2, 0), List.of(0, 0, 0, 0));
        assertThat(m.perClass().get("a").precision()).isCloseTo(1.0 / 3, within(EPS));
        assertThat(m.perClass().get("a").recall()).isEqualTo(0.5);
        assertThat(m.perClass().get("a").f1()).isCloseTo(0.4, within(EPS));
        // zero_division=0: "b" is never predicted, "d" never occurs
        assertThat(m.perClass().get("b")).isEqualTo(new Evaluation.ClassMetrics(0, 0, 0, 2));
        assertThat(m.perClass().get("c").precision()).isCloseTo(2.0 / 3, within(EPS));
        assertThat(m.perClass().get("c").recall()).isEqualTo(1.0);
        assertThat(m.perClass().get("c").f1()).isCloseTo(0.8, within(EPS));
        assertThat(m.perClass().get("d")).isEqualTo(new Evaluation.ClassMetrics(0, 0, 0, 0));
        // f1_score(average="macro") over the labels present in y_true ∪ y_pred = {a, b, c}: (0.4 + 0 + 0.8) / 3
        assertThat(m.macroF1()).isCloseTo(0.4, within(EPS));
        assertThat(m.logLoss()).isCloseTo(-(3 * Math.log(0.7) + 3 * Math.log(0.1)) / 6, within(EPS));
        assertThat(m.rocAuc()).isNull();
    }

    @Test
    void rocAucIsUndefinedWithOneClass() {
        Evaluation.Classification m = Evaluation.classification(binary(0.2, 0.7), new int[] {1, 1}, List.of("x", "y"));
        assertThat(m.rocAuc()).isNull();
        assertThat(m.accuracy()).isEqualTo(0.5);
        Evaluation.Classification perfect =
                Evaluation.classification(binary(0.2, 0.7, 0.6), new int[] {0, 1, 1}, List.of("x", "y"));
        assertThat(perfect.rocAuc()).isEqualTo(1.0);
        Evaluation.Classification allTied =
                Evaluation.classification(binary(0.5, 0.5, 0.5), new int[] {0, 1, 1}, List.of("x", "y"));
        assertThat(allTied.rocAuc()).isEqualTo(0.5);
    }

    @Test
    void aProbabilityThatUnderflowedStaysFinite() {
        Evaluation.Classification m =
                Evaluation.classification(new double[] {1, 0, 0.5, 0.5}, new int[] {1, 0}, List.of("x", "y"));
        assertThat(m.logLoss()).isCloseTo((-Math.log(Double.MIN_VALUE) + Math.log(2)) / 2, within(1e-12));
    }

    @Test
    void logLossMatchesTheLossOfTheLogits() {
        SplittableRandom rng = new SplittableRandom(11);
        int n = 500, k = 5;
        double[] z = new double[n * k];
        for (int i = 0; i < z.length; i++) z[i] = rng.nextGaussian() * (i % 7 == 0 ? 30 : 3);
        int[] y = new int[n];
        for (int r = 0; r < n; r++) y[r] = rng.nextInt(k);
        List<String> classes = List.of("a", "b", "c", "d", "e");
        double trainerLoss = Loss.CROSS_ENTROPY.evaluate(z, n, k, y, null, null);

        Evaluation.Classification fromLogits = Evaluation.classificationFromLogits(z, y, classes);
        assertThat(fromLogits.logLoss()).isEqualTo(trainerLoss);

        // the prediction service's softmax: shift by the max, exponentiate, divide by the sum
        double[] p = z.clone();
        for (int r = 0; r < n; r++) {
            double max = Double.NEGATIVE_INFINITY, sum = 0;
            for (int j = 0; j < k; j++) max = Math.max(max, p[r * k + j]);
            for (int j = 0; j < k; j++) sum += p[r * k + j] = Math.exp(p[r * k + j] - max);
            for (int j = 0; j < k; j++) p[r * k + j] /= sum;
        }
        Evaluation.Classification fromProbabilities = Evaluation.classification(p, y, classes);
        assertThat(fromProbabilities.logLoss()).isCloseTo(trainerLoss, within(1e-12 * (1 + trainerLoss)));
        assertThat(fromProbabilities.accuracy()).isEqualTo(fromLogits.accuracy());
        assertThat(fromProbabilities.confusionMatrix()).isEqualTo(fromLogits.confusionMatrix());
    }

    @Test
    void theTrainersValidationMetricsAreReproducedBitForBit() {
        TrainingData iris = dev.bnserve.nn.TestDataAccess.iris();
        NetworkSpec spec = NetworkSpec.mlp(
                4, List.of(16), 3, Activation.RELU, true, true, NetworkSpec.Placement.BEFORE_ACTIVATION, 0.1, 1e-5);
        TrainingConfig c = new TrainingConfig(5, 16, true, 0, 0.2, OptimizerConfig.adam(1e-2), StatisticsMode.EMA);
        Network net = Network.initialize(spec, 0);
        TrainingResult r = new Trainer(c).train(net, iris);
        int[] val = Trainer.split(iris.rows(), c).validation();
        double[] x = new double[val.length * 4];
        int[] y = new int[val.length];
        for (int i = 0; i < val.length; i++) {
            System.arraycopy(iris.x(), val[i] * 4, x, i * 4, 4);
            y[i] = iris.labels()[val[i]];
        }
        double[] logits = new double[val.length * 3];
        net.forwardEval(x, val.length, logits);
        Evaluation.Classification m =
                Evaluation.classificationFromLogits(logits, y, List.of("setosa", "versicolor", "virginica"));
        EpochStats last = r.last();
        assertThat(m.logLoss()).isEqualTo(last.validationLoss());
        assertThat(m.accuracy()).isEqualTo(last.validationAccuracy());
    }

    @Test
    void regressionAsInSklearnsDocumentation() {
        Evaluation.Regression m = Evaluation.regression(new double[] {2.5, 0.0, 2, 8}, new double[] {3, -0.5, 2, 7});
        assertThat(m.rows()).isEqualTo(4);
        assertThat(m.mse()).isEqualTo(0.375);
        assertThat(m.rmse()).isEqualTo(Math.sqrt(0.375));
        assertThat(m.mae()).isEqualTo(0.5);
        assertThat(m.r2()).isCloseTo(0.9486081370449679, within(EPS));

        Evaluation.Regression multi =
                Evaluation.regression(new double[] {0, 2, -1, 2, 8, -5}, new double[] {0.5, 1, -1, 1, 7, -6}, 2);
        assertThat(multi.rows()).isEqualTo(3);
        assertThat(multi.mse()).isCloseTo(0.7083333333333334, within(EPS));
        assertThat(multi.mae()).isEqualTo(0.75);
        assertThat(multi.r2()).isCloseTo(0.9368005266622779, within(EPS));
    }

    @Test
    void r2IsNullForAConstantTarget() {
        Evaluation.Regression m = Evaluation.regression(new double[] {1, 2, 3}, new double[] {2, 2, 2});
        assertThat(m.r2()).isNull();
        assertThat(m.mse()).isCloseTo(2.0 / 3, within(EPS));
        assertThat(Evaluation.regression(new double[] {1, 2, 3, 4}, new double[] {1, 5, 3, 5}, 2)
                        .r2())
                .isNull();
    }

    @Test
    void regressionMseIsTheTrainersValidationLoss() {
        SplittableRandom rng = new SplittableRandom(2);
        int n = 200;
        double[] x = new double[n];
        double[] y = new double[n];
        for (int r = 0; r < n; r++) {
            x[r] = rng.nextDouble(-1, 1);
            y[r] = 100 + 40 * x[r] + rng.nextGaussian() * 5;
        }
        NetworkSpec spec = NetworkSpec.mlp(
                1, List.of(8), 1, Activation.TANH, true, true, NetworkSpec.Placement.BEFORE_ACTIVATION, 0.1, 1e-5);
        TrainingConfig c = new TrainingConfig(10, 16, true, 0, 0.2, OptimizerConfig.adam(1e-2), StatisticsMode.EMA);
        Network net = Network.initialize(spec, 0);
        TrainingResult r = new Trainer(c).train(net, TrainingData.regression(x, n, 1, y, 1));
        int[] val = Trainer.split(n, c).validation();
        double[] vx = new double[val.length], vt = new double[val.length], out = new double[val.length];
        for (int i = 0; i < val.length; i++) {
            vx[i] = x[val[i]];
            vt[i] = y[val[i]];
        }
        net.forwardEval(vx, val.length, out);
        Evaluation.Regression m = Evaluation.regression(out, vt);
        assertThat(m.mse()).isCloseTo(r.last().validationLoss(), within(1e-9 * m.mse()));
        assertThat(m.rmse()).isCloseTo(r.last().validationRmse(), within(1e-9 * m.rmse()));
        assertThat(m.r2()).isBetween(0.5, 1.0);
    }

    @Test
    void invalidInputsAreRejected() {
        List<String> xy = List.of("x", "y");
        assertThatThrownBy(() -> Evaluation.classification(new double[] {0.5, 0.5}, new int[] {2}, xy))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("outside [0, 2)");
        assertThatThrownBy(() -> Evaluation.classification(new double[] {2, -1}, new int[] {0}, xy))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> Evaluation.classification(new double[] {0.5, 0.6}, new int[] {0}, xy))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("sum to");
        assertThatThrownBy(() -> Evaluation.classification(new double[] {0.5, 0.5, 1}, new int[] {0}, xy))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> Evaluation.classification(new double[0], new int[0], xy))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> Evaluation.classification(new double[] {0.5, 0.5}, new int[] {0}, List.of("x", "x")))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> Evaluation.classificationFromLogits(new double[] {Double.NaN, 0}, new int[] {0}, xy))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> Evaluation.regression(new double[] {1}, new double[] {1, 2}))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> Evaluation.regression(new double[] {Double.NaN}, new double[] {1}))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void recordsSerializeToPlainJson() {
        JsonMapper json = JsonMapper.builder().build();
        String c = json.writeValueAsString(
                Evaluation.classification(binary(0.1, 0.8), new int[] {0, 1}, List.of("neg", "pos")));
        assertThat(c)
                .contains("\"accuracy\":1.0", "\"rocAuc\":1.0", "\"perClass\":{\"neg\":{\"precision\":1.0")
                .contains("\"confusionMatrix\":{\"labels\":[\"neg\",\"pos\"],\"counts\":[[1,0],[0,1]]}");
        String r = json.writeValueAsString(Evaluation.regression(new double[] {1, 2}, new double[] {3, 3}));
        assertThat(r).contains("\"r2\":null", "\"rmse\":");
    }
}
