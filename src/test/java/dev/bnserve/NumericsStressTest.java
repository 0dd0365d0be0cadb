package dev.bnserve;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Random;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.annotation.DirtiesContext;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import tools.jackson.databind.JsonNode;

/** Numerically hostile inputs over real HTTP: each ends in a defined state, never a 5xx and never a ready model answering NaN. */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
@DirtiesContext
class NumericsStressTest {

    @TempDir
    static Path dataDir;

    @DynamicPropertySource
    static void properties(DynamicPropertyRegistry registry) {
        registry.add("bnserve.data-dir", () -> dataDir.toString());
    }

    @LocalServerPort
    int port;

    TestHttp http;

    @BeforeEach
    void client() {
        http = new TestHttp(port);
    }

    static byte[] csv(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }

    /** y = 3·x1 − 2·x2 + noise, 200 rows, seeded. */
    static byte[] regression(double scale) {
        Random r = new Random(7);
        StringBuilder sb = new StringBuilder("x1,x2,y\n");
        for (int i = 0; i < 200; i++) {
            double x1 = r.nextGaussian() * scale, x2 = r.nextGaussian() * scale;
            sb.append(
                    String.format(Locale.ROOT, "%s,%s,%s%n", x1, x2, 3 * x1 - 2 * x2 + r.nextGaussian() * 0.1 * scale));
        }
        return csv(sb.toString());
    }

    JsonNode train(String dataset, String extra) throws Exception {
        String id = http.train("{\"dataset\": \"" + dataset + "\"" + extra + "}");
        return http.awaitTerminal(id, null);
    }

    JsonNode predict(String model, String body) throws Exception {
        HttpResponse<String> r = http.postJson("/models/" + model + "/predict", body);
        System.out.println("predict " + body + " -> " + r.statusCode() + " " + r.body());
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        return TestHttp.json(r);
    }

    @Test
    void divergingRunFailsWithTheStepItDivergedAt() throws Exception {
        String ds = http.upload("diverge", regression(1));
        JsonNode m = train(
                ds, ", \"label\": \"y\", \"epochs\": 20, \"optimizer\": {\"type\": \"sgd\", \"learningRate\": 1e6}");
        System.out.println("diverging: " + m.get("status") + " " + m.get("error"));
        assertThat(m.get("status").asString()).isEqualTo("failed");
        assertThat(m.get("error").asString()).containsPattern("loss became (NaN|Inf) at epoch \\d+, step \\d+");
        HttpResponse<String> p =
                http.postJson("/models/" + m.get("id").asString() + "/predict", "{\"features\": [1, 2]}");
        assertThat(p.statusCode()).isEqualTo(409);
    }

    @Test
    void constantFeatureColumnTrainsAndPredictsFiniteValues() throws Exception {
        Random r = new Random(3);
        StringBuilder sb = new StringBuilder("x,c,y\n");
        for (int i = 0; i < 100; i++) {
            double x = r.nextGaussian();
            sb.append(String.format(Locale.ROOT, "%s,5.0,%s%n", x, 2 * x + 1));
        }
        String ds = http.upload("constant", csv(sb.toString()));
        JsonNode m = train(ds, ", \"label\": \"y\", \"epochs\": 5");
        System.out.println("constant column: " + m.get("status") + " " + m.get("error"));
        assertThat(m.get("status").asString()).as(m.toString()).isEqualTo("ready");
        JsonNode p =
                predict(m.get("id").asString(), "{\"instances\": [[0.5, 5.0], [-1, 5.0], [0.5, 7.0], [0.5, -1e6]]}");
        for (JsonNode row : p.get("predictions"))
            assertThat(Double.isFinite(row.get("prediction").asDouble()))
                    .as(p.toString())
                    .isTrue();
    }

