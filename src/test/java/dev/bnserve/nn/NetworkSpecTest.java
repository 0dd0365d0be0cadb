package dev.bnserve.nn;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.bnserve.nn.NetworkSpec.Hidden;
import dev.bnserve.nn.NetworkSpec.Placement;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The per-hidden-layer MLP factory, and the uniform one that delegates to it. */
class NetworkSpecTest {

    /** The mixed layout of the {@code mixed-layers-adam} parity fixture. */
    static NetworkSpec mixed(int inputs, int outputs) {
        return NetworkSpec.mlp(
                inputs,
                true,
                List.of(
                        new Hidden(7, true, Activation.RELU, Placement.BEFORE_ACTIVATION),
                        new Hidden(6, false, Activation.TANH),
                        new Hidden(5, true, Activation.RELU, Placement.AFTER_ACTIVATION)),
                outputs,
                null,
                0.1,
                1e-5);
    }

    @Test
    void perLayerChoicesGiveExactlyTheAskedLayers() {
        LayerSpec.BatchNorm bn = new LayerSpec.BatchNorm(0.1, 1e-5);
        assertThat(mixed(4, 3).layers())
                .containsExactly(
                        bn,
                        new LayerSpec.Linear(7),
                        bn,
                        new LayerSpec.Relu(),
                        new LayerSpec.Linear(6),
                        new LayerSpec.Tanh(),
                        new LayerSpec.Linear(5),
                        new LayerSpec.Relu(),
                        bn,
                        new LayerSpec.Linear(3));
    }

    @Test
    void theMixedParityFixtureHasTheFactorysLayout() throws Exception {
        tools.jackson.databind.JsonNode fx = tools.jackson.databind.json.JsonMapper.builder()
                .build()
                .readTree(getClass().getResourceAsStream("/torch-parity/mixed-layers-adam.json"));
        NetworkSpec spec = mixed(fx.get("inputs").intValue(), 3);
        List<String> fixture = new ArrayList<>();
        for (tools.jackson.databind.JsonNode l : fx.get("layers").values()) {
            fixture.add(
                    l.get("type").stringValue() + (l.has("out") ? l.get("out").intValue() : ""));
        }
        List<String> ours = new ArrayList<>();
        for (LayerSpec l : spec.layers()) {
            ours.add(l.kind().id() + (l instanceof LayerSpec.Linear lin ? lin.out() : ""));
        }
        assertThat(ours).isEqualTo(fixture);
    }

    @Test
    void theNetworkPlacementIsTheDefaultOfEveryHiddenLayer() {
        NetworkSpec spec = NetworkSpec.mlp(
                3,
                false,
                List.of(
                        new Hidden(4, true, Activation.TANH),
                        new Hidden(2, true, Activation.RELU, Placement.BEFORE_ACTIVATION)),
                2,
                Placement.AFTER_ACTIVATION,
                null,
                1e-3);
        LayerSpec.BatchNorm bn = new LayerSpec.BatchNorm(null, 1e-3);
        assertThat(spec.layers())
                .containsExactly(
                        new LayerSpec.Linear(4),
                        new LayerSpec.Tanh(),
                        bn,
                        new LayerSpec.Linear(2),
                        bn,
                        new LayerSpec.Relu(),
                        new LayerSpec.Linear(2));
    }

    @Test
    void theUniformFactoryIsThePerLayerOneWithEveryLayerAlike() {
        for (Activation a : Activation.values()) {
            for (boolean in : new boolean[] {false, true}) {
                for (boolean hid : new boolean[] {false, true}) {
                    for (Placement p :
                            new Placement[] {Placement.BEFORE_ACTIVATION, Placement.AFTER_ACTIVATION, null}) {
                        NetworkSpec uniform = NetworkSpec.mlp(5, List.of(7, 6), 3, a, in, hid, p, 0.1, 1e-5);
                        List<Hidden> hidden = new ArrayList<>();
                        for (int w : List.of(7, 6)) hidden.add(new Hidden(w, hid && p != null, a));
                        NetworkSpec perLayer = NetworkSpec.mlp(5, in, hidden, 3, p, 0.1, 1e-5);
                        assertThat(uniform).isEqualTo(perLayer);
                        // the same layers initialize to the same bits
                        assertThat(Network.initialize(uniform, 17).state())
                                .isEqualTo(Network.initialize(perLayer, 17).state());
                    }
                }
            }
        }
    }

    @Test
    void batchNormWithoutAnyPlacementIsRejected() {
        assertThatThrownBy(() ->
                        NetworkSpec.mlp(3, false, List.of(new Hidden(4, true, Activation.RELU)), 2, null, 0.1, 1e-5))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("hidden layer 0");
        assertThatThrownBy(() -> new Hidden(0, false, Activation.RELU)).isInstanceOf(IllegalArgumentException.class);
    }
}
