package dev.bnserve;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.annotation.DirtiesContext;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * The Open Inference Protocol (KServe v2) end to end over real HTTP: an iris classifier (numeric inputs) and a
 * {@code cars.csv} regressor (numeric, categorical and date inputs, empty cells) answer {@code infer} with per-column
 * tensors and with the encoded tensor exactly as {@code /predict} answers the same rows, bit for bit; errors answer
 * the protocol's {@code {"error": "…"}} with a 4xx. Every request and answer is validated against the protocol's
 * published document ({@link OpenInferenceDocument}).
 */
@SpringBootTest(
        webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
        properties = "bnserve.limits.max-request-bytes=1MB")
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@DirtiesContext
class OpenInferenceTest {

    @DynamicPropertySource
    static void properties(DynamicPropertyRegistry registry) {
        String dir = TestHttp.tempDir("bnserve-oip").toString();
        registry.add("bnserve.data-dir", () -> dir);
    }

    static final OpenInferenceDocument DOCUMENT = new OpenInferenceDocument();
    static final String CARS_INPUTS =
            "[\"Cylinders\", \"Displacement\", \"Horsepower\", \"Weight_in_lbs\", \"Year\"," + " \"Origin\"]";

    @LocalServerPort
    int port;

    TestHttp http;
    String classifier;
    String regressor;
    int validated;
    int compared;

    @BeforeAll
    void train() throws Exception {
        http = new TestHttp(port);
        String iris = http.upload("iris", TestHttp.resource("iris"));
        String cars = http.upload("cars", TestHttp.resource("cars"));
        classifier = http.train("{\"dataset\": \"" + iris + "\", \"label\": \"species\", \"epochs\": 5,"
                + " \"hidden\": [16, 16], \"optimizer\": {\"learningRate\": 0.01}}");
        regressor = http.train("{\"dataset\": \"" + cars + "\", \"label\": \"Miles_per_Gallon\", \"features\": "
                + CARS_INPUTS + ", \"epochs\": 5, \"hidden\": [16]}");
        http.awaitReady(classifier);
        http.awaitReady(regressor);
    }

    // ------------------------------------------------------------------ answers

    @Test
    void serverHealthAndMetadata() throws Exception {
        assertThat(get("/v2/health/live").body()).isEmpty();
        assertThat(get("/v2/health/ready").body()).isEmpty();
        for (String path : new String[] {"/v2", "/v2/"}) {
            JsonNode server = TestHttp.json(get(path));
            assertThat(server.get("name").asString()).isEqualTo("bnserve");
            assertThat(server.get("version").asString()).isNotBlank();
            assertThat(server.get("extensions").isArray()).isTrue();
        }
    }

    @Test
    void modelMetadataDescribesTheTensors() throws Exception {
        JsonNode iris = TestHttp.json(get("/v2/models/" + classifier));
        assertThat(iris.get("name").asString()).isEqualTo(classifier);
        assertThat(iris.get("platform").asString()).isEqualTo("bnserve");
        assertThat(names(iris.get("inputs"))).containsExactly(TestHttp.IRIS_FEATURES);
        for (JsonNode in : iris.get("inputs")) {
            assertThat(in.get("datatype").asString()).isEqualTo("FP64");
            assertThat(in.get("shape").toString()).isEqualTo("[-1]");
        }
        assertThat(iris.get("outputs").toString())
                .isEqualTo("[{\"name\":\"probabilities\",\"datatype\":\"FP64\",\"shape\":[-1,3]},"
                        + "{\"name\":\"prediction\",\"datatype\":\"BYTES\",\"shape\":[-1]}]");

        JsonNode cars = TestHttp.json(get("/v2/models/" + regressor));
        Map<String, String> types = new LinkedHashMap<>();
        for (JsonNode in : cars.get("inputs"))
            types.put(in.get("name").asString(), in.get("datatype").asString());
        assertThat(types)
                .containsExactly(
                        Map.entry("Cylinders", "FP64"),
                        Map.entry("Displacement", "FP64"),
                        Map.entry("Horsepower", "FP64"),
                        Map.entry("Weight_in_lbs", "FP64"),
                        Map.entry("Year", "BYTES"),
                        Map.entry("Origin", "BYTES"));
        assertThat(cars.get("outputs").toString())
                .isEqualTo("[{\"name\":\"prediction\",\"datatype\":\"FP64\",\"shape\":[-1]}]");
        assertThat(get("/v2/models/" + classifier + "/ready").body()).isEmpty();
        assertThat(get("/v2/models/" + regressor + "/ready").body()).isEmpty();
    }

