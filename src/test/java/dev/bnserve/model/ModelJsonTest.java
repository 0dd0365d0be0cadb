package dev.bnserve.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.bnserve.nn.EpochStats;
import dev.bnserve.nn.LayerState;
import java.time.Instant;
import java.util.List;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/** The model document: exact round trips of every double, and a named field for every malformed input. */
class ModelJsonTest {

    static final JsonMapper MAPPER = JsonMapper.builder().build();
    final ModelJson json = new ModelJson(MAPPER);

    static ModelRecord sample(String id) {
        return TestModels.awkward(id);
    }

    // ------------------------------------------------------------------ round trips

    @Test
    void writeThenReadIsBitIdentical() {
        ModelRecord m = sample(ModelIds.newId());
        String text = json.writeString(m);
        ModelRecord back = json.read(text);

        assertThat(back.id()).isEqualTo(m.id());
        assertThat(back.status()).isEqualTo(ModelStatus.READY);
        assertThat(back.error()).isNull();
        assertThat(back.created()).isEqualTo(m.created());
        assertThat(back.finished()).isEqualTo(m.finished());
        assertThat(back.dataset()).isEqualTo(m.dataset());
        assertThat(back.label()).isEqualTo("y");
        assertThat(back.task()).isEqualTo(Task.CLASSIFICATION);
        assertThat(back.inputs()).isEqualTo(m.inputs());
        assertThat(back.classes()).isEqualTo(m.classes());
        assertThat(back.request()).isEqualTo(m.request());
        assertThat(back.request().batchNorm().momentum()).isNull();
        assertThat(back.epoch()).isEqualTo(2);
        assertThat(back.epochs()).isEqualTo(2);
        assertThat(back.metrics()).isEqualTo(m.metrics());
        assertThat(back.source()).isNull();
        assertThat(back.layers()).isEqualTo(m.layers());
        assertLayersBitIdentical(back.layers(), m.layers());

        assertThat(back.history()).hasSize(2);
        for (int i = 0; i < 2; i++) {
            EpochStats a = back.history().get(i), e = m.history().get(i);
            assertThat(a.epoch()).isEqualTo(e.epoch());
            assertThat(bits(a.loss())).isEqualTo(bits(e.loss()));
            assertThat(bits(a.validationLoss())).isEqualTo(bits(e.validationLoss()));
            assertThat(bits(a.validationAccuracy())).isEqualTo(bits(e.validationAccuracy()));
            assertThat(a.validationRmse()).isNaN();
        }
        // and the text is a fixed point
        assertThat(json.writeString(back)).isEqualTo(text);
    }

    @Test
    void negativeZeroSubnormalsAndNullMomentumAreWrittenExactly() {
        ModelRecord m = sample(ModelIds.newId());
        ObjectNode n = tree(m);
        JsonNode bn = n.get("layers").get(0);
        assertThat(bn.has("momentum")).isTrue();
        assertThat(bn.get("momentum").isNull()).isTrue();
        assertThat(n.at("/request/batchNorm").has("momentum")).isTrue();
        assertThat(n.at("/request/batchNorm/momentum").isNull()).isTrue();
        JsonNode bias = n.get("layers").get(4).get("bias");
        assertThat(bits(bias.get(0).doubleValue())).isEqualTo(bits(-0.0));
        assertThat(bias.get(1).doubleValue()).isEqualTo(Double.MIN_VALUE);
        String text = json.writeString(m);
        assertThat(text).contains("-0.0", "4.9E-324", "1.0E300", "1.7976931348623157E308");
        assertThat(n.get("layers").get(2).get("batchesTracked").asLong()).isEqualTo(9_000_000_000L);
    }

    @Test
    void linearWeightIsOutByIn() {
        ModelRecord m = sample(ModelIds.newId());
        JsonNode lin = tree(m).get("layers").get(1);
        assertThat(lin.get("in").asInt()).isEqualTo(3);
        assertThat(lin.get("out").asInt()).isEqualTo(4);
        assertThat(lin.get("weight").size()).isEqualTo(4);
        double[] flat = ((LayerState.Linear) m.layers().get(1)).weight();
        for (int r = 0; r < 4; r++) {
            assertThat(lin.get("weight").get(r).size()).isEqualTo(3);
            for (int c = 0; c < 3; c++) {
                assertThat(bits(lin.get("weight").get(r).get(c).doubleValue())).isEqualTo(bits(flat[r * 3 + c]));
            }
        }
    }

