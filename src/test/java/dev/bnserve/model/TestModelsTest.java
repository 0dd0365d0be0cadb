package dev.bnserve.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import dev.bnserve.nn.InferencePlan;
import java.time.Instant;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.json.JsonMapper;

/** The hand-built models answer as their documentation says, so tests built on them check what they claim. */
class TestModelsTest {
    /** affineRegression's closed form holds up to a few roundings of values near 1. */
    static final double CLOSED_FORM_TOL = 1e-12;

    static InferencePlan plan(ModelRecord m) {
        return InferencePlan.compile(m.inputs().size(), m.layers());
    }

    @Test
    void identityClassifierLogitsAreItsInputs() {
        ModelRecord m = TestModels.identityClassifier(ModelIds.newId(), Instant.EPOCH);
        assertThat(m.status()).isEqualTo(ModelStatus.READY);
        for (double[] x : new double[][] {{0.5, -2}, {-0.0, 3e10}, {1e-300, 7}}) {
            double[] logits = plan(m).predict(x);
            assertThat(logits).hasSize(2);
            // numerically equal (−0.0 plus the zero bias is +0.0, as IEEE 754 says)
            for (int i = 0; i < 2; i++)
                assertThat(logits[i] == x[i])
                        .as("logit %d of %s", i, java.util.Arrays.toString(x))
                        .isTrue();
        }
    }

    @Test
    void affineRegressionComputesItsClosedForm() {
        ModelRecord m = TestModels.affineRegression(ModelIds.newId(), Instant.EPOCH);
        for (double[] x : new double[][] {{0, 0}, {1, 2}, {3.5, -1}, {-10, 4}}) {
            assertThat(plan(m).predict(x)[0])
                    .as("a=%s b=%s", x[0], x[1])
                    .isCloseTo(1.5 * x[0] - x[1] + 0.25, within(CLOSED_FORM_TOL));
        }
    }

    @Test
    void awkwardModelIsValidAndSurvivesItsOwnFormat() {
        ModelRecord m = TestModels.awkward(ModelIds.newId());
        assertThat(m.layers()).hasSize(5);
        ModelJson json = new ModelJson(JsonMapper.builder().build());
        assertThat(json.read(json.writeString(m))).isEqualTo(m);
        double[] y = plan(m).predict(new double[] {1, 2, 3});
        assertThat(y).hasSize(2);
    }
}
