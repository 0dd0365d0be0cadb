package dev.bnserve;

import static org.assertj.core.api.Assertions.assertThat;

import dev.bnserve.model.ModelIds;
import dev.bnserve.model.ModelRecord;
import dev.bnserve.model.ModelStore;
import dev.bnserve.model.Task;
import dev.bnserve.model.TestModels;
import dev.bnserve.nn.Activation;
import dev.bnserve.nn.InferencePlan;
import dev.bnserve.nn.LayerState;
import dev.bnserve.nn.Network;
import dev.bnserve.nn.NetworkSpec;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.annotation.DirtiesContext;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * A model at the scale the width limit allows, over real HTTP: hidden [2048, 2048] on 64 inputs (4.33 M parameters)
 * exports to more than the 64 MB of {@code bnserve.limits.max-request-bytes}, and imports back (under
 * {@code bnserve.limits.max-import-bytes}) answering with identical bits. Both bodies stream through files on the
 * client side, so the test holds the model a few times, never the document.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
@DirtiesContext
class LargeModelRoundTripTest {
    static final int INPUTS = 64;
    static final long MAX_REQUEST_BYTES = 64L * 1024 * 1024;

    @TempDir
    static Path dataDir;

    @TempDir
    Path client;

    @DynamicPropertySource
    static void properties(DynamicPropertyRegistry r) {
        r.add("bnserve.data-dir", () -> dataDir.toString());
        r.add("bnserve.training.warmup", () -> "false");
    }

    @LocalServerPort
    int port;

    @Autowired
    ModelStore store;

