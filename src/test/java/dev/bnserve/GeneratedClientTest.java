package dev.bnserve;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.bnserve.client.ApiClient;
import dev.bnserve.client.ApiException;
import dev.bnserve.client.api.AliasesApi;
import dev.bnserve.client.api.DatasetsApi;
import dev.bnserve.client.api.ModelsApi;
import dev.bnserve.client.api.PredictionApi;
import dev.bnserve.client.model.Alias;
import dev.bnserve.client.model.AliasTarget;
import dev.bnserve.client.model.Dataset;
import dev.bnserve.client.model.Layer;
import dev.bnserve.client.model.Model;
import dev.bnserve.client.model.PredictRequest;
import dev.bnserve.client.model.Prediction;
import dev.bnserve.client.model.RowPrediction;
import dev.bnserve.client.model.TrainingRequest;
import java.io.File;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.annotation.DirtiesContext;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import tools.jackson.databind.JsonNode;

/**
 * A client generated at build time by openapi-generator (java, native library) from the committed
 * {@code src/main/resources/openapi.yaml} drives the whole flow against a real server, as a user of the document would:
 * upload a CSV, train a named model, poll until ready, predict one row and a batch, export as JSON and as ONNX bytes,
 * point an alias and predict through it. Every call returns a typed answer (no {@code null} for 201/202 answers), and
 * each is checked against the same request sent as plain HTTP, so a body the client encodes wrongly (twice, or not
 * at all) cannot pass.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
@DirtiesContext
class GeneratedClientTest {
    static final String NAME = "flowers";
    static final String ROW_JSON =
            "{\"features\":{\"sepal_length\":5.9,\"sepal_width\":3.0,\"petal_length\":4.2,\"petal_width\":1.5}}";

    @TempDir
    static Path dataDir;

    @TempDir
    Path work;

    @DynamicPropertySource
    static void properties(DynamicPropertyRegistry registry) {
        registry.add("bnserve.data-dir", () -> dataDir.toString());
    }

    @LocalServerPort
    int port;

    @Test
    void uploadTrainPollPredictExportAliasThroughTheGeneratedClient() throws Exception {
        ApiClient client = new ApiClient();
        client.updateBaseUri("http://localhost:" + port);
        DatasetsApi datasets = new DatasetsApi(client);
        ModelsApi models = new ModelsApi(client);
        PredictionApi prediction = new PredictionApi(client);
        AliasesApi aliases = new AliasesApi(client);
        TestHttp http = new TestHttp(port);

        // upload (multipart, the CSV as a file)
        File csv = work.resolve("iris.csv").toFile();
        Files.write(csv.toPath(), TestHttp.resource("iris"));
        Dataset dataset = datasets.uploadDataset(csv, "iris", null, null);
        assertThat(dataset.getId()).startsWith("d-");
        assertThat(dataset.getRows()).isEqualTo(150);
        assertThat(dataset.getColumns()).hasSize(5);
        assertThat(dataset.getColumns().get(4).getType().getValue()).isEqualTo("categorical");

        // train, with a name: 202 and the queued model, typed
        Model queued = models.trainModel(new TrainingRequest()
                .dataset("iris")
                .label("species")
                .name(NAME)
                .epochs(20)
                .hidden(List.of(16)));
        assertThat(queued.getId()).startsWith("m-");
        assertThat(queued.getName()).isEqualTo(NAME);
        assertThat(queued.getVersion()).isEqualTo(1);
        assertThat(queued.getDataset()).isEqualTo(dataset.getId());
        assertThat(queued.getStatus()).isIn(Model.StatusEnum.QUEUED, Model.StatusEnum.TRAINING);
        assertThat(queued.getRequest().getBatchSize()).as("defaults filled in").isEqualTo(32);

        // poll until ready
        Model ready = awaitReady(models, queued.getId());
        assertThat(ready.getFormatVersion()).isEqualTo(3);
        assertThat(ready.getClasses()).containsExactly("setosa", "versicolor", "virginica");
        assertThat(ready.getLayers()).extracting(Layer::getType).contains(Layer.TypeEnum.BATCHNORM);
        assertThat(ready.getMetrics().getValidationAccuracy()).isNotNull();
        assertThat(models.listModels(NAME)).extracting(Model::getId).containsExactly(ready.getId());

        // predict one row, by name: the same answer as the raw request
        Map<String, Object> row = new LinkedHashMap<>();
        row.put("sepal_length", 5.9);
        row.put("sepal_width", 3.0);
        row.put("petal_length", 4.2);
        row.put("petal_width", 1.5);
        Prediction one = prediction.predict(ready.getId(), new PredictRequest().features(row), null);
        JsonNode raw = TestHttp.json(http.postJson("/models/" + ready.getId() + "/predict", ROW_JSON));
        assertThat(one.getModel()).isEqualTo(ready.getId());
        assertThat(one.getName()).isEqualTo(NAME);
        assertThat(one.getVersion()).isEqualTo(1);
        assertThat(one.getPrediction())
                .isInstanceOf(String.class)
                .isEqualTo(raw.get("prediction").asString());
        assertThat(one.getProbabilities()).hasSize(3);
        for (String c : ready.getClasses()) {
            assertThat(one.getProbabilities().get(c))
                    .isEqualTo(raw.get("probabilities").get(c).asDouble());
        }

        // a batch: the array form and the named form of the same row answer alike
        Prediction batch = prediction.predict(
                NAME, new PredictRequest().instances(List.of(List.of(5.9, 3.0, 4.2, 1.5), row)), null);
        assertThat(batch.getPredictions()).hasSize(2);
        for (RowPrediction p : batch.getPredictions()) {
            assertThat(p.getPrediction()).isEqualTo(one.getPrediction());
            assertThat(p.getProbabilities()).isEqualTo(one.getProbabilities());
        }

        // export as JSON (the model document) and as ONNX bytes (the same bytes as ?format=onnx)
        Model exported = models.exportModel(NAME, null, null);
        assertThat(exported.getFormat()).isEqualTo("bnserve-model");
        assertThat(exported.getId()).isEqualTo(ready.getId());
        assertThat(exported.getLayers()).hasSameSizeAs(ready.getLayers());
        File onnx = models.exportOnnx(NAME, null);
        byte[] onnxBytes = Files.readAllBytes(onnx.toPath());
        HttpResponse<byte[]> rawOnnx = http.getBytes("/models/" + ready.getId() + "/export?format=onnx");
        assertThat(rawOnnx.statusCode()).isEqualTo(200);
        assertThat(onnxBytes).isNotEmpty().isEqualTo(rawOnnx.body());
        byte[] folded = Files.readAllBytes(models.exportOnnx(NAME, "true").toPath());
        assertThat(folded)
                .isEqualTo(http.getBytes("/models/" + ready.getId() + "/export?format=onnx&fold=true")
                        .body());

        // point an alias, predict by name@alias (path and body)
        Alias alias = aliases.putAlias(NAME, "production", new AliasTarget().version(1));
        assertThat(alias.getModel()).isEqualTo(ready.getId());
        assertThat(alias.getVersion()).isEqualTo(1);
        assertThat(aliases.listAliases(NAME).getAliases()).containsOnlyKeys("production");
        Prediction viaAlias = prediction.predict(NAME + "@production", new PredictRequest().features(row), null);
        assertThat(viaAlias.getModel()).isEqualTo(ready.getId());
        assertThat(viaAlias.getProbabilities()).isEqualTo(one.getProbabilities());
        Prediction viaBody = prediction.predictDefault(
                new PredictRequest().model(NAME + "@production").features(row));
        assertThat(viaBody.getVersion()).isEqualTo(1);
        assertThat(viaBody.getWarnings()).as("a model was named").isNullOrEmpty();
        assertThat(viaBody.getProbabilities()).isEqualTo(one.getProbabilities());

        // errors arrive as ApiExceptions carrying the problem
        assertThatThrownBy(() -> prediction.predict(NAME, new PredictRequest().features(List.of(1.0)), null))
                .isInstanceOfSatisfying(ApiException.class, e -> {
                    assertThat(e.getCode()).isEqualTo(422);
                    assertThat(e.getResponseBody()).contains("/problems/invalid-prediction-request");
                });
        assertThatThrownBy(() -> aliases.deleteAlias(NAME, "nope"))
                .isInstanceOfSatisfying(
                        ApiException.class, e -> assertThat(e.getCode()).isEqualTo(404));
        aliases.deleteAlias(NAME, "production");
        assertThat(aliases.listAliases(NAME).getAliases()).isEmpty();
    }

    private static Model awaitReady(ModelsApi models, String id) throws Exception {
        Instant deadline = Instant.now().plus(Duration.ofSeconds(120));
        while (true) {
            Model m = models.getModel(id);
            if (m.getStatus() == Model.StatusEnum.READY) return m;
            assertThat(m.getStatus()).isIn(Model.StatusEnum.QUEUED, Model.StatusEnum.TRAINING);
            assertThat(Instant.now()).as("ready within 120 s").isBefore(deadline);
            Thread.sleep(100);
        }
    }
}
