package dev.bnserve;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import dev.bnserve.predict.PredictionService;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.annotation.DirtiesContext;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

/**
 * The whole service over real HTTP: upload, train, poll, predict in every shape, export/import, cancel,
 * server-sent events, operations endpoints, and a problem+json for every bad input.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
@DirtiesContext
class ServiceEndToEndTest {

    static final String PROBLEM = "application/problem+json";
    static final JsonMapper JSON = JsonMapper.builder().build();
    static final HttpClient HTTP =
            HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    @TempDir
    static Path dataDir;

    @DynamicPropertySource
    static void properties(DynamicPropertyRegistry registry) {
        registry.add("bnserve.data-dir", () -> dataDir.toString());
    }

    @LocalServerPort
    int port;

    static String irisId;
    static String cancerId;
    /** A ready iris classifier and its model document, shared by the tests (set up once). */
    static String irisModel;

    static JsonNode irisDoc;

    @BeforeEach
    void uploadAndTrainIrisOnce() throws Exception {
        if (irisModel != null) return;
        HttpResponse<String> iris = send("POST", "/datasets?name=iris", "text/csv", resource("iris"));
        assertThat(iris.statusCode()).as(iris.body()).isEqualTo(201);
        irisId = json(iris).get("id").asString();
        assertThat(iris.headers().firstValue("Location")).hasValue("/datasets/" + irisId);
        assertThat(json(iris).get("rows").asInt()).isEqualTo(150);

        HttpResponse<String> cancer = multipart("/datasets", "breast_cancer.csv", resource("breast_cancer"));
        assertThat(cancer.statusCode()).as(cancer.body()).isEqualTo(201);
        cancerId = json(cancer).get("id").asString();
        assertThat(json(cancer).get("name").asString()).isEqualTo("breast_cancer");
        assertThat(json(cancer).get("rows").asInt()).isEqualTo(569);

        String id = train("{\"dataset\": \"" + irisId
                + "\", \"label\": \"species\", \"epochs\": 60, \"optimizer\": {\"learningRate\": 0.01}}");
        irisDoc = awaitReady(id);
        irisModel = id;
    }

    // ------------------------------------------------------------------ training

    @Test
    void irisTrainsToAReadyModelWithHistoryMetricsAndLayers() throws Exception {
        JsonNode m = irisDoc;
        assertThat(m.get("status").asString()).isEqualTo("ready");
        assertThat(m.get("error").isNull()).isTrue();
        assertThat(m.get("dataset").asString()).isEqualTo(irisId);
        assertThat(m.get("task").asString()).isEqualTo("classification");
        assertThat(strings(m.get("inputs")))
                .containsExactly("sepal_length", "sepal_width", "petal_length", "petal_width");
        assertThat(strings(m.get("classes"))).containsExactly("setosa", "versicolor", "virginica");
        assertThat(m.at("/progress/epoch").asInt()).isEqualTo(60);
        assertThat(m.at("/progress/epochs").asInt()).isEqualTo(60);
        assertThat(m.get("history").size()).isEqualTo(60);
        assertThat(m.at("/history/0/epoch").asInt()).isEqualTo(1);
        assertThat(m.at("/history/59/epoch").asInt()).isEqualTo(60);
        assertThat(m.at("/history/0/loss").isNumber()).isTrue();
        assertThat(m.at("/metrics/samplesPerSecond").asDouble()).isPositive();
        assertThat(m.at("/metrics/trainingSeconds").asDouble()).isPositive();
        assertThat(m.at("/metrics/validationAccuracy").asDouble()).isGreaterThanOrEqualTo(0.9);

        // the effective request: every default filled in
        JsonNode req = m.get("request");
        assertThat(req.get("hidden").toString()).isEqualTo("[64,64]");
        assertThat(req.get("activation").asString()).isEqualTo("relu");
        assertThat(req.at("/batchNorm/placement").asString()).isEqualTo("before-activation");
        assertThat(req.at("/batchNorm/momentum").asDouble()).isEqualTo(0.1);
        assertThat(req.at("/batchNorm/statistics").asString()).isEqualTo("ema");
        assertThat(req.at("/optimizer/type").asString()).isEqualTo("adam");
        assertThat(req.get("batchSize").asInt()).isEqualTo(32);
        assertThat(req.get("validationSplit").asDouble()).isEqualTo(0.2);
        assertThat(strings(req.get("features")))
                .containsExactly("sepal_length", "sepal_width", "petal_length", "petal_width");

        checkLayers(m.get("layers"), 4, List.of(64, 64), 3);
    }

    @Test
    void breastCancerWithDefaultsReachesNinetyFivePercent() throws Exception {
        String id = train("{\"dataset\": \"" + cancerId + "\", \"label\": \"diagnosis\"}");
        JsonNode m = awaitReady(id);
        assertThat(m.get("history").size()).isEqualTo(30);
        assertThat(m.at("/metrics/samplesPerSecond").asDouble()).isPositive();
        assertThat(m.at("/metrics/trainingSeconds").asDouble()).isPositive();
        assertThat(m.at("/metrics/validationAccuracy").asDouble()).isGreaterThanOrEqualTo(0.95);
        assertThat(strings(m.get("classes"))).containsExactlyInAnyOrder("benign", "malignant");
        checkLayers(m.get("layers"), 30, List.of(64, 64), 2);
    }

    /** input BN, then (linear, BN, relu) per hidden layer, then the output linear. */
    private static void checkLayers(JsonNode layers, int inputs, List<Integer> hidden, int outputs) {
        List<String> types = new ArrayList<>();
        layers.forEach(l -> types.add(l.get("type").asString()));
        List<String> expected = new ArrayList<>(List.of("batchnorm"));
        for (int i = 0; i < hidden.size(); i++) expected.addAll(List.of("linear", "batchnorm", "relu"));
        expected.add("linear");
        assertThat(types).isEqualTo(expected);

        int width = inputs;
        int linearIndex = 0;
        for (JsonNode l : layers) {
            switch (l.get("type").asString()) {
                case "batchnorm" -> {
                    assertThat(l.get("features").asInt()).isEqualTo(width);
                    assertThat(l.get("momentum").asDouble()).isEqualTo(0.1);
                    assertThat(l.get("eps").asDouble()).isEqualTo(1e-5);
                    for (String f : List.of("gamma", "beta", "runningMean", "runningVar")) {
                        assertThat(l.get(f).isArray()).as(f).isTrue();
                        assertThat(l.get(f).size()).as(f).isEqualTo(width);
                        l.get(f).forEach(v -> assertThat(v.isNumber()).isTrue());
                    }
                    l.get("runningVar").forEach(v -> assertThat(v.asDouble()).isGreaterThanOrEqualTo(0));
                    assertThat(l.get("batchesTracked").asLong()).isPositive();
                }
                case "linear" -> {
                    int out = linearIndex < hidden.size() ? hidden.get(linearIndex) : outputs;
                    linearIndex++;
                    assertThat(l.get("in").asInt()).isEqualTo(width);
                    assertThat(l.get("out").asInt()).isEqualTo(out);
                    assertThat(l.get("weight").size()).as("weight rows = out").isEqualTo(out);
                    for (JsonNode row : l.get("weight"))
                        assertThat(row.size()).as("weight columns = in").isEqualTo(width);
                    assertThat(l.get("bias").size()).isEqualTo(out);
                    width = out;
                }
                case "relu" -> {}
                default -> fail("unexpected layer " + l);
            }
        }
    }

    @Test
    void submitAnswers202WithLocationAndAQueuedModel() throws Exception {
        HttpResponse<String> r =
                postJson("/models", "{\"dataset\": \"" + irisId + "\", \"label\": \"species\", \"epochs\": 5}");
        assertThat(r.statusCode()).as(r.body()).isEqualTo(202);
        String id = json(r).get("id").asString();
        assertThat(id).matches("m-[0-9a-f]{12}[0-9a-v]{10}");
        assertThat(r.headers().firstValue("Location")).hasValue("/models/" + id);
        assertThat(json(r).get("status").asString()).isIn("queued", "training");
        assertThat(json(r).get("request").get("epochs").asInt()).isEqualTo(5);
        awaitReady(id);
        HttpResponse<String> list = get("/models");
        assertThat(list.statusCode()).isEqualTo(200);
        assertThat(json(list).findValuesAsString("id")).contains(id, irisModel);
        for (JsonNode summary : json(list)) assertThat(summary.has("layers")).isFalse();
    }

    @Test
    void regressionOnANumericLabel() throws Exception {
        String id = train(
                "{\"dataset\": \"" + irisId
                        + "\", \"label\": \"petal_width\", \"features\": [\"sepal_length\", \"sepal_width\", \"petal_length\"], \"epochs\": 20}");
        JsonNode m = awaitReady(id);
        assertThat(m.get("task").asString()).isEqualTo("regression");
        assertThat(strings(m.get("inputs"))).containsExactly("sepal_length", "sepal_width", "petal_length");
        assertThat(m.get("classes").isNull()).isTrue();
        assertThat(m.at("/metrics/validationRmse").isNumber()).isTrue();
        assertThat(m.at("/metrics/validationRmse").asDouble()).isPositive().isLessThan(1.0);
        assertThat(m.at("/metrics/validationAccuracy").isMissingNode()
                        || m.at("/metrics/validationAccuracy").isNull())
                .isTrue();
        assertThat(m.at("/history/0/validationRmse").isNumber()).isTrue();

        JsonNode one = predictOk("/models/" + id + "/predict", "{\"features\": [5.1, 3.5, 1.4]}");
        assertThat(one.get("prediction").isNumber()).isTrue();
        assertThat(one.has("probabilities")).isFalse();
        JsonNode named = predictOk(
                "/models/" + id + "/predict",
                "{\"features\": {\"petal_length\": 1.4, \"sepal_width\": 3.5, \"sepal_length\": 5.1}}");
        assertThat(named.get("prediction")).isEqualTo(one.get("prediction"));
        JsonNode many = predictOk("/models/" + id + "/predict", "{\"instances\": [[6.7, 3.0, 5.2], [5.1, 3.5, 1.4]]}");
        assertThat(many.at("/predictions/1/prediction")).isEqualTo(one.get("prediction"));
        assertThat(many.at("/predictions/0/prediction").asDouble())
                .isGreaterThan(one.get("prediction").asDouble());
        assertThat(many.at("/predictions/0").has("probabilities")).isFalse();
    }

    // ------------------------------------------------------------------ prediction

    static final double[][] IRIS_ROWS = {
        {5.1, 3.5, 1.4, 0.2},
        {7.0, 3.2, 4.7, 1.4},
        {6.3, 3.3, 6.0, 2.5},
        {5.9, 3.0, 5.1, 1.8},
        {4.9, 3.0, 1.4, 0.2},
        {6.0, 2.2, 5.0, 1.5},
        {0.0, -1e-300, 100.0, 4.9e-324}
    };
    static final String[] IRIS_FEATURES = {"sepal_length", "sepal_width", "petal_length", "petal_width"};

    @Test
    void aRowGetsBitIdenticalAnswersByNameByArrayAndInAnyBatch() throws Exception {
        String path = "/models/" + irisModel + "/predict";
        List<JsonNode> alone = new ArrayList<>();
        StringBuilder instances = new StringBuilder("[");
        StringBuilder reversed = new StringBuilder("[");
        for (int r = 0; r < IRIS_ROWS.length; r++) {
            JsonNode byArray = predictOk(path, "{\"features\": " + array(IRIS_ROWS[r]) + "}");
            JsonNode byName = predictOk(path, "{\"features\": " + object(IRIS_ROWS[r], r % 2 == 1) + "}");
            JsonNode viaDefaultEndpoint = predictOk(
                    "/predict", "{\"model\": \"" + irisModel + "\", \"features\": " + array(IRIS_ROWS[r]) + "}");
            assertThat(byArray.get("model").asString()).isEqualTo(irisModel);
            assertThat(viaDefaultEndpoint.get("model").asString()).isEqualTo(irisModel);
            JsonNode answer = answer(byArray);
            assertThat(answer.get("prediction").isString()).isTrue();
            assertThat(answer.get("probabilities").propertyNames())
                    .containsExactly("setosa", "versicolor", "virginica");
            double sum = 0;
            for (JsonNode p : answer.get("probabilities")) sum += p.asDouble();
            assertThat(sum).isCloseTo(1.0, org.assertj.core.data.Offset.offset(1e-12));
            assertIdentical(answer(byName), answer, "row " + r + " by name");
            assertIdentical(answer(viaDefaultEndpoint), answer, "row " + r + " via /predict");
            alone.add(answer);
            instances.append(r == 0 ? "" : ",").append(r % 2 == 0 ? array(IRIS_ROWS[r]) : object(IRIS_ROWS[r], true));
            int back = IRIS_ROWS.length - 1 - r;
            reversed.append(r == 0 ? "" : ",")
                    .append(back % 2 == 0 ? object(IRIS_ROWS[back], false) : array(IRIS_ROWS[back]));
        }
        JsonNode batch = predictOk(path, "{\"instances\": " + instances + "]}");
        JsonNode batchBack =
                predictOk("/predict", "{\"instances\": " + reversed + "], \"model\": \"" + irisModel + "\"}");
        assertThat(batch.get("predictions").size()).isEqualTo(IRIS_ROWS.length);
        for (int r = 0; r < IRIS_ROWS.length; r++) {
            assertIdentical(batch.get("predictions").get(r), alone.get(r), "row " + r + " in a batch");
            assertIdentical(
                    batchBack.get("predictions").get(IRIS_ROWS.length - 1 - r),
                    alone.get(r),
                    "row " + r + " in a reversed batch");
        }
        // the training data's first row is a setosa
        assertThat(alone.get(0).get("prediction").asString()).isEqualTo("setosa");
        assertThat(alone.get(2).get("prediction").asString()).isEqualTo("virginica");
    }

    /**
     * Predictions without an {@code Accept} preference take the filter fast path ({@code PredictFastPath}); an
     * {@code Accept} list goes through Spring MVC's controller. Both must give the same status, type and body.
     */
    @Test
    void theFastPathAnswersExactlyLikeTheController() throws Exception {
        String path = "/models/" + irisModel + "/predict";
        String[][] cases = {
            {path, "{\"features\": [5.1, 3.5, 1.4, 0.2]}"},
            {
                path,
                "{\"instances\": [[5.1, 3.5, 1.4, 0.2], {\"sepal_length\": 6.3, \"sepal_width\": 3.3, \"petal_length\": 6.0, \"petal_width\": 2.5}]}"
            },
            {"/predict", "{\"model\": \"" + irisModel + "\", \"features\": [7.0, 3.2, 4.7, 1.4]}"},
            {path, "{\"features\": [5.1, 3.5]}"},
            {path, "{\"features\": {\"sepal_length\": 1}}"},
            {path, "{\"features\": [\"x\", 1, 2, 3]}"},
            {path, "{\"features\": [1e999, 1, 2, 3]}"},
            {path, "{\"features\": "},
            {path, ""},
            {"/models/m-000000000000aaaaaaaaaaaa/predict", "{\"features\": [1, 2, 3, 4]}"},
            {"/predict", "{\"model\": \"nope\", \"features\": [1, 2, 3, 4]}"},
        };
        for (String[] c : cases) {
            byte[] body = c[1].getBytes(StandardCharsets.UTF_8);
            HttpResponse<String> fast = HTTP.send(
                    HttpRequest.newBuilder(uri(c[0]))
                            .header("Content-Type", "application/json")
                            .POST(HttpRequest.BodyPublishers.ofByteArray(body))
                            .build(),
                    HttpResponse.BodyHandlers.ofString());
            HttpResponse<String> mvc = HTTP.send(
                    HttpRequest.newBuilder(uri(c[0]))
                            .header("Content-Type", "application/json")
                            .header("Accept", "application/json, */*")
                            .POST(HttpRequest.BodyPublishers.ofByteArray(body))
                            .build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(fast.statusCode()).as(c[1] + " -> " + fast.body()).isEqualTo(mvc.statusCode());
            assertThat(fast.headers().firstValue("Content-Type"))
                    .as(c[1])
                    .isEqualTo(mvc.headers().firstValue("Content-Type"));
            assertThat(json(fast)).as(c[1]).isEqualTo(json(mvc));
            for (String h : List.of(
                    "X-Content-Type-Options",
                    "X-Frame-Options",
                    "Cache-Control",
                    "Pragma",
                    "Expires",
                    "X-XSS-Protection")) {
                assertThat(fast.headers().firstValue(h)).as(h).isPresent();
            }
            assertThat(headersButDateAndLength(fast)).as(c[1]).isEqualTo(headersButDateAndLength(mvc));
        }
    }

    /** Every response header, names lower-cased, except those that differ between any two responses. */
    private static java.util.Map<String, List<String>> headersButDateAndLength(HttpResponse<?> response) {
        java.util.Map<String, List<String>> out = new java.util.TreeMap<>();
        response.headers().map().forEach((name, values) -> {
            String n = name.toLowerCase(java.util.Locale.ROOT);
            if (!n.equals("date") && !n.equals("content-length")) out.put(n, values);
        });
        return out;
    }

    @Test
    void answersAreIdenticalUnderConcurrentRequests() throws Exception {
        String path = "/models/" + irisModel + "/predict";
        List<String> alone = new ArrayList<>();
        for (double[] row : IRIS_ROWS)
            alone.add(answer(predictOk(path, "{\"features\": " + array(row) + "}"))
                    .toString());
        java.util.concurrent.ExecutorService pool = java.util.concurrent.Executors.newFixedThreadPool(6);
        try {
            List<java.util.concurrent.Future<?>> futures = new ArrayList<>();
            for (int t = 0; t < 60; t++) {
                final int seed = t;
                futures.add(pool.submit(() -> {
                    int n = 1 + seed % IRIS_ROWS.length;
                    StringBuilder rows = new StringBuilder("[");
                    int[] which = new int[n];
                    for (int i = 0; i < n; i++) {
                        which[i] = (seed * 7 + i * 3) % IRIS_ROWS.length;
                        rows.append(i == 0 ? "" : ",")
                                .append(
                                        (seed + i) % 2 == 0
                                                ? array(IRIS_ROWS[which[i]])
                                                : object(IRIS_ROWS[which[i]], seed % 3 == 0));
                    }
                    JsonNode batch = predictOk(
                            seed % 2 == 0 ? path : "/predict",
                            "{\"model\": \"" + irisModel + "\", \"instances\": " + rows + "]}");
                    for (int i = 0; i < n; i++) {
                        assertThat(batch.get("predictions").get(i).toString())
                                .as("row " + which[i])
                                .isEqualTo(alone.get(which[i]));
                    }
                    return null;
                }));
            }
            for (java.util.concurrent.Future<?> f : futures) f.get(60, java.util.concurrent.TimeUnit.SECONDS);
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void aTrainingRequestCanNameItsDatasetAndTheModelRecordsTheId() throws Exception {
        String name = "named-iris-" + System.nanoTime();
        HttpResponse<String> up = send("POST", "/datasets?name=" + name, "text/csv", resource("iris"));
        assertThat(up.statusCode()).isEqualTo(201);
        String datasetId = json(up).get("id").asString();
        String id = train("{\"dataset\": \"" + name + "\", \"label\": \"species\", \"epochs\": 2}");
        JsonNode model = awaitReady(id);
        assertThat(model.get("dataset").asString()).isEqualTo(datasetId);
        assertThat(model.get("request").get("dataset").asString()).isEqualTo(datasetId);
        // a second dataset with that name makes it ambiguous: the request is refused with 409, nothing queued
        assertThat(send("POST", "/datasets?name=" + name, "text/csv", resource("iris"))
                        .statusCode())
                .isEqualTo(201);
        int before = json(get("/models")).size();
        HttpResponse<String> refused = postJson("/models", "{\"dataset\": \"" + name + "\", \"label\": \"species\"}");
        expectProblem(refused, 409);
        assertThat(json(refused).get("detail").asString()).contains(datasetId);
        assertThat(json(get("/models")).size()).isEqualTo(before);
    }

    @Test
    void aLongMultipartFileNameIsNotCalledTooLarge() throws Exception {
        String longName = "x".repeat(1000) + ".csv";
        HttpResponse<String> r = multipart("/datasets", longName, resource("iris"));
        // Tomcat refuses part headers over 512 bytes; that is the file name's fault, not a body over the upload limit
        expectProblem(r, 400);
        assertThat(json(r).get("detail").asString()).contains("headers are longer than 512 bytes", "file name");
        assertThat(json(r).get("errors").get(0).get("field").asString()).isEqualTo("file");
        assertThat(multipart("/datasets", "x".repeat(200) + ".csv", resource("iris"))
                        .statusCode())
                .isEqualTo(201);
    }

    @Test
    void predictWithoutModelUsesTheMostRecentlyFinishedReadyModel() throws Exception {
        String id = train("{\"dataset\": \"" + irisId + "\", \"label\": \"species\", \"epochs\": 3, \"seed\": 7}");
        awaitReady(id);
        JsonNode latest = predictOk("/predict", "{\"features\": [5.1, 3.5, 1.4, 0.2]}");
        assertThat(latest.get("model").asString()).isEqualTo(id);
        JsonNode named = predictOk("/models/" + id + "/predict", "{\"features\": [5.1, 3.5, 1.4, 0.2]}");
        ObjectNode implicit = (ObjectNode) answer(latest);
        implicit.remove("warnings"); // checked below
        assertIdentical(implicit, answer(named), "latest model");
        // an explicit model wins over the latest one
        JsonNode chosen =
                predictOk("/predict", "{\"features\": [5.1, 3.5, 1.4, 0.2], \"model\": \"" + irisModel + "\"}");
        assertThat(chosen.get("model").asString()).isEqualTo(irisModel);
        // the implicit choice is answered, with a warning that names the model and says how to choose one
        String notice = PredictionService.implicitModelNotice(id);
        assertThat(latest.get("warnings").get(0).asString()).isEqualTo(notice).contains(id, "\"model\"");
        JsonNode batch = predictOk("/predict", "{\"instances\": [[5.1, 3.5, 1.4, 0.2], [6.2, 2.9, 4.3, 1.3]]}");
        assertThat(batch.get("warnings").size()).isEqualTo(1);
        assertThat(batch.get("warnings").get(0).asString()).isEqualTo(notice);
        assertThat(batch.get("predictions").get(0).has("warnings")).isFalse();
        // an explicit model, in the body or the path, is answered without it
        assertThat(chosen.has("warnings")).isFalse();
        assertThat(named.has("warnings")).isFalse();
    }

    @Test
    void predictionsNeverChangeTheModel() throws Exception {
        JsonNode before = json(get("/models/" + irisModel));
        String path = "/models/" + irisModel + "/predict";
        for (int i = 0; i < 50; i++) {
            double[] row = IRIS_ROWS[i % IRIS_ROWS.length].clone();
            row[0] += i * 0.37;
            String body = i % 3 == 0
                    ? "{\"features\": " + array(row) + "}"
                    : "{\"instances\": [" + array(row) + "," + array(IRIS_ROWS[0]) + ","
                            + array(new double[] {100, -100, 100, -100}) + "]}";
            assertThat(send("POST", path, "application/json", body).statusCode())
                    .isEqualTo(200);
        }
        JsonNode after = json(get("/models/" + irisModel));
        assertThat(after.get("layers").toString())
                .isEqualTo(before.get("layers").toString());
        assertThat(after.get("layers")).isEqualTo(irisDoc.get("layers"));
        assertThat(after.get("status").asString()).isEqualTo("ready");
    }

    @Test
    void exportThenImportServesIdenticalAnswersUnderANewId() throws Exception {
        HttpResponse<String> export = get("/models/" + irisModel + "/export");
        assertThat(export.statusCode()).isEqualTo(200);
        assertThat(export.headers().firstValue("Content-Disposition").orElse(""))
                .contains("attachment", irisModel + ".json");
        JsonNode doc = json(export);
        assertThat(doc.get("format").asString()).isEqualTo("bnserve-model");
        assertThat(doc.get("formatVersion").asInt()).isEqualTo(3);
        assertThat(doc.get("layers")).isEqualTo(irisDoc.get("layers"));

        HttpResponse<String> imported = postJson("/models/import", export.body());
        assertThat(imported.statusCode()).as(imported.body()).isEqualTo(201);
        String newId = json(imported).get("id").asString();
        assertThat(newId).isNotEqualTo(irisModel).matches("m-[0-9a-f]{12}[0-9a-v]{10}");
        assertThat(imported.headers().firstValue("Location")).hasValue("/models/" + newId);
        assertThat(json(imported).get("status").asString()).isEqualTo("ready");
        assertThat(json(imported).get("source").asString()).isEqualTo(irisModel);
        assertThat(json(get("/models/" + newId)).get("layers")).isEqualTo(irisDoc.get("layers"));

        StringBuilder rows = new StringBuilder("[");
        for (int r = 0; r < IRIS_ROWS.length; r++)
            rows.append(r == 0 ? "" : ",").append(array(IRIS_ROWS[r]));
        String body = "{\"instances\": " + rows + "]}";
        JsonNode original = predictOk("/models/" + irisModel + "/predict", body);
        JsonNode copy = predictOk("/models/" + newId + "/predict", body);
        assertThat(copy.get("model").asString()).isEqualTo(newId);
        assertThat(copy.get("predictions").toString())
                .isEqualTo(original.get("predictions").toString());
        assertThat(copy.get("predictions")).isEqualTo(original.get("predictions"));

        // removing the copy leaves the original alone
        assertThat(delete("/models/" + newId).statusCode()).isEqualTo(204);
        assertThat(get("/models/" + newId).statusCode()).isEqualTo(404);
        assertThat(get("/models/" + irisModel).statusCode()).isEqualTo(200);
    }

    // ------------------------------------------------------------------ long jobs

    static String digitsId;

    private String digitsId() throws Exception {
        if (digitsId == null) {
            HttpResponse<String> digits = send("POST", "/datasets?name=digits", "text/csv", resource("digits"));
            assertThat(digits.statusCode()).as(digits.body()).isEqualTo(201);
            digitsId = json(digits).get("id").asString();
        }
        return digitsId;
    }

    @Test
    void aTrainingModelCannotPredictOrExportAndCancelsQuickly() throws Exception {
        String ds = digitsId();
        String id = train(
                "{\"dataset\": \"" + ds + "\", \"label\": \"digit\", \"task\": \"classification\", \"epochs\": 2000}");
        awaitStatus(id, "training");

        expectProblem(send("POST", "/models/" + id + "/predict", "application/json", "{\"features\": [1]}"), 409);
        expectProblem(
                send("POST", "/predict", "application/json", "{\"model\": \"" + id + "\", \"features\": [1]}"), 409);
        expectProblem(get("/models/" + id + "/export"), 409);

        long start = System.nanoTime();
        HttpResponse<String> cancel = delete("/models/" + id);
        assertThat(cancel.statusCode()).isEqualTo(204);
        JsonNode m = awaitStatus(id, "cancelled");
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(5));
        assertThat(m.at("/progress/epoch").asInt()).isLessThan(2000);
        assertThat(m.get("layers").isNull()).isTrue();
        // still listed, still not predicting; a second DELETE removes it
        expectProblem(send("POST", "/models/" + id + "/predict", "application/json", "{\"features\": [1]}"), 409);
        assertThat(delete("/models/" + id).statusCode()).isEqualTo(204);
        expectProblem(get("/models/" + id), 404);
    }

    @Test
    void eventsStreamProgressAndEndWithTheStatus() throws Exception {
        // one job at a time (bnserve.training.concurrency=1): a long job keeps the observed one queued until it is
        // cancelled
        String blocker = train("{\"dataset\": \"" + digitsId()
                + "\", \"label\": \"digit\", \"task\": \"classification\", \"epochs\": 2000}");
        String id = train("{\"dataset\": \"" + cancerId + "\", \"label\": \"diagnosis\", \"epochs\": 10}");
        assertThat(json(get("/models/" + id)).get("status").asString()).isEqualTo("queued");
        HttpRequest req = HttpRequest.newBuilder(uri("/models/" + id + "/events"))
                .header("Accept", "text/event-stream")
                .timeout(Duration.ofSeconds(60))
                .GET()
                .build();
        HttpResponse<Stream<String>> sse = HTTP.send(req, HttpResponse.BodyHandlers.ofLines());
        assertThat(sse.statusCode()).isEqualTo(200);
        assertThat(sse.headers().firstValue("Content-Type").orElse("")).startsWith("text/event-stream");
        List<String> lines = new ArrayList<>();
        java.util.Iterator<String> it = sse.body().iterator();
        while (it.hasNext()) {
            String line = it.next();
            lines.add(line);
            if (line.startsWith("data:")
                    && lines.stream().filter(l -> l.startsWith("data:")).count() == 1) {
                // the first event is the queued snapshot; now let the job run
                assertThat(JSON.readTree(line.substring(5)).get("status").asString())
                        .isEqualTo("queued");
                assertThat(delete("/models/" + blocker).statusCode()).isEqualTo(204);
            }
        }
        List<String> events = lines.stream().filter(l -> l.startsWith("event:")).toList();
        List<String> data = lines.stream().filter(l -> l.startsWith("data:")).toList();
        assertThat(events.get(0)).isEqualTo("event:progress");
        assertThat(events.get(events.size() - 1)).isEqualTo("event:status");
        assertThat(events.stream().filter(e -> e.equals("event:status")).count())
                .isEqualTo(1);
        // the queued snapshot, then the changes: coalesced when the subscriber is behind, so at most one per epoch
        // and the training transition
        assertThat(events.stream().filter(e -> e.equals("event:progress")).count())
                .isBetween(2L, 12L);
        JsonNode last = JSON.readTree(data.get(data.size() - 1).substring(5));
        assertThat(last.get("status").asString()).isEqualTo("ready");
        assertThat(last.get("id").asString()).isEqualTo(id);
        assertThat(last.has("layers")).isFalse();
        assertThat(last.get("history").size()).isEqualTo(10);
        List<Integer> epochs = new ArrayList<>();
        List<Integer> sent = new ArrayList<>();
        for (String d : data.subList(0, data.size() - 1)) {
            JsonNode e = JSON.readTree(d.substring(5));
            assertThat(e.get("status").asString()).isIn("queued", "training");
            assertThat(e.has("layers")).isFalse();
            epochs.add(e.at("/progress/epoch").asInt());
            // each progress event carries only the epochs since the one before
            for (JsonNode h : e.get("history")) sent.add(h.get("epoch").asInt());
        }
        assertThat(epochs).isSorted();
        assertThat(sent).isSorted().doesNotHaveDuplicates();
        assertThat(sent.isEmpty() || sent.get(0) == 1).isTrue();

        // a finished model's stream is a single status event
        HttpResponse<String> done = HTTP.send(req, HttpResponse.BodyHandlers.ofString());
        assertThat(done.body().lines().filter(l -> l.startsWith("event:")).toList())
                .containsExactly("event:status");
        assertThat(json(get("/models/" + blocker)).get("status").asString()).isEqualTo("cancelled");
    }

    // ------------------------------------------------------------------ operations

    @Test
    void actuatorAndApiDocs() throws Exception {
        predictOk("/models/" + irisModel + "/predict", "{\"features\": [5.1, 3.5, 1.4, 0.2]}");
        assertThat(postJson("/models/" + irisModel + "/predict", "{\"features\": [1]}")
                        .statusCode())
                .isEqualTo(422);
        HttpResponse<String> health = get("/actuator/health");
        assertThat(health.statusCode()).isEqualTo(200);
        assertThat(json(health).get("status").asString()).isEqualTo("UP");
        HttpResponse<String> prometheus = get("/actuator/prometheus");
        assertThat(prometheus.statusCode()).isEqualTo(200);
        assertThat(prometheus.body()).contains("bnserve_predict", "bnserve_training");
        assertThat(prometheus.body())
                .as("prediction timers are tagged by outcome")
                .containsPattern("bnserve_predict_seconds_count\\{[^}]*outcome=\"success\"[^}]*} [1-9]")
                .containsPattern("bnserve_predict_seconds_count\\{[^}]*outcome=\"client_error\"[^}]*} [1-9]");
        HttpResponse<String> docs = get("/v3/api-docs");
        assertThat(docs.statusCode()).isEqualTo(200);
        assertThat(docs.headers().firstValue("Content-Type").orElse("")).contains("json");
        assertThat(json(docs).get("paths").has("/models")).isTrue();
        assertThat(json(docs).get("paths").has("/models/{id}/predict")).isTrue();
        assertThat(docs.body())
                .as("JSON trees are documented as objects, not as Jackson beans")
                .doesNotContain("ObjectNode", "JsonNode");
        JsonNode info = json(docs).get("info");
        assertThat(info.get("title").asString()).isEqualTo("bnserve");
        assertThat(info.get("version").asString())
                .as("the build's version, not springdoc's placeholder")
                .isNotEqualTo("v0")
                .matches("\\d+\\.\\d+.*");
        assertThat(info.get("license").get("name").asString()).isEqualTo("Apache-2.0");
        assertThat(json(docs)
                        .get("components")
                        .get("securitySchemes")
                        .get("bearerAuth")
                        .get("scheme")
                        .asString())
                .isEqualTo("bearer");
        assertThat(json(docs).get("paths").has("/error"))
                .as("/error is not an API")
                .isFalse();
        assertThat(json(get("/actuator/info")).get("build").get("artifact").asString())
                .isEqualTo("bnserve");
    }

    // ------------------------------------------------------------------ bad input

    /** {@code $IRIS} stands for the iris dataset's id (only known once the suite has started). */
    static Stream<Arguments> badTrainingRequests() {
        String iris = "\"dataset\": \"$IRIS\", ";
        return Stream.of(
                Arguments.of("malformed JSON", "{\"dataset\": \"$IRIS\", \"label\": ", 400, null),
                Arguments.of("not an object", "[1, 2]", 400, null),
                Arguments.of("missing dataset", "{\"label\": \"species\"}", 400, "dataset"),
                Arguments.of(
                        "unknown dataset",
                        "{\"dataset\": \"d-00000000000000000000000000\", \"label\": \"species\"}",
                        422,
                        "dataset"),
                Arguments.of("missing label", "{" + iris + "\"epochs\": 3}", 400, "label"),
                Arguments.of("unknown label", "{" + iris + "\"label\": \"colour\"}", 422, "label"),
                Arguments.of("batchSize 1", "{" + iris + "\"label\": \"species\", \"batchSize\": 1}", 422, "batchSize"),
                Arguments.of("hidden []", "{" + iris + "\"label\": \"species\", \"hidden\": []}", 422, "hidden"),
                Arguments.of(
                        "hidden [100000]",
                        "{" + iris + "\"label\": \"species\", \"hidden\": [100000]}",
                        422,
                        "hidden[0]"),
                Arguments.of(
                        "hidden of strings",
                        "{" + iris + "\"label\": \"species\", \"hidden\": [\"wide\"]}",
                        400,
                        "hidden[0]"),
                Arguments.of("epochs 0", "{" + iris + "\"label\": \"species\", \"epochs\": 0}", 422, "epochs"),
                Arguments.of("epochs 1.5", "{" + iris + "\"label\": \"species\", \"epochs\": 1.5}", 400, "epochs"),
                Arguments.of(
                        "activation sigmoid",
                        "{" + iris + "\"label\": \"species\", \"activation\": \"sigmoid\"}",
                        422,
                        "activation"),
                Arguments.of(
                        "statistics foo",
                        "{" + iris + "\"label\": \"species\", \"batchNorm\": {\"statistics\": \"foo\"}}",
                        422,
                        "batchNorm.statistics"),
                Arguments.of(
                        "momentum 2",
                        "{" + iris + "\"label\": \"species\", \"batchNorm\": {\"momentum\": 2}}",
                        422,
                        "batchNorm.momentum"),
                Arguments.of(
                        "validationSplit 0.9",
                        "{" + iris + "\"label\": \"species\", \"validationSplit\": 0.9}",
                        422,
                        "validationSplit"),
                Arguments.of(
                        "optimizer rmsprop",
                        "{" + iris + "\"label\": \"species\", \"optimizer\": {\"type\": \"rmsprop\"}}",
                        422,
                        "optimizer.type"),
                Arguments.of(
                        "unknown field",
                        "{" + iris + "\"label\": \"species\", \"learningRate\": 0.1}",
                        422,
                        "learningRate"),
                Arguments.of(
                        "task regression on categorical",
                        "{" + iris + "\"label\": \"species\", \"task\": \"regression\"}",
                        422,
                        "task"),
                Arguments.of(
                        "task unknown", "{" + iris + "\"label\": \"species\", \"task\": \"clustering\"}", 422, "task"),
                Arguments.of(
                        "feature is the label",
                        "{" + iris + "\"label\": \"species\", \"features\": [\"sepal_length\", \"species\"]}",
                        422,
                        "features[1]"),
                Arguments.of(
                        "categorical feature over maxCategories",
                        "{" + iris + "\"label\": \"petal_width\", \"features\": [\"species\"],"
                                + " \"preprocessing\": {\"maxCategories\": 2}}",
                        422,
                        "features[0]"),
                Arguments.of(
                        "feature unknown",
                        "{" + iris + "\"label\": \"species\", \"features\": [\"nope\"]}",
                        422,
                        "features[0]"),
                Arguments.of(
                        "features not an array",
                        "{" + iris + "\"label\": \"species\", \"features\": \"sepal_length\"}",
                        400,
                        "features"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("badTrainingRequests")
    void badTrainingRequestsAreProblems(String name, String body, int status, String field) throws Exception {
        int modelsBefore = json(get("/models")).size();
        JsonNode problem = expectProblem(postJson("/models", body.replace("$IRIS", irisId)), status);
        if (field != null) {
            assertThat(problem.get("errors")).as(problem.toString()).isNotNull();
            assertThat(problem.get("errors").findValuesAsString("field"))
                    .as(problem.toString())
                    .contains(field);
        }
        assertThat(json(get("/models")).size()).as("no model is created").isEqualTo(modelsBefore);
    }

    static Stream<Arguments> badPredictions() {
        return Stream.of(
                Arguments.of("wrong arity", "{\"features\": [5.1, 3.5, 1.4]}", 422, "features"),
                Arguments.of("too many values", "{\"features\": [5.1, 3.5, 1.4, 0.2, 9]}", 422, "features"),
                Arguments.of("string value", "{\"features\": [5.1, \"3.5\", 1.4, 0.2]}", 422, "features[1]"),
                Arguments.of(
                        "string value by name",
                        "{\"features\": {\"sepal_length\": 5.1, \"sepal_width\": \"wide\", \"petal_length\": 1.4, \"petal_width\": 0.2}}",
                        422,
                        "features.sepal_width"),
                Arguments.of("1e999", "{\"features\": [5.1, 1e999, 1.4, 0.2]}", 422, "features[1]"),
                Arguments.of(
                        "-1e999 in a batch",
                        "{\"instances\": [[5.1, 3.5, 1.4, 0.2], [5.1, -1e999, 1.4, 0.2]]}",
                        422,
                        "instances[1][1]"),
                Arguments.of(
                        "bad row in a batch",
                        "{\"instances\": [[5.1, 3.5, 1.4, 0.2], [5.1, 3.5]]}",
                        422,
                        "instances[1]"),
                Arguments.of("empty instances", "{\"instances\": []}", 422, "instances"),
                Arguments.of("no rows", "{\"model\": \"x\"}", 400, null),
                Arguments.of(
                        "both features and instances",
                        "{\"features\": [1, 2, 3, 4], \"instances\": [[1, 2, 3, 4]]}",
                        400,
                        null),
                Arguments.of("malformed JSON", "{\"features\": [5.1, 3.5", 400, null),
                Arguments.of("trailing garbage", "{\"features\": [5.1, 3.5, 1.4, 0.2]} x", 400, null),
                Arguments.of("not an object", "[5.1, 3.5, 1.4, 0.2]", 400, null),
                Arguments.of("empty body", "", 400, null));
    }

    /**
     * A named row with an unknown extra name, an absent name or a null is answered, the absent and null values
     * imputed from the training split, and the answer says so in {@code warnings}: no silent guesses.
     */
    @Test
    void missingAndUnknownNamesAreAnsweredWithWarnings() throws Exception {
        String path = "/models/" + irisModel + "/predict";
        String[][] cases = {
            {
                "{\"sepal_length\": 5.1, \"sepal_width\": 3.5, \"petal_length\": 1.4, \"petal_width\": 0.2, \"colour\": 1}",
                "colour"
            },
            {"{\"sepal_length\": 5.1, \"sepal_width\": 3.5, \"petal_length\": 1.4}", "petal_width"},
            {
                "{\"sepal_length\": 5.1, \"sepal_width\": null, \"petal_length\": 1.4, \"petal_width\": 0.2}",
                "sepal_width"
            }
        };
        for (String[] c : cases) {
            JsonNode a = answer(predictOk(path, "{\"features\": " + c[0] + "}"));
            assertThat(a.get("warnings").toString()).as(c[0]).contains(c[1]);
        }
        JsonNode positional = answer(predictOk(path, "{\"features\": [5.1, null, 1.4, 0.2]}"));
        assertThat(positional.get("warnings").toString()).contains("sepal_width");
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("badPredictions")
    void badPredictionsAreProblems(String name, String body, int status, String field) throws Exception {
        for (String path : List.of("/models/" + irisModel + "/predict", "/predict")) {
            String sent = path.equals("/predict") && body.startsWith("{\"")
                    ? "{\"model\": \"" + irisModel + "\", " + body.substring(1)
                    : body;
            JsonNode problem = expectProblem(send("POST", path, "application/json", sent), status);
            if (field != null) {
                assertThat(problem.get("errors").findValuesAsString("field"))
                        .as(path + " " + problem)
                        .contains(field);
            }
        }
    }

    @Test
    void unknownAndHostileModelIdsAre404WithoutTouchingFiles() throws Exception {
        plantSecrets();
        // ids that reach the controller: 404 problems, whatever they look like
        for (String id : List.of(
                "m-000000000000aaaaaaaaaa",
                "nope",
                "secret",
                "..secret",
                "m-aaaaaaaaaaaa..........",
                "m-000000000000aaaaaaaaaa.json")) {
            JsonNode p = expectProblem(get("/models/" + id), 404);
            assertThat(p.get("detail").asString()).contains("No model");
            assertNoSecret(p.toString());
            expectProblem(
                    send("POST", "/models/" + id + "/predict", "application/json", "{\"features\": [1, 2, 3, 4]}"),
                    404);
            expectProblem(delete("/models/" + id), 404);
            expectProblem(get("/models/" + id + "/export"), 404);
            expectProblem(get("/models/" + id + "/events"), 404);
        }
        // ids in the body never reach the file system either
        for (String id :
                List.of("../secret", "../../../../etc/passwd", "secret", "m-000000000000aaaaaaaaaa/../../secret")) {
            JsonNode p = expectProblem(
                    send(
                            "POST",
                            "/predict",
                            "application/json",
                            "{\"model\": \"" + id + "\", \"features\": [1, 2, 3, 4]}"),
                    404);
            assertNoSecret(p.toString());
        }
        // path ids with encoded dots or separators may be refused before the application (400 or 404, nothing served)
        for (String id : List.of(
                "%2E%2E",
                "%2e%2e%2fsecret",
                "..%2Fsecret",
                "..%2F..%2F..%2F..%2Fetc%2Fpasswd",
                "..%5Csecret",
                "m-000000000000aaaaaaaaaa%00",
                "..;secret")) {
            for (HttpResponse<String> r : List.of(
                    get("/models/" + id),
                    get("/models/" + id + "/export"),
                    delete("/models/" + id),
                    send("POST", "/models/" + id + "/predict", "application/json", "{\"features\": [1, 2, 3, 4]}"))) {
                assertThat(r.statusCode()).as(r.uri() + " " + r.body()).isIn(400, 404);
                assertNoSecret(r.body());
                assertNoInternals(r.body());
            }
        }
        assertThat(Files.readString(dataDir.resolve("secret.json"))).contains("s3cr3t");
        assertThat(Files.readString(dataDir.resolve("models").resolve("secret.json")))
                .contains("s3cr3t");
    }

    @Test
    void encodedTraversalIdsAreProblemJson404s() throws Exception {
        plantSecrets();
        for (String id : List.of(
                "..%2Fsecret", "..%2F..%2F..%2F..%2Fetc%2Fpasswd", "..%5Csecret", "m-000000000000aaaaaaaaaa%00")) {
            for (HttpResponse<String> r : List.of(
                    get("/models/" + id),
                    delete("/models/" + id),
                    send("POST", "/models/" + id + "/predict", "application/json", "{\"features\": [1, 2, 3, 4]}"))) {
                // 404 (no such model) or 400 (refused by the request firewall) are both fine, as a problem
                assertThat(r.statusCode()).as(r.uri() + " " + r.body()).isIn(400, 404);
                assertNoSecret(expectProblem(r, r.statusCode()).toString());
            }
        }
    }

    private static void plantSecrets() throws IOException {
        Files.writeString(dataDir.resolve("secret.json"), "{\"status\": \"ready\", \"secret\": \"s3cr3t\"}");
        Files.writeString(dataDir.resolve("models").resolve("secret.json"), "{\"secret\": \"s3cr3t\"}");
    }

    private static void assertNoSecret(String body) {
        assertThat(body).doesNotContain("s3cr3t", "root:");
    }

    @Test
    void wrongContentTypesAre415() throws Exception {
        expectProblem(
                send("POST", "/models", "text/plain", "{\"dataset\": \"" + irisId + "\", \"label\": \"species\"}"),
                415);
        expectProblem(send("POST", "/models/" + irisModel + "/predict", "application/xml", "<row/>"), 415);
        // text/csv is CSV scoring now: a body whose header lacks the inputs is a 422 naming them
        expectProblem(send("POST", "/models/" + irisModel + "/predict", "text/csv", "5.1,3.5,1.4,0.2"), 422);
        expectProblem(send("POST", "/predict", "application/x-www-form-urlencoded", "features=1"), 415);
        expectProblem(send("POST", "/models/import", "text/plain", "{}"), 415);
        expectProblem(send("POST", "/datasets", "application/json", "{}"), 415);
    }

    @Test
    void raggedCsvIsA400NamingTheRow() throws Exception {
        JsonNode p = expectProblem(send("POST", "/datasets", "text/csv", "a,b,c\n1,2,3\n4,5,6\n7,8\n"), 400);
        assertThat(p.get("errors").get(0).get("row").asInt()).isEqualTo(4);
        assertThat(p.get("errors").get(0).get("message").asString()).contains("row 4", "2 fields", "header has 3");
        JsonNode nonFinite = expectProblem(send("POST", "/datasets", "text/csv", "x,y\n1,2\n3,Infinity\n"), 400);
        assertThat(nonFinite.get("errors").get(0).get("row").asInt()).isEqualTo(3);
        assertThat(nonFinite.get("errors").get(0).get("column").asString()).isEqualTo("y");
    }

    @Test
    void importOfAnInvalidDocumentIs422NamingTheField() throws Exception {
        ObjectNode doc =
                (ObjectNode) json(get("/models/" + irisModel + "/export")).deepCopy();
        ((ObjectNode) doc.get("layers").get(1)).put("out", 65);
        JsonNode p = expectProblem(postJson("/models/import", doc.toString()), 422);
        assertThat(p.get("errors").findValuesAsString("field")).containsExactly("layers[1].weight");

        ObjectNode noInputs =
                (ObjectNode) json(get("/models/" + irisModel + "/export")).deepCopy();
        noInputs.remove("inputs");
        assertThat(expectProblem(postJson("/models/import", noInputs.toString()), 422)
                        .get("errors")
                        .findValuesAsString("field"))
                .containsExactly("inputs");

        ObjectNode training =
                (ObjectNode) json(get("/models/" + irisModel + "/export")).deepCopy();
        training.put("status", "training");
        assertThat(expectProblem(postJson("/models/import", training.toString()), 422)
                        .get("errors")
                        .findValuesAsString("field"))
                .containsExactly("status");

        expectProblem(postJson("/models/import", "{\"format\": \"bnserve-model\", "), 400);
    }

    // ------------------------------------------------------------------ helpers

    private String train(String body) throws Exception {
        HttpResponse<String> r = postJson("/models", body);
        assertThat(r.statusCode()).as(r.body()).isEqualTo(202);
        String id = json(r).get("id").asString();
        assertThat(r.headers().firstValue("Location")).hasValue("/models/" + id);
        assertThat(json(r).get("status").asString()).isIn("queued", "training");
        return id;
    }

    private JsonNode awaitReady(String id) throws Exception {
        JsonNode m = awaitStatus(id, "ready");
        assertThat(m.get("layers").isArray()).isTrue();
        return m;
    }

    /** Polls until {@code status} (fails at once on another terminal status, or after 60 s). */
    private JsonNode awaitStatus(String id, String status) throws Exception {
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        while (true) {
            HttpResponse<String> r = get("/models/" + id);
            assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
            JsonNode m = json(r);
            String s = m.get("status").asString();
            if (s.equals(status)) return m;
            if (List.of("ready", "failed", "cancelled").contains(s))
                fail("model " + id + " is " + s + " (" + m.get("error") + "), expected " + status);
            if (System.nanoTime() > deadline) fail("model " + id + " still " + s + " after 60 s");
            Thread.sleep(20);
        }
    }

    private JsonNode predictOk(String path, String body) throws IOException, InterruptedException {
        HttpResponse<String> r = send("POST", path, "application/json", body);
        assertThat(r.statusCode()).as(body + " -> " + r.body()).isEqualTo(200);
        assertThat(r.headers().firstValue("Content-Type").orElse("")).startsWith("application/json");
        return json(r);
    }

    /** The prediction part of a single-row answer (model dropped). */
    private static JsonNode answer(JsonNode single) {
        ObjectNode copy = (ObjectNode) single.deepCopy();
        copy.remove("model");
        return copy;
    }

    /** Same prediction and bit-identical probabilities (the JSON number text and the parsed double). */
    private static void assertIdentical(JsonNode actual, JsonNode expected, String what) {
        assertThat(actual.get("prediction")).as(what).isEqualTo(expected.get("prediction"));
        assertThat(actual.toString()).as(what).isEqualTo(expected.toString());
        if (expected.has("probabilities")) {
            for (Map.Entry<String, JsonNode> e : expected.get("probabilities").properties()) {
                double a = actual.get("probabilities").get(e.getKey()).doubleValue();
                assertThat(Double.doubleToRawLongBits(a))
                        .as(what + " " + e.getKey())
                        .isEqualTo(Double.doubleToRawLongBits(e.getValue().doubleValue()));
            }
        }
    }

    static JsonNode expectProblem(HttpResponse<String> r, int status) {
        assertThat(r.statusCode())
                .as(r.request().method() + " " + r.uri() + " -> " + r.body())
                .isEqualTo(status);
        assertThat(r.headers().firstValue("Content-Type").orElse(""))
                .as(r.body())
                .startsWith(PROBLEM);
        JsonNode p = JSON.readTree(r.body());
        assertThat(p.get("status").asInt()).isEqualTo(status);
        assertThat(p.get("title").isString()).isTrue();
        assertThat(p.get("detail").isString()).isTrue();
        assertThat(p.get("detail").asString()).isNotBlank();
        assertNoInternals(r.body());
        return p;
    }

    static void assertNoInternals(String body) {
        assertThat(body)
                .doesNotContain("Exception", "at dev.", "dev.bnserve", "java.", "tools.jackson", "\tat ", "trace");
    }

    private static String array(double[] row) {
        StringBuilder b = new StringBuilder("[");
        for (int i = 0; i < row.length; i++) b.append(i == 0 ? "" : ", ").append(row[i]);
        return b.append(']').toString();
    }

    /** The row as {"name": value}, in the model's order or reversed. */
    private static String object(double[] row, boolean reversed) {
        StringBuilder b = new StringBuilder("{");
        for (int k = 0; k < row.length; k++) {
            int i = reversed ? row.length - 1 - k : k;
            b.append(k == 0 ? "" : ", ")
                    .append('"')
                    .append(IRIS_FEATURES[i])
                    .append("\": ")
                    .append(row[i]);
        }
        return b.append('}').toString();
    }

    private static List<String> strings(JsonNode array) {
        List<String> out = new ArrayList<>();
        array.forEach(n -> out.add(n.asString()));
        return out;
    }

    static JsonNode json(HttpResponse<String> r) {
        return JSON.readTree(r.body());
    }

    private URI uri(String path) {
        return URI.create("http://localhost:" + port + path);
    }

    private HttpResponse<String> get(String path) throws IOException, InterruptedException {
        return send("GET", path, null, (byte[]) null);
    }

    private HttpResponse<String> delete(String path) throws IOException, InterruptedException {
        return send("DELETE", path, null, (byte[]) null);
    }

    private HttpResponse<String> postJson(String path, String body) throws IOException, InterruptedException {
        return send("POST", path, "application/json", body);
    }

    private HttpResponse<String> send(String method, String path, String contentType, String body)
            throws IOException, InterruptedException {
        return send(method, path, contentType, body == null ? null : body.getBytes(StandardCharsets.UTF_8));
    }

    private HttpResponse<String> send(String method, String path, String contentType, byte[] body)
            throws IOException, InterruptedException {
        HttpRequest.Builder b = HttpRequest.newBuilder(uri(path)).timeout(Duration.ofSeconds(30));
        if (contentType != null) b.header("Content-Type", contentType);
        b.method(
                method,
                body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofByteArray(body));
        return HTTP.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    private HttpResponse<String> multipart(String path, String filename, byte[] content)
            throws IOException, InterruptedException {
        String boundary = "----bnserve" + System.nanoTime();
        byte[] head = ("--" + boundary + "\r\nContent-Disposition: form-data; name=\"file\"; filename=\"" + filename
                        + "\"\r\nContent-Type: text/csv\r\n\r\n")
                .getBytes(StandardCharsets.UTF_8);
        byte[] tail = ("\r\n--" + boundary + "--\r\n").getBytes(StandardCharsets.UTF_8);
        byte[] body = new byte[head.length + content.length + tail.length];
        System.arraycopy(head, 0, body, 0, head.length);
        System.arraycopy(content, 0, body, head.length, content.length);
        System.arraycopy(tail, 0, body, head.length + content.length, tail.length);
        return send("POST", path, "multipart/form-data; boundary=" + boundary, body);
    }

    static byte[] resource(String name) throws IOException {
        try (InputStream in = ServiceEndToEndTest.class.getResourceAsStream("/data/" + name + ".csv")) {
            assertThat(in).as(name).isNotNull();
            return in.readAllBytes();
        }
    }
}
