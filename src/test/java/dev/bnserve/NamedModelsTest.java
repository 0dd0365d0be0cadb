package dev.bnserve;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.InputStream;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.annotation.DirtiesContext;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import tools.jackson.databind.JsonNode;

/**
 * Named models over HTTP, as a client uses them: versions in order of creation, references ({@code name},
 * {@code name@3}, {@code name@alias}) wherever ids are accepted, aliases that move atomically under load, and a
 * model file of format version 2 that still loads and answers as it did.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
@DirtiesContext
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class NamedModelsTest {
    /** A cars model saved by the service at format version 2 (before names), with its answer for {@link #TORINO}. */
    static final String V2_MODEL = "m-01a2381883a732boc1inge";

    static final String TORINO = "{\"features\":{\"Name\":\"ford torino\",\"Cylinders\":8,\"Displacement\":302,"
            + "\"Horsepower\":140,\"Weight_in_lbs\":3449,\"Acceleration\":10.5,\"Year\":\"1970-01-01\",\"Origin\":\"USA\"}}";
    static final double V2_ANSWER = 21.221946178748247;

    static final String ROW =
            "{\"features\":{\"sepal_length\":5.9,\"sepal_width\":3.0,\"petal_length\":4.2," + "\"petal_width\":1.5}}";

    @TempDir
    static Path dataDir;

    @DynamicPropertySource
    static void properties(DynamicPropertyRegistry registry) throws IOException {
        Path models = Files.createDirectories(dataDir.resolve("models"));
        try (InputStream in = NamedModelsTest.class.getResourceAsStream("/models/v2-cars-model.json")) {
            Files.copy(in, models.resolve(V2_MODEL + ".json"));
        }
        registry.add("bnserve.data-dir", () -> dataDir.toString());
    }

    @LocalServerPort
    int port;

    TestHttp http;
    static String v1;
    static String v2;

    @BeforeEach
    void trainTwoVersionsOnce() throws Exception {
        http = new TestHttp(port);
        if (v1 != null) return;
        http.upload("iris", TestHttp.resource("iris"));
        v1 = trainFlowers(1);
        v2 = trainFlowers(2);
        http.awaitReady(v1);
        http.awaitReady(v2);
    }

    private String trainFlowers(int seed) throws Exception {
        HttpResponse<String> r = http.postJson(
                "/models",
                "{\"name\":\"flowers\",\"dataset\":\"iris\",\"label\":\"species\",\"hidden\":[8],\"epochs\":5,"
                        + "\"seed\":" + seed + "}");
        assertThat(r.statusCode()).as(r.body()).isEqualTo(202);
        JsonNode m = TestHttp.json(r);
        assertThat(m.get("name").asString()).isEqualTo("flowers");
        assertThat(m.get("request").get("name").asString()).isEqualTo("flowers");
        return m.get("id").asString();
    }

    private JsonNode ok(HttpResponse<String> r) {
        assertThat(r.statusCode()).as(r.body()).isBetween(200, 299);
        return TestHttp.json(r);
    }

    private JsonNode problem(HttpResponse<String> r, int status) {
        assertThat(r.statusCode()).as(r.body()).isEqualTo(status);
        assertThat(r.headers().firstValue("Content-Type"))
                .hasValueSatisfying(t -> assertThat(t).startsWith("application/problem+json"));
        return TestHttp.json(r);
    }

    private HttpResponse<String> put(String path, String body) throws Exception {
        return http.send("PUT", path, "application/json", body.getBytes(StandardCharsets.UTF_8), Map.of());
    }

    @Test
    @Order(1)
    void versionsAreNumberedInOrderOfCreationAndReferencesWorkEverywhere() throws Exception {
        assertThat(ok(http.get("/models/" + v1)).get("version").asInt()).isEqualTo(1);
        assertThat(ok(http.get("/models/" + v2)).get("version").asInt()).isEqualTo(2);
        List<String> listed = new ArrayList<>();
        ok(http.get("/models?name=flowers")).forEach(m -> listed.add(m.get("id").asString()));
        assertThat(listed).containsExactly(v2, v1);

        // the name is its newest ready version; name@N is a version; both answer naming id and version
        assertThat(ok(http.get("/models/flowers")).get("id").asString()).isEqualTo(v2);
        JsonNode newest = ok(http.postJson("/models/flowers/predict", ROW));
        assertThat(newest.get("model").asString()).isEqualTo(v2);
        assertThat(newest.get("version").asInt()).isEqualTo(2);
        JsonNode first = ok(http.postJson("/models/flowers@1/predict", ROW));
        assertThat(first.get("model").asString()).isEqualTo(v1);
        assertThat(first.get("version").asInt()).isEqualTo(1);
        // the same row by id gives the same bits
        assertThat(ok(http.postJson("/models/" + v1 + "/predict", ROW)).get("probabilities"))
                .isEqualTo(first.get("probabilities"));
        // "model" in a body, the trace, the encoding, the export, the statistics and the protocol paths
        JsonNode body =
                ok(http.postJson("/predict", ROW.replace("{\"features\"", "{\"model\":\"flowers@1\",\"features\"")));
        assertThat(body.get("model").asString()).isEqualTo(v1);
        assertThat(body.has("warnings"))
                .as("an explicit model has no implicit-model warning")
                .isFalse();
        assertThat(ok(http.postJson("/models/flowers@1/trace", ROW))
                        .get("model")
                        .asString())
                .isEqualTo(v1);
        assertThat(ok(http.postJson("/models/flowers/encode", ROW)).get("model").asString())
                .isEqualTo(v2);
        assertThat(ok(http.get("/models/flowers@1/export")).get("id").asString())
                .isEqualTo(v1);
        assertThat(ok(http.get("/models/flowers@1/statistics")).get("model").asString())
                .isEqualTo(v1);
        assertThat(ok(http.get("/v2/models/flowers/versions/1")).get("name").asString())
                .isNotBlank();
        assertThat(http.get("/v2/models/flowers/ready").statusCode()).isEqualTo(200);

        JsonNode missing = problem(http.postJson("/models/flowers@9/predict", ROW), 404);
        assertThat(missing.get("detail").asString()).contains("@1", "@2");
        problem(http.get("/models/nobody"), 404);
        problem(http.get("/models?name=Not%20A%20Name"), 422);
    }

    @Test
    @Order(2)
    void aliasesPointAtVersionsAndProtectThemFromDeletion() throws Exception {
        JsonNode set = ok(put("/aliases/flowers/production", "{\"version\": 1}"));
        assertThat(set.get("model").asString()).isEqualTo(v1);
        assertThat(set.get("version").asInt()).isEqualTo(1);
        assertThat(ok(http.postJson("/models/flowers@production/predict", ROW))
                        .get("model")
                        .asString())
                .isEqualTo(v1);
        assertThat(ok(http.get("/aliases/flowers"))
                        .at("/aliases/production/model")
                        .asString())
                .isEqualTo(v1);
        assertThat(ok(http.get("/aliases/flowers/production")).get("version").asInt())
                .isEqualTo(1);

        JsonNode refused = problem(http.delete("/models/" + v1), 409);
        assertThat(refused.get("type").asString()).endsWith("model-aliased");
        assertThat(refused.get("detail").asString()).contains("flowers@production");
        assertThat(http.postJson("/models/" + v1 + "/predict", ROW).statusCode())
                .isEqualTo(200);

        // malformed and invalid targets change nothing
        problem(put("/aliases/flowers/production", "{\"version\": 1, \"model\": \"" + v2 + "\"}"), 400);
        problem(put("/aliases/flowers/production", "{}"), 400);
        problem(put("/aliases/flowers/production", "{\"version\": \"2\"}"), 400);
        problem(put("/aliases/flowers/production", "{\"version\": 7}"), 422);
        problem(put("/aliases/flowers/production", "{\"model\": \"" + V2_MODEL + "\"}"), 422); // not a flowers
        problem(put("/aliases/flowers/3rd", "{\"version\": 1}"), 422); // @3rd could read as a version
        problem(put("/aliases/Flowers/production", "{\"version\": 1}"), 422);
        problem(put("/aliases/flowers/production", "{\"version\": 1, \"extra\": true}"), 422);
        assertThat(ok(http.get("/aliases/flowers/production")).get("model").asString())
                .isEqualTo(v1);

        ok(put("/aliases/flowers/production", "{\"model\": \"flowers@2\"}"));
        assertThat(ok(http.postJson("/models/flowers@production/predict", ROW))
                        .get("version")
                        .asInt())
                .isEqualTo(2);
        ok(put("/aliases/flowers/staging", "{\"model\": \"" + v1 + "\"}"));
        assertThat(http.delete("/aliases/flowers/staging").statusCode()).isEqualTo(204);
        problem(http.delete("/aliases/flowers/staging"), 404);
        problem(http.postJson("/models/flowers@staging/predict", ROW), 404);
    }

    /** The contract's test: 1,000 alias moves while 8 threads predict; every answer is the old or the new model's. */
    @Test
    @Order(3)
    void anAliasMovesAtomicallyUnderConcurrentPrediction() throws Exception {
        JsonNode a1 = ok(http.postJson("/models/" + v1 + "/predict", ROW));
        JsonNode a2 = ok(http.postJson("/models/" + v2 + "/predict", ROW));
        assertThat(a1.get("probabilities")).isNotEqualTo(a2.get("probabilities"));
        Map<String, JsonNode> expected = Map.of(v1, a1.get("probabilities"), v2, a2.get("probabilities"));
        ok(put("/aliases/flowers/live", "{\"version\": 1}"));

        AtomicBoolean flipping = new AtomicBoolean(true);
        Map<String, AtomicInteger> answeredBy = new ConcurrentHashMap<>();
        List<String> wrong = java.util.Collections.synchronizedList(new ArrayList<>());
        ExecutorService pool = Executors.newFixedThreadPool(8);
        CountDownLatch started = new CountDownLatch(8);
        List<Future<?>> predictors = new ArrayList<>();
        for (int t = 0; t < 8; t++) {
            predictors.add(pool.submit(() -> {
                TestHttp client = new TestHttp(port);
                started.countDown();
                while (flipping.get()) {
                    HttpResponse<String> r = client.postJson("/models/flowers@live/predict", ROW);
                    if (r.statusCode() != 200) {
                        wrong.add(r.statusCode() + " " + r.body());
                        continue;
                    }
                    JsonNode a = TestHttp.json(r);
                    String model = a.get("model").asString();
                    if (!expected.containsKey(model) || !expected.get(model).equals(a.get("probabilities")))
                        wrong.add(r.body());
                    answeredBy.computeIfAbsent(model, k -> new AtomicInteger()).incrementAndGet();
                }
                return null;
            }));
        }
        started.await();
        for (int i = 0; i < 1000; i++) {
            HttpResponse<String> r = put("/aliases/flowers/live", "{\"version\": " + (i % 2 == 0 ? 2 : 1) + "}");
            assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        }
        flipping.set(false);
        for (Future<?> f : predictors) f.get(60, TimeUnit.SECONDS);
        pool.shutdown();
        assertThat(wrong).as("answers that were neither model's").isEmpty();
        assertThat(answeredBy.keySet()).containsExactlyInAnyOrder(v1, v2);
        // the last move (i = 999, odd) pointed it back at version 1
        assertThat(ok(http.postJson("/models/flowers@live/predict", ROW))
                        .get("model")
                        .asString())
                .isEqualTo(v1);
        assertThat(http.delete("/aliases/flowers/live").statusCode()).isEqualTo(204);
    }

    @Test
    @Order(4)
    void aDeletedVersionsNumberIsNeverReused() throws Exception {
        String v3 = trainFlowers(3);
        assertThat(http.awaitReady(v3).get("version").asInt()).isEqualTo(3);
        assertThat(http.delete("/models/flowers@3").statusCode()).isEqualTo(204);
        problem(http.get("/models/" + v3), 404);
        String v4 = trainFlowers(4);
        assertThat(http.awaitReady(v4).get("version").asInt()).isEqualTo(4);
        problem(http.get("/models/flowers@3"), 404);
        assertThat(ok(http.get("/models/flowers")).get("id").asString()).isEqualTo(v4);
    }

    @Test
    @Order(5)
    void aBadNameIsRefusedAndNothingIsQueued() throws Exception {
        int before = ok(http.get("/models")).size();
        JsonNode p = problem(
                http.postJson(
                        "/models", "{\"name\":\"Bad Name\",\"dataset\":\"iris\",\"label\":\"species\",\"epochs\":1}"),
                422);
        assertThat(p.at("/errors/0/field").asString()).isEqualTo("name");
        problem(http.postJson("/models", "{\"name\":7,\"dataset\":\"iris\",\"label\":\"species\"}"), 400);
        assertThat(ok(http.get("/models")).size()).isEqualTo(before);
    }

    @Test
    @Order(6)
    void aModelSavedAtFormatVersion2StillLoadsAndAnswersAsItDid() throws Exception {
        JsonNode doc = ok(http.get("/models/" + V2_MODEL));
        assertThat(doc.get("formatVersion").asInt()).isEqualTo(3);
        assertThat(doc.has("name")).isFalse();
        assertThat(doc.get("ignored").get(0).get("name").asString()).isEqualTo("Name");
        JsonNode answer = ok(http.postJson("/models/" + V2_MODEL + "/predict", TORINO));
        assertThat(answer.get("prediction").doubleValue()).isEqualTo(V2_ANSWER);
        assertThat(answer.has("version")).isFalse();
    }

    @Test
    @Order(7)
    void prometheusTagsAnswersWithTheModelName() throws Exception {
        ok(http.postJson("/models/flowers/predict", ROW));
        HttpResponse<String> metrics = http.get("/actuator/prometheus");
        assertThat(metrics.statusCode()).isEqualTo(200);
        assertThat(metrics.body())
                .containsPattern(
                        "bnserve_predict_seconds_count\\{[^}]*model=\"flowers\"[^}]*outcome=\"success\"[^}]*} [1-9]")
                .containsPattern("bnserve_predict_seconds_count\\{[^}]*model=\"_unnamed\"[^}]*} [1-9]");
    }
}