    @Test
    void documentCarriesFormatAndVersion() {
        ObjectNode n = tree(sample(ModelIds.newId()));
        assertThat(n.get("format").asString()).isEqualTo(ModelJson.FORMAT).isEqualTo("bnserve-model");
        assertThat(n.get("formatVersion").asInt()).isEqualTo(ModelJson.VERSION).isEqualTo(3);
        assertThat(n.has("name")).isFalse();
        assertThat(n.has("version")).isFalse();
        assertThat(n.get("status").asString()).isEqualTo("ready");
        assertThat(n.get("task").asString()).isEqualTo("classification");
        assertThat(n.at("/progress/epochs").asInt()).isEqualTo(2);
    }

    @Test
    void regressionAndUnfinishedModelsRoundTrip() {
        ModelRecord full = sample(ModelIds.newId());
        ModelRecord queued = new ModelRecord(
                ModelIds.newId(),
                ModelStatus.QUEUED,
                null,
                full.created(),
                null,
                full.dataset(),
                "y",
                Task.REGRESSION,
                List.of("a"),
                null,
                null,
                0,
                30,
                List.of(),
                null,
                null,
                null);
        ModelRecord back = json.read(json.writeString(queued));
        assertThat(back.status()).isEqualTo(ModelStatus.QUEUED);
        assertThat(back.task()).isEqualTo(Task.REGRESSION);
        assertThat(back.classes()).isNull();
        assertThat(back.layers()).isNull();
        assertThat(back.finished()).isNull();
        assertThat(back.metrics()).isNull();
        assertThat(back.request()).isNull();
        assertThat(back.epochs()).isEqualTo(30);

        ModelRecord failed =
                queued.withStatus(ModelStatus.FAILED, "interrupted: \"quoted\" \u2013 ünïcödé\n", Instant.EPOCH);
        ModelRecord failedBack = json.read(json.writeString(failed));
        assertThat(failedBack.status()).isEqualTo(ModelStatus.FAILED);
        assertThat(failedBack.error()).isEqualTo(failed.error());
        assertThat(failedBack.finished()).isEqualTo(Instant.EPOCH);
    }

    @Test
    void importedSourceSurvives() {
        ModelRecord m =
                sample(ModelIds.newId()).withIdentity(ModelIds.newId(), "m-0000000000000000000000", Instant.EPOCH);
        assertThat(json.read(json.writeString(m)).source()).isEqualTo("m-0000000000000000000000");
    }

    @Test
    void summariesLeaveOutTheBulk() {
        ModelRecord m = sample(ModelIds.newId());
        ObjectNode summary = json.summary(m);
        assertThat(summary.has("layers")).isFalse();
        assertThat(summary.has("history")).isFalse();
        assertThat(summary.has("request")).isFalse();
        assertThat(summary.get("id").asString()).isEqualTo(m.id());
        assertThat(summary.has("metrics")).isTrue();
        ObjectNode events = json.summaryWithHistory(m);
        assertThat(events.has("layers")).isFalse();
        assertThat(events.has("request")).isFalse();
        assertThat(events.get("history").size()).isEqualTo(2);
        // summaries must not alter the record's full document
        assertThat(tree(m).has("layers")).isTrue();
    }

    // ------------------------------------------------------------------ format and version