    @Test
    void irisInferEqualsPredictBitForBit() throws Exception {
        agree(classifier, "iris");
    }

    @Test
    void carsInferEqualsPredictBitForBit() throws Exception {
        agree(regressor, "cars");
    }

    /**
     * Every row of {@code data} through infer as per-column tensors, and the first rows as the encoded tensor (from
     * {@code /models/{id}/encode}, flat and nested), against {@code /predict}'s answers for the same rows.
     */
    private void agree(String model, String data) throws Exception {
        JsonNode meta = TestHttp.json(get("/v2/models/" + model));
        List<String> inputs = names(meta.get("inputs"));
        Map<String, String> types = new LinkedHashMap<>();
        for (JsonNode in : meta.get("inputs"))
            types.put(in.get("name").asString(), in.get("datatype").asString());
        List<Map<String, Object>> rows = rows(TestHttp.resource(data), types);
        int n = rows.size();
        int width = TestHttp.json(http.get("/models/" + model))
                .get("preprocessing")
                .get("encodedInputs")
                .size();
        assertThat(width).isGreaterThanOrEqualTo(inputs.size()); // cars: one-hot Origin, Year's parts, missing flags

        ArrayNode instances = TestHttp.JSON.createArrayNode();
        for (Map<String, Object> row : rows) instances.add(TestHttp.JSON.valueToTree(row));
        HttpResponse<String> predicted =
                http.postJson("/models/" + model + "/predict", "{\"instances\": " + instances + "}");
        assertThat(predicted.statusCode()).as(predicted.body()).isEqualTo(200);
        JsonNode predictions = TestHttp.json(predicted).get("predictions");

        // one tensor per raw input column
        ObjectNode body = TestHttp.JSON.createObjectNode();
        body.put("id", "columns-" + data);
        ArrayNode tensors = body.putArray("inputs");
        for (String name : inputs) {
            ObjectNode t = tensors.addObject();
            t.put("name", name);
            t.put("datatype", types.get(name));
            t.putArray("shape").add(n);
            ArrayNode values = t.putArray("data");
            for (Map<String, Object> row : rows) values.add(TestHttp.JSON.valueToTree(row.get(name)));
        }
        // The document's tensor data hold no null: an empty cell (a JSON null, imputed as /predict imputes it) is
        // bnserve's extension, so a request with one is checked against the document for its answer only.
        boolean complete = rows.stream().noneMatch(r -> r.containsValue(null));
        HttpResponse<String> answered = http.postJson("/v2/models/" + model + "/infer", body.toString());
        valid("POST", "/v2/models/" + model + "/infer", body.toString(), answered, complete);
        assertThat(answered.statusCode()).as(answered.body()).isEqualTo(200);
        JsonNode columns = TestHttp.json(answered);
        assertThat(columns.get("id").asString()).isEqualTo("columns-" + data);
        assertThat(columns.get("model_name").asString()).isEqualTo(model);
        assertThat(columns.get("parameters").get("model").asString()).isEqualTo(model);
        sameAnswers(meta, columns, predictions, 0, n);

        // the encoded rows, straight into the plan
        int m = Math.min(n, 25);
        ArrayNode flat = TestHttp.JSON.createArrayNode();
        ArrayNode nested = TestHttp.JSON.createArrayNode();
        for (int r = 0; r < m; r++) {
            HttpResponse<String> e = http.postJson(
                    "/models/" + model + "/encode", "{\"features\": " + TestHttp.JSON.valueToTree(rows.get(r)) + "}");
            assertThat(e.statusCode()).as(e.body()).isEqualTo(200);
            JsonNode encoded = TestHttp.json(e).get("encoded");
            assertThat(encoded.size()).isEqualTo(width);
            encoded.forEach(flat::add);
            nested.add(encoded);
        }
        String tensor =
                "{\"name\": \"input\", \"datatype\": \"FP64\", \"shape\": [" + m + ", " + width + "], \"data\": ";
        HttpResponse<String> flatAnswer = infer(model, "{\"inputs\": [" + tensor + flat + "}]}");
        sameAnswers(meta, TestHttp.json(flatAnswer), predictions, 0, m);
        HttpResponse<String> nestedAnswer = infer(model, "{\"inputs\": [" + tensor + nested + "}]}");
        assertThat(nestedAnswer.body()).isEqualTo(flatAnswer.body());

        // outputs selection and parameters
        JsonNode only = TestHttp.json(infer(
                model,
                "{\"parameters\": {\"note\": 1}, \"inputs\": [" + tensor + flat
                        + ", \"parameters\": {}}], \"outputs\": [{\"name\": \"prediction\", \"parameters\": {}}]}"));
        assertThat(names(only.get("outputs"))).containsExactly("prediction");
        assertThat(only.get("outputs").get(0))
                .isEqualTo(TestHttp.json(flatAnswer)
                        .get("outputs")
                        .get(meta.get("outputs").size() - 1));
    }

