package dev.bnserve.model;

import static org.assertj.core.api.Assertions.assertThat;

import dev.bnserve.nn.InferencePlan;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.json.JsonMapper;

/**
 * A version 1 document written by the tree-based writer that preceded the streaming one (an iris classifier,
 * 4 → BN → 8 → BN → relu → 3, trained 20 epochs), committed as {@code models/v1-model.json}. Whatever the
 * reader and writer become, this file must keep loading, predict the same bits, and be written back unchanged.
 */
class V1FormatTest {
    static final String RESOURCE = "/models/v1-model.json";

    /** Iris rows (one setosa, two versicolor-ish, one virginica) and the logits the v1 code computed for them. */
    static final double[][] ROWS = {
        {5.1, 3.5, 1.4, 0.2}, {6.4, 3.2, 4.5, 1.5}, {6.3, 3.3, 6.0, 2.5}, {5.9, 3.0, 5.1, 1.8}
    };

    static final long[][] EXPECTED = {
        {
            0x400fe61380c7b7edL /* 3.987341886610912 */,
            0xbff46d2bbaac6475L /* -1.2766530315332407 */,
            0xc008fc867ede85fcL /* -3.1233034049662347 */
        },
        {
            0xc002e72f5fe49c0dL /* -2.362883328594313 */,
            0x3fdbaf7d36fff9a1L /* 0.43258600588878876 */,
            0x3fde41a1210a06c8L /* 0.47275570131760647 */
        },
        {
            0xc019df2e632f38deL /* -6.467950391537867 */,
            0xbff54af03c5ea074L /* -1.3307955129803561 */,
            0x400aae27b0e18f49L /* 3.3350366419635162 */
        },
        {
            0xc010a4e73e2abb21L /* -4.161038371427623 */,
            0x3fc65b9bc564a46fL /* 0.17467066896759628 */,
            0x3ffc744a1be7d2daL /* 1.77839098835573 */
        },
    };

    final ModelJson json = new ModelJson(JsonMapper.builder().build());

    static byte[] v1Bytes() throws IOException {
        try (InputStream in = V1FormatTest.class.getResourceAsStream(RESOURCE)) {
            assertThat(in).as(RESOURCE).isNotNull();
            return in.readAllBytes();
        }
    }

    @Test
    void v1DocumentLoadsAndPredictsTheSameBits() throws IOException {
        ModelRecord m = json.read(new String(v1Bytes(), StandardCharsets.UTF_8));
        assertThat(m.id()).isEqualTo("m-v1fixture0000000000000");
        assertThat(m.status()).isEqualTo(ModelStatus.READY);
        assertThat(m.task()).isEqualTo(Task.CLASSIFICATION);
        assertThat(m.inputs()).containsExactly("sepal_length", "sepal_width", "petal_length", "petal_width");
        assertThat(m.classes()).containsExactly("setosa", "versicolor", "virginica");
        assertThat(m.history()).hasSize(20);
        assertThat(m.layers()).hasSize(5);
        for (InferencePlan plan :
                new InferencePlan[] {InferencePlan.compile(4, m.layers()), InferencePlan.compileScalar(4, m.layers())
                }) {
            for (int r = 0; r < ROWS.length; r++) {
                double[] y = plan.predict(ROWS[r]);
                assertThat(y).hasSize(3);
                for (int k = 0; k < 3; k++) {
                    assertThat(Double.doubleToRawLongBits(y[k]))
                            .as("row %d output %d = %s (%s)", r, k, y[k], plan.kernelName())
                            .isEqualTo(EXPECTED[r][k]);
                }
            }
        }
    }

    /**
     * Written back, a version 1 document is the version 2 document of the same model: every field the old file had
     * is unchanged, and its training request gains the v2 fields at their defaults (what it was trained with).
     */
    @Test
    void v1DocumentIsWrittenBackInTheCurrentFormatSayingTheSame() throws IOException {
        byte[] original = v1Bytes();
        ModelRecord m = json.read(new String(original, StandardCharsets.UTF_8));
        tools.jackson.databind.json.JsonMapper mapper =
                tools.jackson.databind.json.JsonMapper.builder().build();
        tools.jackson.databind.node.ObjectNode before =
                (tools.jackson.databind.node.ObjectNode) mapper.readTree(original);
        tools.jackson.databind.node.ObjectNode after =
                (tools.jackson.databind.node.ObjectNode) mapper.readTree(json.writeBytes(m));
        assertThat(after.get("formatVersion").asInt()).isEqualTo(ModelJson.VERSION);
        assertThat(after.has("version"))
                .as("an unnamed model has no model version")
                .isFalse();
        tools.jackson.databind.node.ObjectNode request = (tools.jackson.databind.node.ObjectNode) after.get("request");
        assertThat(request.remove(List.of("preprocessing", "earlyStopping", "classWeights")))
                .isNotNull();
        assertThat(request.get("preprocessing")).isNull();
        after.remove("formatVersion");
        after.put("version", 1);
        assertThat(after).isEqualTo(before);
        assertThat(json.read(new String(json.writeBytes(m), StandardCharsets.UTF_8)))
                .isEqualTo(m);
    }
}