    @Test
    void formatAndVersionAreChecked() {
        expectError(d -> d.put("format", "onnx"), "format");
        expectError(d -> d.put("format", 1), "format");
        expectError(d -> d.put("formatVersion", 4), "formatVersion");
        expectError(d -> d.put("formatVersion", 2), "formatVersion"); // 1 and 2 were written as "version"
        expectError(d -> d.put("formatVersion", "3"), "formatVersion");
        expectError(d -> d.put("formatVersion", 3.5), "formatVersion");
        // before format 3, "version" was the format version
        expectError(
                d -> {
                    d.remove("formatVersion");
                    d.put("version", 3);
                },
                "version");
        expectError(
                d -> {
                    d.remove("formatVersion");
                    d.put("version", 0);
                },
                "version");
        expectError(
                d -> {
                    d.remove("formatVersion");
                    d.put("version", "two");
                },
                "version");
        expectError(
                d -> {
                    d.remove("formatVersion");
                    d.put("version", "1");
                },
                "version"); // the number as text
        expectError(
                d -> {
                    d.remove("formatVersion");
                    d.put("version", 1.9);
                },
                "version");
        // from format 3, "version" is the model's version of its name
        expectError(d -> d.put("version", 2), "version"); // without a name
        expectError(d -> d.put("name", "Penguins").put("version", 1), "name");
        expectError(d -> d.put("name", "penguins"), "version");
        expectError(d -> d.put("name", "penguins").put("version", 0), "version");
        expectError(d -> d.put("name", "penguins").put("version", "1"), "version");
        // documents without the markers (hand-written) are accepted
        ObjectNode bare = doc();
        bare.remove(List.of(
                "format", "formatVersion", "status", "id", "created", "history", "metrics", "request", "progress"));
        ModelRecord m = json.read(bare);
        assertThat(m.status()).isEqualTo(ModelStatus.READY);
        assertThat(m.layers()).hasSize(5);
    }

    @Test
    void notJsonOrNotAnObjectIsNamedDollar() {
        assertThatThrownBy(() -> json.read("{\"format\": "))
                .isInstanceOfSatisfying(
                        ModelFormatException.class, e -> assertThat(e.field()).isEqualTo("$"));
        assertThatThrownBy(() -> json.read("[1, 2]"))
                .isInstanceOfSatisfying(
                        ModelFormatException.class, e -> assertThat(e.field()).isEqualTo("$"));
        assertThatThrownBy(() -> json.read((JsonNode) null))
                .isInstanceOfSatisfying(
                        ModelFormatException.class, e -> assertThat(e.field()).isEqualTo("$"));
    }

    // ------------------------------------------------------------------ malformed fields

    @Test
    void topLevelFieldsAreNamed() {
        expectError(d -> d.remove("inputs"), "inputs");
        expectError(d -> d.put("inputs", "a"), "inputs");
        expectError(d -> d.putArray("inputs"), "inputs");
        expectError(d -> d.putArray("inputs").add("a").add(1).add("c"), "inputs");
        expectError(d -> d.putArray("inputs").add("a").add("a").add("c"), "inputs");
        expectError(d -> d.remove("task"), "task");
        expectError(d -> d.put("task", "clustering"), "task");
        expectError(d -> d.put("task", 3), "task");
        expectError(d -> d.remove("classes"), "classes");
        expectError(d -> d.putArray("classes"), "classes");
        expectError(d -> d.putArray("classes").add("no").add(true), "classes");
        expectError(d -> d.putArray("classes").add("no").add("yes").add("maybe"), "layers");
        expectError(d -> d.putArray("classes").add("0").add("0"), "classes");
        expectError(d -> d.put("status", "done"), "status");
        expectError(d -> d.remove("layers"), "layers");
        expectError(d -> d.putNull("layers"), "layers");
        expectError(d -> d.putArray("layers"), "layers");
        expectError(d -> d.put("layers", "none"), "layers");
        expectError(d -> d.put("created", "yesterday"), "created");
        expectError(d -> d.put("finished", "2026-13-45"), "finished");
        expectError(d -> ((ObjectNode) d.get("request")).put("epochs", "many"), "request");
        expectError(d -> ((ObjectNode) d.get("request")).putArray("hidden").add("wide"), "request");
        expectError(d -> d.put("request", "x"), "request");
        expectError(d -> ((ObjectNode) d.get("metrics")).put("trainingSeconds", "slow"), "metrics");
        expectError(d -> d.put("metrics", 5), "metrics");
    }

