package dev.bnserve.nn;

import static org.assertj.core.api.Assertions.assertThat;

import dev.bnserve.model.TrainingSpec;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * With the service's defaults ({@link TrainingSpec#DEFAULTS}: input BN, hidden [64, 64] with BN before ReLU, Adam
 * 1e-3, batch 32, 30 epochs, seed 0, 20% validation) the core learns the real data sets.
 */
class LearningTest {

    @ParameterizedTest(name = "{0}: validation accuracy >= {2}")
    @CsvSource({"digits, digit, 0.96", "breast_cancer, diagnosis, 0.95", "iris, species, 0.90"})
    void learnsWithDefaults(String name, String label, double minAccuracy) {
        TrainingData data = TestData.classification("/data/" + name + ".csv", label);
        TrainingSpec defaults = TrainingSpec.DEFAULTS;
        Network net = Network.initialize(defaults.networkSpec(data.features(), data.classes()), defaults.seed());
        TrainingResult result = new Trainer(defaults.trainingConfig()).train(net, data);

        assertThat(result.history()).hasSize(defaults.epochs());
        assertThat(result.validationRows()).isEqualTo((int) Math.floor(data.rows() * defaults.validationSplit()));
        assertThat(result.last().validationAccuracy())
                .as("%s validation accuracy", name)
                .isGreaterThanOrEqualTo(minAccuracy);
        assertThat(result.last().loss())
                .as("training loss falls")
                .isLessThan(result.history().get(0).loss());
    }
}