    /** Rows {@code [from, to)} of an infer answer equal /predict's, every number bit for bit. */
    private void sameAnswers(JsonNode meta, JsonNode answer, JsonNode predictions, int from, int to) {
        int n = to - from;
        Map<String, JsonNode> outputs = new LinkedHashMap<>();
        for (JsonNode o : answer.get("outputs")) outputs.put(o.get("name").asString(), o);
        assertThat(answer.get("parameters").get("model").asString())
                .isEqualTo(answer.get("model_name").asString());
        List<String> classes = null; // /predict's order of probabilities is the model's order of classes
        if (names(meta.get("outputs")).contains("probabilities")) {
            classes = new ArrayList<>();
            predictions.get(0).get("probabilities").propertyNames().forEach(classes::add);
        }
        JsonNode prediction = outputs.get("prediction");
        assertThat(prediction.get("shape").toString()).isEqualTo("[" + n + "]");
        if (classes == null) {
            assertThat(outputs.keySet()).containsExactly("prediction");
            assertThat(prediction.get("datatype").asString()).isEqualTo("FP64");
            for (int r = 0; r < n; r++) {
                same(prediction.get("data").get(r), predictions.get(from + r).get("prediction"));
            }
            return;
        }
        assertThat(outputs.keySet()).containsExactly("probabilities", "prediction");
        assertThat(prediction.get("datatype").asString()).isEqualTo("BYTES");
        JsonNode p = outputs.get("probabilities");
        int k = classes.size();
        assertThat(p.get("datatype").asString()).isEqualTo("FP64");
        assertThat(p.get("shape").toString()).isEqualTo("[" + n + "," + k + "]");
        assertThat(p.get("data").size()).isEqualTo(n * k);
        for (int r = 0; r < n; r++) {
            JsonNode expected = predictions.get(from + r);
            assertThat(prediction.get("data").get(r).asString())
                    .isEqualTo(expected.get("prediction").asString());
            for (int j = 0; j < k; j++) {
                same(p.get("data").get(r * k + j), expected.get("probabilities").get(classes.get(j)));
            }
        }
    }

    private void same(JsonNode actual, JsonNode expected) {
        assertThat(actual.isNumber()).as(actual.toString()).isTrue();
        assertThat(Double.doubleToRawLongBits(actual.asDouble()))
                .as(actual + " vs " + expected)
                .isEqualTo(Double.doubleToRawLongBits(expected.asDouble()));
        compared++;
    }

