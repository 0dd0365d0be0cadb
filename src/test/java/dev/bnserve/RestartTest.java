package dev.bnserve;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import dev.bnserve.model.ModelIds;
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
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

/**
 * Two application instances in sequence on one data directory: whatever the first stored, the second serves
 * identically; jobs the first left unfinished come back failed; unreadable files do not stop it from starting.
 */
class RestartTest {

    static final JsonMapper JSON = JsonMapper.builder().build();
    static final HttpClient HTTP =
            HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    static final String ROWS =
            "{\"instances\": [[5.1, 3.5, 1.4, 0.2], {\"petal_width\": 1.4, \"petal_length\": 4.7, \"sepal_width\": 3.2, \"sepal_length\": 7.0},"
                    + " [6.3, 3.3, 6.0, 2.5], [0.0, -1e-300, 100.0, 4.9e-324]]}";

    @TempDir
    Path dataDir;

    @Test
    void datasetsModelsAndAnswersSurviveARestart() throws Exception {
        String dataset;
        String model;
        String regression;
        String answers;
        String regressionAnswers;
        String layers;
        String interrupted = ModelIds.newId();
        String corrupt = ModelIds.newId();

        try (Instance first = Instance.start(dataDir)) {
            HttpResponse<String> up = first.send("POST", "/datasets?name=iris", "text/csv", resource("iris"));
            assertThat(up.statusCode()).as(up.body()).isEqualTo(201);
            dataset = JSON.readTree(up.body()).get("id").asString();

            model = first.train("{\"dataset\": \"" + dataset + "\", \"label\": \"species\", \"epochs\": 15}");
            regression = first.train(
                    "{\"dataset\": \"" + dataset
                            + "\", \"label\": \"petal_width\", \"features\": [\"sepal_length\", \"sepal_width\", \"petal_length\"], \"epochs\": 10,"
                            + " \"batchNorm\": {\"momentum\": null, \"statistics\": \"population\"}, \"activation\": \"tanh\"}");
            JsonNode ready = first.awaitStatus(model, "ready");
            first.awaitStatus(regression, "ready");
            layers = ready.get("layers").toString();
            answers = first.predict("/models/" + model + "/predict", ROWS);
            regressionAnswers = first.predict(
                    "/models/" + regression + "/predict",
                    "{\"instances\": [[5.1, 3.5, 1.4], [7.0, 3.2, 4.7], [1e-300, -0.0, 6.0]]}");
            // the latest ready model answers /predict without a model
            assertThat(JSON.readTree(first.predict("/predict", "{\"features\": [5.1, 3.5, 1.4]}"))
                            .get("model")
                            .asString())
                    .isEqualTo(regression);

            // a job that was training when the service stopped: a ready model's document with status "training"
            ObjectNode doc = (ObjectNode)
                    JSON.readTree(Files.readString(dataDir.resolve("models").resolve(model + ".json")));
            doc.put("id", interrupted);
            doc.put("status", "training");
            doc.putNull("finished");
            Files.writeString(dataDir.resolve("models").resolve(interrupted + ".json"), doc.toString());
            // and a file cut short
            Files.writeString(
                    dataDir.resolve("models").resolve(corrupt + ".json"),
                    doc.toString().substring(0, 200));
        }

        try (Instance second = Instance.start(dataDir)) {
            HttpResponse<String> datasets = second.get("/datasets");
            assertThat(datasets.statusCode()).isEqualTo(200);
            assertThat(JSON.readTree(datasets.body()).findValuesAsString("id")).containsExactly(dataset);
            JsonNode ds = JSON.readTree(second.get("/datasets/" + dataset).body());
            assertThat(ds.get("rows").asInt()).isEqualTo(150);
            assertThat(ds.get("name").asString()).isEqualTo("iris");

            HttpResponse<String> list = second.get("/models");
            assertThat(list.statusCode()).isEqualTo(200);
            assertThat(JSON.readTree(list.body()).findValuesAsString("id"))
                    .containsExactlyInAnyOrder(model, regression, interrupted);

            JsonNode m = JSON.readTree(second.get("/models/" + model).body());
            assertThat(m.get("status").asString()).isEqualTo("ready");
            assertThat(m.get("layers").toString()).isEqualTo(layers);
            assertThat(second.predict("/models/" + model + "/predict", ROWS)).isEqualTo(answers);
            assertThat(second.predict("/predict", "{\"model\": \"" + model + "\", " + ROWS.substring(1)))
                    .isEqualTo(answers);
            assertThat(second.predict(
                            "/models/" + regression + "/predict",
                            "{\"instances\": [[5.1, 3.5, 1.4], [7.0, 3.2, 4.7], [1e-300, -0.0, 6.0]]}"))
                    .isEqualTo(regressionAnswers);
            JsonNode reg = JSON.readTree(second.get("/models/" + regression).body());
            assertThat(reg.at("/request/batchNorm").has("momentum")).isTrue();
            assertThat(reg.at("/request/batchNorm/momentum").isNull()).isTrue();
            assertThat(reg.at("/layers/0/momentum").isNull()).isTrue();
            // still the latest ready model after the restart
            assertThat(JSON.readTree(second.predict("/predict", "{\"features\": [5.1, 3.5, 1.4]}"))
                            .get("model")
                            .asString())
                    .isEqualTo(regression);

            JsonNode failed = JSON.readTree(second.get("/models/" + interrupted).body());
            assertThat(failed.get("status").asString()).isEqualTo("failed");
            assertThat(failed.get("error").asString()).containsIgnoringCase("interrupt");
            HttpResponse<String> notReady = second.send(
                    "POST",
                    "/models/" + interrupted + "/predict",
                    "application/json",
                    "{\"features\": [5.1, 3.5, 1.4, 0.2]}".getBytes(StandardCharsets.UTF_8));
            assertThat(notReady.statusCode()).isEqualTo(409);
            assertThat(notReady.body()).contains("interrupt");
            // the recovery was written back
            assertThat(JSON.readTree(Files.readString(dataDir.resolve("models").resolve(interrupted + ".json")))
                            .get("status")
                            .asString())
                    .isEqualTo("failed");

            HttpResponse<String> skipped = second.get("/models/" + corrupt);
            assertThat(skipped.statusCode()).isEqualTo(404);
            assertThat(skipped.headers().firstValue("Content-Type").orElse("")).startsWith("application/problem+json");

            // the reloaded dataset trains again
            String again = second.train("{\"dataset\": \"" + dataset + "\", \"label\": \"species\", \"epochs\": 3}");
            second.awaitStatus(again, "ready");
        }
    }