    @Test
    void layerFieldsAreNamed() {
        expectError(d -> layer(d, 1).put("type", "conv"), "layers[1].type");
        expectError(d -> layer(d, 1).remove("type"), "layers[1].type");
        expectError(d -> layer(d, 1).put("out", 0), "layers[1].out");
        expectError(d -> layer(d, 1).remove("out"), "layers[1].out");
        expectError(d -> layer(d, 1).put("out", "four"), "layers[1].out");
        expectError(d -> layer(d, 1).put("in", 5), "layers[1].in");
        expectError(d -> layer(d, 1).put("out", 5), "layers[1].weight");
        expectError(d -> layer(d, 1).remove("weight"), "layers[1].weight");
        expectError(d -> ((ArrayNode) layer(d, 1).get("weight")).remove(0), "layers[1].weight");
        expectError(d -> ((ArrayNode) layer(d, 1).get("weight").get(2)).add(1.0), "layers[1].weight[2]");
        expectError(d -> ((ArrayNode) layer(d, 1).get("weight").get(2)).set(1, "x"), "layers[1].weight[2][1]");
        expectError(d -> ((ArrayNode) layer(d, 1).get("weight").get(3)).setNull(0), "layers[1].weight[3][0]");
        expectError(
                d -> ((ArrayNode) layer(d, 1).get("weight").get(0)).set(2, Double.POSITIVE_INFINITY),
                "layers[1].weight[0][2]");
        expectError(d -> ((ArrayNode) layer(d, 1).get("bias")).add(1.0), "layers[1].bias");
        expectError(d -> ((ArrayNode) layer(d, 1).get("bias")).set(0, "zero"), "layers[1].bias[0]");
        expectError(d -> layer(d, 0).put("features", 4), "layers[0].features");
        expectError(d -> ((ArrayNode) layer(d, 0).get("gamma")).remove(0), "layers[0].gamma");
        expectError(d -> layer(d, 0).remove("beta"), "layers[0].beta");
        expectError(d -> ((ArrayNode) layer(d, 0).get("runningMean")).set(1, Double.NaN), "layers[0].runningMean[1]");
        expectError(d -> ((ArrayNode) layer(d, 2).get("runningVar")).set(3, "1"), "layers[2].runningVar[3]");
        // constraints checked by the layer itself name the layer, and the message the property
        expectError(d -> ((ArrayNode) layer(d, 2).get("runningVar")).set(3, -1.0), "layers[2]", "runningVar");
        expectError(d -> layer(d, 2).put("momentum", 1.5), "layers[2]", "momentum");
        expectError(d -> layer(d, 2).put("eps", -1.0), "layers[2].eps", "positive");
        expectError(d -> layer(d, 2).put("eps", 0.0), "layers[2].eps", "positive");
        // the output width must match the classes
        expectError(
                d -> {
                    layer(d, 4).put("out", 3);
                    ((ArrayNode) layer(d, 4).get("weight"))
                            .addArray()
                            .add(1)
                            .add(2)
                            .add(3)
                            .add(4);
                    ((ArrayNode) layer(d, 4).get("bias")).add(0.5);
                },
                "layers");
    }

    @Test
    void nonNumericBatchNormMomentumIsNamed() {
        expectError(d -> layer(d, 2).put("momentum", "fast"), "layers[2].momentum");
        expectError(d -> layer(d, 0).put("momentum", true), "layers[0].momentum");
    }

    @Test
    void batchNormEpsCountAndFeaturesMustBeNumbersOfTheirKind() {
        expectError(d -> layer(d, 0).put("eps", "x"), "layers[0].eps");
        expectError(d -> layer(d, 0).put("eps", 0.0), "layers[0].eps");
        expectError(d -> layer(d, 0).put("eps", -1e-5), "layers[0].eps");
        expectError(d -> layer(d, 0).put("batchesTracked", "many"), "layers[0].batchesTracked");
        expectError(d -> layer(d, 0).put("batchesTracked", -1), "layers[0].batchesTracked");
        expectError(d -> layer(d, 0).put("batchesTracked", 2.5), "layers[0].batchesTracked");
        expectError(d -> layer(d, 0).put("features", "4"), "layers[0].features");
        // absent, they take PyTorch's defaults
        ObjectNode d = doc();
        layer(d, 0).remove(List.of("eps", "batchesTracked"));
        LayerState.BatchNorm bn = (LayerState.BatchNorm) json.read(d).layers().get(0);
        assertThat(bn.eps()).isEqualTo(1e-5);
        assertThat(bn.batchesTracked()).isZero();
    }

    @Test
    void nonNumericHistoryEpochIsNamed() {
        assertThatThrownBy(() ->
                        json.read(mutated(d -> ((ObjectNode) d.get("history").get(0)).put("epoch", "first"))))
                .isInstanceOfSatisfying(
                        ModelFormatException.class, e -> assertThat(e.field()).startsWith("history"));
    }