    @Test
    void singleClassLabelPredictsThatClassWithCertainty() throws Exception {
        StringBuilder sb = new StringBuilder("a,b,label\n");
        for (int i = 0; i < 40; i++) sb.append(i).append(',').append(i % 7).append(",only\n");
        String ds = http.upload("oneclass", csv(sb.toString()));
        JsonNode m = train(ds, ", \"label\": \"label\", \"epochs\": 3");
        System.out.println("single class: " + m.get("status") + " " + m.get("error") + " classes=" + m.get("classes"));
        assertThat(m.get("status").asString()).as(m.toString()).isEqualTo("ready");
        JsonNode p = predict(m.get("id").asString(), "{\"features\": [3, 100]}");
        assertThat(p.get("prediction").asString()).isEqualTo("only");
        assertThat(p.at("/probabilities/only").asDouble()).isEqualTo(1.0);
    }

    @Test
    void twoRowDatasets() throws Exception {
        String ds = http.upload("tworows", csv("x,y\n1.0,a\n2.0,b\n"));
        JsonNode noSplit = train(ds, ", \"label\": \"y\", \"epochs\": 3, \"validationSplit\": 0");
        assertThat(noSplit.get("status").asString()).as(noSplit.toString()).isEqualTo("ready");
        JsonNode defaultSplit = train(ds, ", \"label\": \"y\", \"epochs\": 3");
        assertThat(defaultSplit.get("status").asString())
                .as(defaultSplit.toString())
                .isEqualTo("ready");
        assertThat(defaultSplit.at("/metrics/trainRows").asInt())
                .as(defaultSplit.toString())
                .isEqualTo(2);
        for (JsonNode m : new JsonNode[] {noSplit, defaultSplit}) {
            JsonNode p = predict(m.get("id").asString(), "{\"instances\": [[1.0], [2.0], [1.5]]}");
            for (JsonNode row : p.get("predictions")) {
                assertThat(row.get("prediction").asString()).isIn("a", "b");
                row.get("probabilities")
                        .forEach(v -> assertThat(Double.isFinite(v.asDouble())).isTrue());
            }
        }
        HttpResponse<String> half =
                http.postJson("/models", "{\"dataset\": \"" + ds + "\", \"label\": \"y\", \"validationSplit\": 0.5}");
        System.out.println("two rows, split 0.5: " + half.statusCode() + " " + half.body());
        assertThat(half.statusCode()).isEqualTo(422);
        assertThat(half.headers().firstValue("Content-Type").orElse("")).startsWith(TestHttp.PROBLEM);
        assertThat(TestHttp.json(half).get("errors").findValuesAsString("field"))
                .contains("dataset");
    }

    @Test
    void extremeMagnitudesTrainFiniteOrFailClearly() throws Exception {
        // regression with features and targets ~1e300: the standardized loss overflows on the first step
        String ds = http.upload("huge", regression(1e300));
        JsonNode m = train(ds, ", \"label\": \"y\", \"epochs\": 5");
        System.out.println("1e300 regression: " + m.get("status") + " " + m.get("error"));
        assertFiniteOrClearFailure(m, "{\"instances\": [[1e300, -1e300], [0, 0], [1, 1]]}");

        assertThat(m.get("status").asString()).isEqualTo("failed");
        assertThat(m.get("error").asString()).containsPattern("became (NaN/)?Inf at epoch 1, step 1");
    }

