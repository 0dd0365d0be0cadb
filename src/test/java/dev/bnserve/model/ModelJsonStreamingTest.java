package dev.bnserve.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.bnserve.nn.Activation;
import dev.bnserve.nn.Network;
import dev.bnserve.nn.NetworkSpec;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

/**
 * The streaming writer against the tree-based one it replaced ({@link TreeModelWriter}): the same bytes for every
 * kind of model; and the streaming reader's bounds: shapes are refused, naming the field, before anything is allocated.
 */
class ModelJsonStreamingTest {
    static final JsonMapper MAPPER = JsonMapper.builder().build();
    final ModelJson json = new ModelJson(MAPPER);
    final TreeModelWriter old = new TreeModelWriter(MAPPER);

    static List<ModelRecord> models() throws IOException {
        Instant t = Instant.parse("2026-03-04T05:06:07.089Z");
        List<ModelRecord> all = new ArrayList<>();
        all.add(TestModels.awkward(ModelIds.newId()));
        all.add(TestModels.awkward(ModelIds.newId()).withIdentity(ModelIds.newId(), "m-0000000000000000000000", t));
        all.add(TestModels.identityClassifier(ModelIds.newId(), t));
        all.add(TestModels.affineRegression(ModelIds.newId(), t));
        all.add(TestModels.training(ModelIds.newId()));
        all.add(TestModels.training(ModelIds.newId())
                .withStatus(ModelStatus.FAILED, "interrupted: \"quoted\" \u2013 ünïcödé\n\t\u0001 </script>", t));
        all.add(TestModels.training(ModelIds.newId()).withStatus(ModelStatus.QUEUED, null, null));
        all.add(new ModelJson(MAPPER).read(new String(V1FormatTest.v1Bytes(), StandardCharsets.UTF_8)));
        for (Activation a : Activation.values()) {
            NetworkSpec spec = NetworkSpec.mlp(
                    5, List.of(7, 3), 2, a, true, true, NetworkSpec.Placement.AFTER_ACTIVATION, null, 1e-3);
            all.add(TestModels.ready(
                    ModelIds.newId(),
                    Task.CLASSIFICATION,
                    List.of("a", "b", "c", "d", "e"),
                    List.of("x", "y"),
                    t,
                    Network.initialize(spec, 11).state()));
        }
        return all;
    }

    @Test
    void streamedBytesEqualTheTreeWritersForEveryKindOfModel() throws IOException {
        for (ModelRecord m : models()) {
            assertThat(json.writeString(m)).as(m.id()).isEqualTo(old.writeString(m));
            assertThat(json.writeBytes(m)).isEqualTo(old.writeBytes(m));
            assertThat(MAPPER.writeValueAsString(json.summary(m))).isEqualTo(MAPPER.writeValueAsString(old.summary(m)));
            assertThat(MAPPER.writeValueAsString(json.summaryWithHistory(m)))
                    .isEqualTo(MAPPER.writeValueAsString(old.summaryWithHistory(m)));
            assertThat(new String(json.summaryBytes(m, true), StandardCharsets.UTF_8))
                    .isEqualTo(MAPPER.writeValueAsString(old.summaryWithHistory(m)));
        }
    }

    @Test
    void theThreeReadersAgree() throws IOException {
        for (ModelRecord m : models()) {
            byte[] bytes = json.writeBytes(m);
            ModelRecord fromStream = json.read(new ByteArrayInputStream(bytes));
            ModelRecord fromString = json.read(new String(bytes, StandardCharsets.UTF_8));
            ModelRecord fromTree = json.read(MAPPER.readTree(bytes));
            for (ModelRecord back : List.of(fromStream, fromString, fromTree)) {
                assertThat(json.writeBytes(back)).isEqualTo(bytes);
                if (m.layers() != null) ModelJsonTest.assertLayersBitIdentical(back.layers(), m.layers());
            }
        }
    }

    @Test
    void writingLeavesTheStreamOpen() {
        var out = new java.io.ByteArrayOutputStream() {
            boolean closed;

            @Override
            public void close() {
                closed = true;
            }
        };
        json.write(TestModels.awkward(ModelIds.newId()), out);
        assertThat(out.closed).isFalse();
        assertThat(out.size()).isPositive();
    }

    // ------------------------------------------------------------------ bounds before allocation

    /** A document whose one hidden linear layer claims {@code out} units, with no weights at all. */
    private ObjectNode claiming(int inputs, int out) {
        ObjectNode d = (ObjectNode)
                MAPPER.readTree(json.writeBytes(TestModels.identityClassifier(ModelIds.newId(), Instant.EPOCH)));
        var names = d.putArray("inputs");
        for (int i = 0; i < inputs; i++) names.add("f" + i);
        var layers = d.putArray("layers");
        ObjectNode lin = layers.addObject();
        lin.put("type", "linear").put("in", inputs).put("out", out);
        lin.putArray("weight").addArray().add(1.0);
        lin.putArray("bias").add(0.0);
        return d;
    }

    @Test
    void aHugeClaimedLayerIsRefusedNamingItsWidth() {
        // 46,341² overflows an int: once a NegativeArraySizeException
        expectError(claiming(4, 46_341), "layers[0].out", "4096");
        expectError(claiming(4, 4097), "layers[0].out", "bnserve.limits.max-hidden-width");
        // the output layer may be as wide as the classes, no wider
        ObjectNode twoWide = claiming(2, 2);
        ObjectNode ok = (ObjectNode)
                MAPPER.readTree(json.writeBytes(TestModels.identityClassifier(ModelIds.newId(), Instant.EPOCH)));
        assertThat(json.read(ok).layers()).hasSize(1);
        expectError(twoWide, "layers[0].weight", "2 rows of 2");
    }

