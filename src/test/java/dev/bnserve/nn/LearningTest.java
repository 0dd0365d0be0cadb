package dev.bnserve.nn;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * With the documented defaults (input BN, hidden [64, 64] with BN before ReLU, Adam 1e-3, batch 32,
 * 30 epochs, seed 0, 20% validation) the core learns the real data sets.
 */
class LearningTest {

    @ParameterizedTest(name = "{0}: validation accuracy >= {2}")
    @CsvSource({"digits, digit, 0.96", "breast_cancer, diagnosis, 0.95", "iris, species, 0.90"})
    void learnsWithDefaults(String name, String label, double minAccuracy) {
        TrainingData data = TestData.classification("/data/" + name + ".csv", label);
        NetworkSpec spec = NetworkSpec.mlp(
                data.features(),
                List.of(64, 64),
                data.classes(),
                Activation.RELU,
                true,
                true,
                NetworkSpec.Placement.BEFORE_ACTIVATION,
                0.1,
                1e-5);
        Network net = Network.initialize(spec, 0);
        TrainingResult result = new Trainer(TrainingConfig.defaults()).train(net, data);

        assertThat(result.history()).hasSize(30);
        assertThat(result.validationRows()).isEqualTo((int) Math.floor(data.rows() * 0.2));
        assertThat(result.last().validationAccuracy())
                .as("%s validation accuracy", name)
                .isGreaterThanOrEqualTo(minAccuracy);
        assertThat(result.last().loss())
                .as("training loss falls")
                .isLessThan(result.history().get(0).loss());
    }
}