    /** The validation can fail: answers missing what the document requires are caught. */
    @Test
    void theDocumentRefusesAnswersThatBreakIt() throws Exception {
        HttpResponse<String> real = http.get("/v2/models/m-doesnotexist/infer"); // any real exchange to reshape
        assertThat(DOCUMENT.errors(
                        "POST",
                        "/v2/models/x/infer",
                        "{\"inputs\": []}",
                        reshaped(real, 200, "{\"model_name\": \"x\"}")))
                .isNotEmpty(); // no outputs
        assertThat(DOCUMENT.errors(
                        "POST", "/v2/models/x/infer", "{\"inputs\": []}", reshaped(real, 400, "{\"detail\": \"x\"}")))
                .isNotEmpty(); // not the error object
        assertThat(DOCUMENT.errors(
                        "GET",
                        "/v2/models/x",
                        null,
                        reshaped(real, 200, "{\"name\": \"x\", \"platform\": \"p\", \"inputs\": [{\"name\": \"a\"}]}")))
                .isNotEmpty(); // a tensor without datatype and shape
        assertThat(DOCUMENT.errors(
                        "POST", "/v2/models/x/infer", "{\"outputs\": []}", reshaped(real, 400, "{\"error\": \"x\"}")))
                .isNotEmpty(); // a request without inputs
    }

    /** {@code real} with another status and JSON body. */
    private static HttpResponse<String> reshaped(HttpResponse<String> real, int status, String body) {
        return new HttpResponse<>() {
            public int statusCode() {
                return status;
            }

            public java.net.http.HttpRequest request() {
                return real.request();
            }

            public java.util.Optional<HttpResponse<String>> previousResponse() {
                return java.util.Optional.empty();
            }

            public java.net.http.HttpHeaders headers() {
                return java.net.http.HttpHeaders.of(
                        Map.of("Content-Type", List.of("application/json")), (k, v) -> true);
            }

            public String body() {
                return body;
            }

            public java.util.Optional<javax.net.ssl.SSLSession> sslSession() {
                return java.util.Optional.empty();
            }

            public java.net.URI uri() {
                return real.uri();
            }

            public java.net.http.HttpClient.Version version() {
                return real.version();
            }
        };
    }

    @org.junit.jupiter.api.AfterAll
    void summary() {
        System.out.printf(
                "OpenInferenceTest: %d exchanges validated against rest_predict_v2.yaml, %d numbers compared bit for bit"
                        + " with /predict%n",
                validated, compared);
        assertThat(compared).isGreaterThan(150 * 3 + 300); // every iris probability, every complete cars row
    }

    // ------------------------------------------------------------------ errors