    @Test
    void theDocumentOfTheBugReportIsA422NotAnAllocation() {
        // ~545 KB: 46,341 input names and one 46,341 × 46,341 layer without its weights
        ObjectNode d = claiming(46_341, 46_341);
        String text = d.toString();
        assertThat(text.length()).isBetween(400_000, 700_000);
        expectError(d, "inputs", "bnserve.limits.max-columns");
        // within the input limit, the width still is refused before any weight is read
        expectError(claiming(10_000, 46_341), "layers[0].out", "4096");
    }

    @Test
    void tooManyLayersAreRefused() {
        ObjectNode d = (ObjectNode)
                MAPPER.readTree(json.writeBytes(TestModels.identityClassifier(ModelIds.newId(), Instant.EPOCH)));
        var layers = d.putArray("layers");
        for (int i = 0; i < 18; i++) {
            ObjectNode lin =
                    layers.addObject().put("type", "linear").put("in", 2).put("out", 2);
            lin.putArray("weight")
                    .add(MAPPER.createArrayNode().add(1).add(0))
                    .add(MAPPER.createArrayNode().add(0).add(1));
            lin.putArray("bias").add(0).add(0);
        }
        expectError(d, "layers[17]", "17 linear layers");
        ObjectNode relus = (ObjectNode)
                MAPPER.readTree(json.writeBytes(TestModels.identityClassifier(ModelIds.newId(), Instant.EPOCH)));
        var many = relus.putArray("layers");
        for (int i = 0; i < 100; i++) many.addObject().put("type", "relu");
        expectError(relus, "layers", "at most 68 layers");
    }

    @Test
    void tooManyClassesAreRefused() {
        ModelJson small = new ModelJson(MAPPER, new ModelJson.Limits(10, 8, 2, 3));
        ObjectNode d = (ObjectNode)
                MAPPER.readTree(json.writeBytes(TestModels.identityClassifier(ModelIds.newId(), Instant.EPOCH)));
        d.putArray("classes").add("a").add("b").add("c").add("d");
        assertThatThrownBy(() -> small.read(d))
                .isInstanceOfSatisfying(
                        ModelFormatException.class, e -> assertThat(e.field()).isEqualTo("classes"));
    }

    // ------------------------------------------------------------------ order, syntax, streams

    @Test
    void fieldsInAnyOrderReadTheSame() {
        ModelRecord m = TestModels.awkward(ModelIds.newId());
        ObjectNode d = (ObjectNode) MAPPER.readTree(json.writeBytes(m));
        // layers first, and inside each layer the arrays before type and shape
        ObjectNode reordered = MAPPER.createObjectNode();
        var layers = reordered.putArray("layers");
        for (var l : d.get("layers")) {
            ObjectNode r = layers.addObject();
            List<String> names = new ArrayList<>(((ObjectNode) l).propertyNames());
            java.util.Collections.reverse(names);
            for (String n : names) r.set(n, l.get(n));
        }
        d.properties().forEach(e -> {
            if (!e.getKey().equals("layers")) reordered.set(e.getKey(), e.getValue());
        });
        ModelRecord back = json.read(reordered.toString());
        ModelJsonTest.assertLayersBitIdentical(back.layers(), m.layers());
        assertThat(json.writeString(back)).isEqualTo(json.writeString(m));
    }

    @Test
    void anErrorInTheLayersWaitsForTheRestOfTheDocument() {
        ObjectNode d = (ObjectNode) MAPPER.readTree(json.writeBytes(TestModels.awkward(ModelIds.newId())));
        ((ObjectNode) d.get("layers").get(1)).put("out", 7);
        String text = d.toString();
        // a syntax error after the bad layer still wins, as with the tree reader
        String cut = text.substring(0, text.length() - 3);
        assertThatThrownBy(() -> json.read(new ByteArrayInputStream(cut.getBytes(StandardCharsets.UTF_8))))
                .isInstanceOf(JacksonException.class);
        assertThatThrownBy(() -> json.read(cut))
                .isInstanceOfSatisfying(
                        ModelFormatException.class, e -> assertThat(e.field()).isEqualTo("$"));
        // and a bad field checked earlier (the version) is named rather than the layer
        d.put("formatVersion", 4);
        expectError(d, "formatVersion", "unsupported format version 4");
    }

    @Test
    void aFailingStreamIsNotAFormatError() {
        byte[] bytes = json.writeBytes(TestModels.awkward(ModelIds.newId()));
        InputStream broken = new InputStream() {
            int n;

            @Override
            public int read() throws IOException {
                if (n == bytes.length / 2) throw new IOException("connection reset");
                return bytes[n++];
            }
        };
        assertThatThrownBy(() -> json.read(broken))
                .isInstanceOf(JacksonException.class)
                .hasRootCauseInstanceOf(IOException.class);
    }

    private void expectError(ObjectNode d, String field, String inMessage) {
        byte[] bytes = d.toString().getBytes(StandardCharsets.UTF_8);
        for (Runnable read : List.<Runnable>of(
                () -> json.read(d), () -> json.read(d.toString()), () -> json.read(new ByteArrayInputStream(bytes)))) {
            assertThatThrownBy(read::run).isInstanceOfSatisfying(ModelFormatException.class, e -> {
                assertThat(e.field()).as(e.getMessage()).isEqualTo(field);
                assertThat(e.getMessage()).contains(inMessage);
            });
        }
    }
}