    final HttpClient http = HttpClient.newBuilder()
            .version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5))
            .build();

    @Test
    void a2048By2048ModelExportsOver64MbAndImportsBackBitForBit() throws Exception {
        NetworkSpec spec = NetworkSpec.mlp(
                INPUTS,
                List.of(2048, 2048),
                1,
                Activation.RELU,
                true,
                true,
                NetworkSpec.Placement.BEFORE_ACTIVATION,
                0.1,
                1e-5);
        List<String> inputs = new ArrayList<>();
        for (int i = 0; i < INPUTS; i++) inputs.add("x" + i);
        ModelRecord m = TestModels.ready(
                ModelIds.newId(),
                Task.REGRESSION,
                inputs,
                null,
                Instant.now(),
                Network.initialize(spec, 2048).state());
        store.update(m); // served from memory: no 90 MB write before the test even starts

        Path exported = client.resolve("export.json");
        long t0 = System.nanoTime();
        HttpResponse<Path> export = http.send(
                HttpRequest.newBuilder(uri("/models/" + m.id() + "/export"))
                        .timeout(Duration.ofMinutes(2))
                        .build(),
                HttpResponse.BodyHandlers.ofFile(exported));
        long exportNanos = System.nanoTime() - t0;
        assertThat(export.statusCode()).isEqualTo(200);
        assertThat(export.headers().firstValue("Content-Type").orElse("")).startsWith("application/json");
        assertThat(export.headers().firstValue("Content-Disposition").orElse(""))
                .isEqualTo("attachment; filename=\"" + m.id() + ".json\"");
        long size = Files.size(exported);
        assertThat(size).as("export bytes").isGreaterThan(MAX_REQUEST_BYTES);

        t0 = System.nanoTime();
        HttpResponse<String> imported = http.send(
                HttpRequest.newBuilder(uri("/models/import"))
                        .timeout(Duration.ofMinutes(2))
                        .header("Content-Type", "application/json")
                        .POST(HttpRequest.BodyPublishers.ofFile(exported))
                        .build(),
                HttpResponse.BodyHandlers.ofString());
        long importNanos = System.nanoTime() - t0;
        assertThat(imported.statusCode()).as(imported.body()).isEqualTo(201);
        JsonNode answer = TestHttp.JSON.readTree(imported.body());
        String copy = answer.get("id").asString();
        assertThat(copy).isNotEqualTo(m.id());
        assertThat(answer.get("source").asString()).isEqualTo(m.id());
        Runtime rt = Runtime.getRuntime();
        System.out.printf(
                "[2048x2048] %,d parameters; export %,d bytes in %d ms; import in %d ms; heap used %,d MB of %,d MB%n",
                m.layers().stream()
                        .filter(l -> l instanceof LayerState.Linear)
                        .mapToLong(l -> (long) l.inputs() * l.outputs() + l.outputs())
                        .sum(),
                size,
                exportNanos / 1_000_000,
                importNanos / 1_000_000,
                (rt.totalMemory() - rt.freeMemory()) >> 20,
                rt.maxMemory() >> 20);

        // the same rows through the import and through the original layers compiled here: the same bits
        SplittableRandom rng = new SplittableRandom(7);
        int rows = 8;
        double[][] x = new double[rows][INPUTS];
        StringBuilder body = new StringBuilder("{\"instances\": [");
        for (int r = 0; r < rows; r++) {
            body.append(r == 0 ? "[" : ", [");
            for (int c = 0; c < INPUTS; c++) {
                x[r][c] = rng.nextDouble(-3, 3);
                body.append(c == 0 ? "" : ", ").append(x[r][c]);
            }
            body.append(']');
        }
        body.append("]}");
        JsonNode back = predict(copy, body.toString());
        InferencePlan plan = InferencePlan.compile(INPUTS, m.layers());
        for (int r = 0; r < rows; r++) {
            double expected = plan.predict(x[r])[0];
            double b = back.get("predictions").get(r).get("prediction").doubleValue();
            assertThat(Double.doubleToRawLongBits(b))
                    .as("row %d imported", r)
                    .isEqualTo(Double.doubleToRawLongBits(expected));
        }
        assertThat(store.get(copy).orElseThrow().layers()).isEqualTo(m.layers());
    }

    @Test
    void aSmallDocumentClaimingAHugeLayerIsA422NamingTheField() throws Exception {
        // ~545 KB: 46,341 inputs and one 46,341 × 46,341 layer (no weights): once a NegativeArraySizeException
        for (int[] claim : new int[][] {{46_341, 46_341}, {4, 46_341}}) {
            ObjectNode doc = TestHttp.JSON.createObjectNode();
            doc.put("format", "bnserve-model").put("version", 1).put("task", "regression");
            var names = doc.putArray("inputs");
            for (int i = 0; i < claim[0]; i++) names.add("f" + i);
            ObjectNode lin = doc.putArray("layers").addObject();
            lin.put("type", "linear").put("in", claim[0]).put("out", claim[1]);
            lin.putArray("weight").addArray().add(1.0);
            lin.putArray("bias").add(0.0);
            HttpResponse<String> r = http.send(
                    HttpRequest.newBuilder(uri("/models/import"))
                            .header("Content-Type", "application/json")
                            .POST(HttpRequest.BodyPublishers.ofString(doc.toString()))
                            .build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(r.statusCode()).as(r.body()).isEqualTo(422);
            assertThat(r.headers().firstValue("Content-Type").orElse("")).startsWith(TestHttp.PROBLEM);
            String field = TestHttp.JSON
                    .readTree(r.body())
                    .get("errors")
                    .get(0)
                    .get("field")
                    .asString();
            assertThat(field).isEqualTo(claim[0] > 10_000 ? "inputs" : "layers[0].out");
        }
    }

    private JsonNode predict(String id, String body) throws Exception {
        HttpResponse<String> r = http.send(
                HttpRequest.newBuilder(uri("/models/" + id + "/predict"))
                        .header("Content-Type", "application/json")
                        .POST(HttpRequest.BodyPublishers.ofString(body))
                        .build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        return TestHttp.JSON.readTree(r.body());
    }

    private URI uri(String path) {
        return URI.create("http://localhost:" + port + path);
    }
}