    @Test
    void badTensorsAnswerTheProtocolsErrorWith400() throws Exception {
        String iris = "/v2/models/" + classifier + "/infer";
        String row = "\"shape\": [2], \"data\": [5.1, 6.2]";
        String petalWidth = "{\"name\": \"petal_width\", \"datatype\": \"FP64\", " + row + "}";
        String three = "{\"name\": \"sepal_length\", \"datatype\": \"FP64\", " + row + "},"
                + "{\"name\": \"sepal_width\", \"datatype\": \"FP64\", " + row + "},"
                + "{\"name\": \"petal_length\", \"datatype\": \"FP64\", " + row + "}";
        assertThat(infer(classifier, "{\"inputs\": [" + three + ", " + petalWidth + "]}")
                        .statusCode())
                .isEqualTo(200);

        error(
                iris,
                "{\"inputs\": [" + three + ", {\"name\": \"petal_width\", \"datatype\": \"BYTES\", "
                        + "\"shape\": [2], \"data\": [\"a\", \"b\"]}]}",
                400,
                "petal_width",
                "BYTES",
                "FP64");
        error(
                iris,
                "{\"inputs\": [" + three + ", {\"name\": \"petal_width\", \"datatype\": \"FP64\", "
                        + "\"shape\": [2, 1], \"data\": [0.2, 0.3]}]}",
                400,
                "petal_width",
                "[2, 1]");
        error(
                iris,
                "{\"inputs\": [" + three + ", {\"name\": \"petal_width\", \"datatype\": \"FP64\", "
                        + "\"shape\": [3], \"data\": [0.2, 0.3, 0.4]}]}",
                400,
                "petal_width",
                "[3]",
                "2 rows");
        error(
                iris,
                "{\"inputs\": [" + three + ", {\"name\": \"petal_width\", \"datatype\": \"FP64\", "
                        + "\"shape\": [2], \"data\": [0.2, 0.3, 0.4]}]}",
                400,
                "petal_width",
                "[2]",
                "3 data values");
        error(
                iris,
                "{\"inputs\": [" + three + ", " + petalWidth + ", {\"name\": \"nope\", \"datatype\": \"FP64\", " + row
                        + "}]}",
                400,
                "'nope'",
                "petal_width");
        error(iris, "{\"inputs\": [" + three + "]}", 400, "petal_width", "Missing");
        error(
                iris,
                "{\"inputs\": [" + three + ", " + petalWidth.replace("[5.1, 6.2]", "[\"x\", \"y\"]") + "]}",
                400,
                "petal_width",
                "strings");
        error(
                iris,
                "{\"inputs\": [{\"name\": \"input\", \"datatype\": \"FP32\", \"shape\": [1, 4], "
                        + "\"data\": [1, 2, 3, 4]}]}",
                400,
                "input",
                "FP32",
                "FP64");
        error(
                iris,
                "{\"inputs\": [{\"name\": \"input\", \"datatype\": \"FP64\", \"shape\": [1, 5], "
                        + "\"data\": [1, 2, 3, 4, 5]}]}",
                400,
                "input",
                "[1, 5]",
                "[N, 4]");
        error(
                iris,
                "{\"inputs\": [{\"name\": \"input\", \"datatype\": \"FP64\", \"shape\": [2, 4], "
                        + "\"data\": [1, 2, 3, 4]}]}",
                400,
                "input",
                "8 elements");
        error(
                iris,
                "{\"inputs\": [" + three + ", " + petalWidth + "], \"outputs\": [{\"name\": \"logits\"}]}",
                400,
                "logits");

        // the request itself breaks the document's schema here: only the answer is checked against it
        errorOutsideSchema(
                iris, "{\"inputs\": [{\"name\": \"input\", \"datatype\": \"FP64\", \"data\": [1]}]}", 400, "shape");
        errorOutsideSchema(iris, "{\"inputs\": ", 400, "not valid JSON");
        errorOutsideSchema(iris, "", 400, "empty");
        errorOutsideSchema(iris, "{\"inputs\": []}", 400, "inputs");

        // categorical and date columns take BYTES; an unreadable date is the model's refusal, also a 400 here
        String cars = "/v2/models/" + regressor + "/infer";
        StringBuilder numbers = new StringBuilder();
        for (String c : new String[] {"Cylinders", "Displacement", "Horsepower", "Weight_in_lbs"}) {
            numbers.append("{\"name\": \"")
                    .append(c)
                    .append("\", \"datatype\": \"FP64\", \"shape\": [1], ")
                    .append("\"data\": [4]}, ");
        }
        String year = "{\"name\": \"Year\", \"datatype\": \"BYTES\", \"shape\": [1], \"data\": [\"1981-01-01\"]}";
        String origin = "{\"name\": \"Origin\", \"datatype\": \"BYTES\", \"shape\": [1], \"data\": [\"Japan\"]}";
        assertThat(infer(regressor, "{\"inputs\": [" + numbers + year + ", " + origin + "]}")
                        .statusCode())
                .isEqualTo(200);
        error(
                cars,
                "{\"inputs\": [" + numbers + year + ", " + origin.replace("BYTES", "FP64") + "]}",
                400,
                "Origin",
                "categorical",
                "BYTES");
        error(
                cars,
                "{\"inputs\": [" + numbers + year + ", " + origin.replace("[\"Japan\"]", "[3]") + "]}",
                400,
                "Origin",
                "numbers");
        error(
                cars,
                "{\"inputs\": [" + numbers + year.replace("1981-01-01", "yesterday") + ", " + origin + "]}",
                400,
                "Year",
                "ISO-8601");
        error(cars, "{\"inputs\": [" + numbers + year.replace("[1]", "[2]") + ", " + origin + "]}", 400, "Year");
    }