    @Test
    void unreadableFilesDoNotStopTheServiceFromStarting() throws Exception {
        Path models = Files.createDirectories(dataDir.resolve("models"));
        Files.writeString(models.resolve(ModelIds.newId() + ".json"), "{ this is not json");
        Files.writeString(models.resolve(ModelIds.newId() + ".json"), "");
        Files.writeString(
                models.resolve(ModelIds.newId() + ".json"), "{\"format\": \"bnserve-model\", \"version\": 99}");
        Files.write(models.resolve(ModelIds.newId() + ".json"), new byte[] {(byte) 0xc3, 0x28, 0, (byte) 0xff});
        Files.writeString(models.resolve("README.txt"), "not a model");
        Files.writeString(models.resolve(ModelIds.newId() + ".123.tmp"), "{\"half\": ");
        Files.createDirectories(dataDir.resolve("datasets"));

        try (Instance instance = Instance.start(dataDir)) {
            HttpResponse<String> health = instance.get("/actuator/health");
            assertThat(health.statusCode()).isEqualTo(200);
            assertThat(JSON.readTree(instance.get("/models").body()).size()).isZero();
            assertThat(JSON.readTree(instance.get("/datasets").body()).size()).isZero();
            HttpResponse<String> none = instance.send(
                    "POST", "/predict", "application/json", "{\"features\": [1]}".getBytes(StandardCharsets.UTF_8));
            assertThat(none.statusCode()).isEqualTo(409);
        }
        try (Stream<Path> files = Files.list(models)) {
            assertThat(files.map(p -> p.getFileName().toString()))
                    .noneMatch(n -> n.endsWith(".tmp"))
                    .contains("README.txt");
        }
    }

    // ------------------------------------------------------------------ helpers

    /** One running application on a random port. */
    record Instance(ConfigurableApplicationContext context, int port) implements AutoCloseable {

        static Instance start(Path dataDir) {
            ConfigurableApplicationContext ctx = new SpringApplicationBuilder(BnserveApplication.class)
                    .properties("server.port=0", "bnserve.data-dir=" + dataDir, "spring.main.banner-mode=off")
                    .run();
            String port = ctx.getEnvironment().getProperty("local.server.port");
            assertThat(port).isNotNull();
            return new Instance(ctx, Integer.parseInt(port));
        }

        @Override
        public void close() {
            context.close();
        }

        HttpResponse<String> get(String path) throws IOException, InterruptedException {
            return send("GET", path, null, null);
        }

        HttpResponse<String> send(String method, String path, String contentType, byte[] body)
                throws IOException, InterruptedException {
            HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://localhost:" + port + path))
                    .timeout(Duration.ofSeconds(30));
            if (contentType != null) b.header("Content-Type", contentType);
            b.method(
                    method,
                    body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofByteArray(body));
            return HTTP.send(b.build(), HttpResponse.BodyHandlers.ofString());
        }

        String train(String body) throws IOException, InterruptedException {
            HttpResponse<String> r = send("POST", "/models", "application/json", body.getBytes(StandardCharsets.UTF_8));
            assertThat(r.statusCode()).as(r.body()).isEqualTo(202);
            return JSON.readTree(r.body()).get("id").asString();
        }

        /** The answer's {@code predictions} (or the single answer without {@code model}) as JSON text. */
        String predict(String path, String body) throws IOException, InterruptedException {
            HttpResponse<String> r = send("POST", path, "application/json", body.getBytes(StandardCharsets.UTF_8));
            assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
            return r.body();
        }

        JsonNode awaitStatus(String id, String status) throws IOException, InterruptedException {
            long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
            while (true) {
                JsonNode m = JSON.readTree(get("/models/" + id).body());
                String s = m.get("status").asString();
                if (s.equals(status)) return m;
                if (List.of("ready", "failed", "cancelled").contains(s))
                    fail("model " + id + " is " + s + " (" + m.get("error") + ")");
                if (System.nanoTime() > deadline) fail("model " + id + " still " + s + " after 60 s");
                Thread.sleep(20);
            }
        }
    }

    static byte[] resource(String name) throws IOException {
        try (InputStream in = RestartTest.class.getResourceAsStream("/data/" + name + ".csv")) {
            assertThat(in).as(name).isNotNull();
            return in.readAllBytes();
        }
    }
}