    @Test
    void hugeFeaturesInClassificationNeverGiveAReadyModelWithInfiniteStatistics() throws Exception {
        Random r = new Random(11);
        StringBuilder sb = new StringBuilder("x1,x2,label\n");
        for (int i = 0; i < 100; i++) {
            double x1 = r.nextGaussian() * 1e300, x2 = r.nextGaussian() * 1e300;
            sb.append(String.format(Locale.ROOT, "%s,%s,%s%n", x1, x2, x1 > x2 ? "hi" : "lo"));
        }
        String cds = http.upload("hugecls", csv(sb.toString()));
        JsonNode c = train(cds, ", \"label\": \"label\", \"epochs\": 5");
        System.out.println(
                "1e300 classification: " + c.get("status") + " " + c.get("error") + " inputBN=" + c.at("/layers/0"));
        assertThat(c.get("status").asString()).as(c.toString()).isEqualTo("failed");
        assertThat(c.get("error").asString()).contains("batch statistics became NaN/Inf at epoch 1, step 1");
        HttpResponse<String> p =
                http.postJson("/models/" + c.get("id").asString() + "/predict", "{\"features\": [1, 2]}");
        assertThat(p.statusCode()).as("a failed model never answers").isEqualTo(409);
    }

    private static java.util.List<JsonNode> flatten(JsonNode matrix) {
        java.util.List<JsonNode> out = new java.util.ArrayList<>();
        matrix.forEach(row -> row.forEach(out::add));
        return out;
    }

    private void assertFiniteOrClearFailure(JsonNode m, String rows) throws Exception {
        String status = m.get("status").asString();
        assertThat(status).as(m.toString()).isIn("ready", "failed");
        if (status.equals("failed")) {
            assertThat(m.get("error").asString())
                    .containsPattern("became (NaN|Inf)|NaN/Inf")
                    .doesNotContain("internal error");
            return;
        }
        String id = m.get("id").asString();
        for (JsonNode layer : m.get("layers")) {
            for (String field : new String[] {"gamma", "beta", "runningMean", "runningVar", "bias", "weight"}) {
                if (!layer.has(field)) continue;
                for (JsonNode v : layer.get(field).isArray()
                                && layer.get(field).size() > 0
                                && layer.get(field).get(0).isArray()
                        ? flatten(layer.get(field))
                        : layer.get(field)) {
                    assertThat(v.isNumber() && Double.isFinite(v.asDouble()))
                            .as(field + " of " + layer.get("type") + ": " + v)
                            .isTrue();
                }
            }
        }
        JsonNode p = predict(id, rows);
        for (JsonNode row : p.get("predictions")) {
            if (row.get("prediction").isNumber())
                assertThat(Double.isFinite(row.get("prediction").asDouble()))
                        .as(p.toString())
                        .isTrue();
            if (row.has("probabilities"))
                row.get("probabilities")
                        .forEach(v -> assertThat(Double.isFinite(v.asDouble()))
                                .as(p.toString())
                                .isTrue());
        }
    }

    @Test
    void negativeZeroAnswersLikeZero() throws Exception {
        String ds = http.upload("iris", TestHttp.resource("iris"));
        String cls =
                train(ds, ", \"label\": \"species\", \"epochs\": 3").get("id").asString();
        assertThat(predict(cls, "{\"features\": [-0.0, -0.0, -0.0, -0.0]}").toString())
                .isEqualTo(predict(cls, "{\"features\": [0.0, 0.0, 0.0, 0.0]}").toString());
        assertThat(predict(
                                cls,
                                "{\"features\": {\"sepal_length\": -0.0, \"sepal_width\": 3.5, \"petal_length\": -0.0, \"petal_width\": 0.2}}")
                        .toString())
                .isEqualTo(predict(
                                cls,
                                "{\"features\": {\"sepal_length\": 0, \"sepal_width\": 3.5, \"petal_length\": 0.0, \"petal_width\": 0.2}}")
                        .toString());
        String reg = train(
                        ds,
                        ", \"label\": \"petal_width\", \"features\": [\"sepal_length\", \"sepal_width\", \"petal_length\"], \"epochs\": 3")
                .get("id")
                .asString();
        assertThat(predict(reg, "{\"instances\": [[-0.0, 3.0, -0.0], [5.1, -0.0, 1.4]]}")
                        .toString())
                .isEqualTo(predict(reg, "{\"instances\": [[0.0, 3.0, 0.0], [5.1, 0.0, 1.4]]}")
                        .toString());
    }
}