    @Test
    void unknownModelsAndPathsAnswer404InTheProtocolsShape() throws Exception {
        String body = "{\"inputs\": [{\"name\": \"input\", \"datatype\": \"FP64\", \"shape\": [1, 4], "
                + "\"data\": [1, 2, 3, 4]}]}";
        error("/v2/models/m-doesnotexist", null, 404, "m-doesnotexist");
        error("/v2/models/m-doesnotexist/ready", null, 404, "m-doesnotexist");
        error("/v2/models/m-doesnotexist/infer", body, 404, "m-doesnotexist");
        error("/v2/models/no-such-name/versions/3/infer", body, 404, "no-such-name");
        // not in the document at all: the shape is still the protocol's
        protocolError(http.get("/v2/nothing/here"), 404);
        protocolError(http.get("/v2/models/" + classifier + "/infer"), 405);
        protocolError(
                http.send(
                        "POST",
                        "/v2/models/" + classifier + "/infer",
                        "application/json",
                        "x".repeat(2_000_000).getBytes(StandardCharsets.UTF_8),
                        Map.of()),
                413);
    }

    /** A POST (body) or GET (null) answered with {@code status} in the protocol's shape, naming each of {@code says}. */
    private void error(String path, String body, int status, String... says) throws Exception {
        HttpResponse<String> r = body == null ? http.get(path) : http.postJson(path, body);
        valid(body == null ? "GET" : "POST", path, body, r, true);
        protocolError(r, status);
        String message = TestHttp.json(r).get("error").asString();
        for (String s : says) assertThat(message).as(path + " " + body).contains(s);
    }

    private void errorOutsideSchema(String path, String body, int status, String says) throws Exception {
        HttpResponse<String> r = http.postJson(path, body);
        valid("POST", path, body, r, false);
        protocolError(r, status);
        assertThat(TestHttp.json(r).get("error").asString()).containsIgnoringCase(says);
    }

    static void protocolError(HttpResponse<String> r, int status) {
        assertThat(r.statusCode()).as(r.body()).isEqualTo(status);
        assertThat(r.headers().firstValue("Content-Type").orElse("")).startsWith("application/json");
        JsonNode e = TestHttp.json(r);
        assertThat(e.isObject()).as(r.body()).isTrue();
        assertThat(e.size()).as(r.body()).isEqualTo(1);
        assertThat(e.get("error").asString()).isNotBlank();
    }

    // ------------------------------------------------------------------ exchanges, checked against the document

    private HttpResponse<String> get(String path) throws Exception {
        HttpResponse<String> r = http.get(path);
        assertThat(r.statusCode()).as(path + " -> " + r.body()).isEqualTo(200);
        valid("GET", path, null, r, true);
        return r;
    }

    private HttpResponse<String> infer(String model, String body) throws Exception {
        String path = "/v2/models/" + model + "/infer";
        HttpResponse<String> r = http.postJson(path, body);
        valid("POST", path, body, r, true);
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        return r;
    }

    private void valid(String method, String path, String body, HttpResponse<String> r, boolean request) {
        List<String> errors = new ArrayList<>(DOCUMENT.errors(method, path, body, r));
        if (!request) errors.removeIf(e -> e.startsWith("validation.request"));
        assertThat(errors)
                .as(method + " " + path + " " + body + " -> " + r.statusCode() + " " + r.body())
                .isEmpty();
        validated++;
    }

    private static List<String> names(JsonNode tensors) {
        List<String> names = new ArrayList<>();
        for (JsonNode t : tensors) names.add(t.get("name").asString());
        return names;
    }

    /** The CSV's rows, by the model's input names: FP64 cells as numbers, BYTES cells as strings, empty as null. */
    private static List<Map<String, Object>> rows(byte[] csv, Map<String, String> types) {
        String[] lines = new String(csv, StandardCharsets.UTF_8).split("\r?\n");
        String[] header = lines[0].split(",", -1);
        List<Map<String, Object>> rows = new ArrayList<>();
        for (int l = 1; l < lines.length; l++) {
            if (lines[l].isEmpty()) continue;
            String[] cells = lines[l].split(",", -1);
            Map<String, Object> row = new LinkedHashMap<>();
            for (int c = 0; c < header.length; c++) {
                String type = types.get(header[c]);
                if (type == null) continue;
                String cell = cells[c];
                row.put(header[c], cell.isEmpty() ? null : type.equals("FP64") ? Double.parseDouble(cell) : cell);
            }
            rows.add(row);
        }
        return rows;
    }
}
