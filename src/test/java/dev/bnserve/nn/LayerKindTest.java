package dev.bnserve.nn;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.junit.jupiter.api.Test;

/** The closed sets of kinds and their wire ids: every id parses back, an unknown one fails loudly. */
class LayerKindTest {
    @Test
    void idsRoundTripAndUnknownKindsAreRejected() {
        for (LayerKind k : LayerKind.values())
            assertThat(LayerKind.parse(k.id())).isEqualTo(k);
        assertThat(List.of(LayerKind.values()))
                .extracting(LayerKind::id)
                .containsExactly("linear", "batchnorm", "relu", "tanh");
        assertThatThrownBy(() -> LayerKind.parse("gelu"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("unknown layer type 'gelu' (expected linear, batchnorm, relu or tanh)");
    }

    @Test
    void specsAndStatesReportTheirKind() {
        NetworkSpec spec = NetworkSpec.mlp(
                3, List.of(4), 2, Activation.TANH, true, true, NetworkSpec.Placement.AFTER_ACTIVATION, 0.1, 1e-5);
        List<LayerState> states = Network.initialize(spec, 1).state();
        assertThat(spec.layers())
                .extracting(LayerSpec::kind)
                .containsExactly(
                        LayerKind.BATCHNORM, LayerKind.LINEAR, LayerKind.TANH, LayerKind.BATCHNORM, LayerKind.LINEAR);
        assertThat(states)
                .extracting(LayerState::kind)
                .isEqualTo(List.of(
                        LayerKind.BATCHNORM, LayerKind.LINEAR, LayerKind.TANH, LayerKind.BATCHNORM, LayerKind.LINEAR));
        assertThat(Activation.RELU.kind()).isEqualTo(LayerKind.RELU);
        assertThat(Activation.TANH.state(5)).isEqualTo(new LayerState.Tanh(5));
    }

    @Test
    void enumIdsRoundTrip() {
        for (NetworkSpec.Placement p : NetworkSpec.Placement.values())
            assertThat(NetworkSpec.Placement.parse(p.id())).isEqualTo(p);
        assertThat(NetworkSpec.Placement.BEFORE_ACTIVATION.id()).isEqualTo("before-activation");
        assertThat(NetworkSpec.Placement.AFTER_ACTIVATION.id()).isEqualTo("after-activation");
        for (OptimizerConfig.Type t : OptimizerConfig.Type.values())
            assertThat(OptimizerConfig.Type.parse(t.id())).isEqualTo(t);
        assertThat(OptimizerConfig.Type.parse("Adam")).isEqualTo(OptimizerConfig.Type.ADAM);
        assertThat(OptimizerConfig.Type.SGD.id()).isEqualTo("sgd");
        assertThat(StatisticsMode.parse("population")).isEqualTo(StatisticsMode.POPULATION);
        assertThatThrownBy(() -> NetworkSpec.Placement.parse("inside")).hasMessageContaining("'inside'");
        assertThatThrownBy(() -> OptimizerConfig.Type.parse("rmsprop")).hasMessageContaining("'rmsprop'");
    }
}