    @Test
    void everyReadFailureIsAModelFormatException() {
        // whatever the damage, read() fails only with ModelFormatException (never a raw Jackson or JDK exception)
        List<Consumer<ObjectNode>> damage = List.of(
                d -> d.put("layers", 1),
                d -> d.putArray("layers").add(1),
                d -> d.putArray("layers").addObject(),
                d -> layer(d, 1).put("weight", 1),
                d -> layer(d, 1).putArray("weight").add(1),
                d -> layer(d, 0).put("gamma", "x"),
                d -> d.put("inputs", 1),
                d -> d.put("classes", 1),
                d -> d.put("created", 1),
                d -> d.put("status", 1),
                d -> d.put("progress", "x"),
                d -> d.put("history", "x"),
                d -> d.putArray("history").add("x"),
                d -> layer(d, 1).put("in", "x"),
                d -> layer(d, 0).put("features", "x"),
                d -> layer(d, 0).put("eps", "x"),
                d -> layer(d, 0).put("batchesTracked", "x"));
        for (Consumer<ObjectNode> c : damage) {
            try {
                json.read(mutated(c));
            } catch (ModelFormatException e) {
                assertThat(e.field()).isNotBlank();
                assertThat(e.getMessage()).isNotBlank();
            }
        }
    }

    // ------------------------------------------------------------------ helpers

    /** The written document as a tree, to inspect and damage. */
    private ObjectNode tree(ModelRecord m) {
        return (ObjectNode) MAPPER.readTree(json.writeBytes(m));
    }

    private ObjectNode doc() {
        return tree(sample(ModelIds.newId()));
    }

    private ObjectNode mutated(Consumer<ObjectNode> change) {
        ObjectNode d = doc();
        change.accept(d);
        return d;
    }

    private static ObjectNode layer(ObjectNode doc, int i) {
        return (ObjectNode) doc.get("layers").get(i);
    }

    private void expectError(Consumer<ObjectNode> change, String field) {
        expectError(change, field, null);
    }

    private void expectError(Consumer<ObjectNode> change, String field, String inMessage) {
        ObjectNode d = mutated(change);
        assertThatThrownBy(() -> json.read(d))
                .as(field + " in " + d)
                .isInstanceOfSatisfying(ModelFormatException.class, e -> {
                    assertThat(e.field()).as(e.getMessage()).isEqualTo(field);
                    assertThat(e.getMessage()).isNotBlank();
                    if (inMessage != null) assertThat(e.getMessage()).contains(inMessage);
                });
        // the same document as text fails the same way
        assertThatThrownBy(() -> json.read(d.toString()))
                .isInstanceOfSatisfying(
                        ModelFormatException.class, e -> assertThat(e.field()).isEqualTo(field));
    }

    static long bits(double d) {
        return Double.doubleToRawLongBits(d);
    }

    static void assertLayersBitIdentical(List<LayerState> actual, List<LayerState> expected) {
        assertThat(actual).hasSameSizeAs(expected);
        for (int i = 0; i < expected.size(); i++) {
            LayerState a = actual.get(i), e = expected.get(i);
            assertThat(a.getClass()).isEqualTo(e.getClass());
            if (e instanceof LayerState.Linear el) {
                LayerState.Linear al = (LayerState.Linear) a;
                assertBits(al.weight(), el.weight());
                assertBits(al.bias(), el.bias());
            } else if (e instanceof LayerState.BatchNorm eb) {
                LayerState.BatchNorm ab = (LayerState.BatchNorm) a;
                assertThat(ab.momentum()).isEqualTo(eb.momentum());
                assertThat(bits(ab.eps())).isEqualTo(bits(eb.eps()));
                assertThat(ab.batchesTracked()).isEqualTo(eb.batchesTracked());
                assertBits(ab.gamma(), eb.gamma());
                assertBits(ab.beta(), eb.beta());
                assertBits(ab.runningMean(), eb.runningMean());
                assertBits(ab.runningVar(), eb.runningVar());
            }
        }
    }

    static void assertBits(double[] actual, double[] expected) {
        assertThat(actual).hasSameSizeAs(expected);
        for (int i = 0; i < expected.length; i++) {
            assertThat(bits(actual[i]))
                    .as("[%d] %s vs %s", i, actual[i], expected[i])
                    .isEqualTo(bits(expected[i]));
        }
    }
}
