package dev.bnserve.web;

import static dev.bnserve.web.ProblemAssertions.assertNoInternals;
import static dev.bnserve.web.ProblemAssertions.expectProblem;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.closeTo;
import static org.hamcrest.Matchers.containsString;
import static org.mockito.ArgumentMatchers.any;
import static org.mockito.ArgumentMatchers.eq;
import static org.mockito.Mockito.doThrow;
import static org.mockito.Mockito.when;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.get;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.post;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.content;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.jsonPath;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.status;

import dev.bnserve.model.FileModelStore;
import dev.bnserve.model.FileNameStore;
import dev.bnserve.model.ModelCatalog;
import dev.bnserve.model.ModelIds;
import dev.bnserve.model.ModelJson;
import dev.bnserve.model.ModelRecord;
import dev.bnserve.model.ModelStore;
import dev.bnserve.model.Task;
import dev.bnserve.model.TestModels;
import dev.bnserve.predict.PredictionService;
import dev.bnserve.predict.Predictions;
import dev.bnserve.problem.Violation;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.TestConfiguration;
import org.springframework.boot.webmvc.test.autoconfigure.AutoConfigureMockMvc;
import org.springframework.boot.webmvc.test.autoconfigure.WebMvcTest;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Import;
import org.springframework.http.MediaType;
import org.springframework.test.context.bean.override.mockito.MockitoBean;
import org.springframework.test.web.servlet.MockMvc;
import org.springframework.test.web.servlet.ResultActions;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * The prediction endpoints in a web slice with the real {@link PredictionService} over a real {@link ModelStore}
 * holding hand-built models whose answers are known in closed form; a nested class mocks the service instead.
 */
@WebMvcTest(controllers = PredictController.class, properties = "bnserve.limits.max-instances=5")
@AutoConfigureMockMvc(addFilters = false)
@Import({
    ApiExceptionHandler.class,
    PredictionService.class,
    PredictionCodec.class,
    CsvScoring.class,
    PredictControllerTest.StoreConfig.class
})
class PredictControllerTest {

    @TempDir
    static Path dataDir;

    @TestConfiguration(proxyBeanMethods = false)
    static class StoreConfig {
        @Bean
        ModelStore modelStore(JsonMapper mapper) {
            ModelStore store = new FileModelStore(dataDir, new ModelJson(mapper));
            store.load();
            return store;
        }

        @Bean
        ModelCatalog modelCatalog(ModelStore store, JsonMapper mapper) {
            return new ModelCatalog(store, new FileNameStore(dataDir, mapper));
        }

        @Bean
        MeterRegistry meterRegistry() {
            return new SimpleMeterRegistry();
        }
    }

    @Autowired
    MockMvc mvc;

    @Autowired
    ModelStore store;

    @Autowired
    JsonMapper mapper;

    @Autowired
    PredictionService predictions;

    static final Instant T0 = Instant.parse("2026-01-01T00:00:00Z");
    final String classifier = ModelIds.newId();
    final String regression = ModelIds.newId();

    /** A fresh store for every test: the classifier finished before the regression model (the latest). */
    @BeforeEach
    void models() {
        store.list().forEach(m -> store.delete(m.id()));
        store.save(TestModels.identityClassifier(classifier, T0));
        store.save(TestModels.affineRegression(regression, T0.plusSeconds(60)));
    }

    // ------------------------------------------------------------------ answers

    @Test
    void classifierAnswersWithSoftmaxProbabilities() throws Exception {
        // logits = inputs: (0, ln 3) gives probabilities (1/4, 3/4)
        mvc.perform(post("/models/" + classifier + "/predict")
                        .contentType(MediaType.APPLICATION_JSON)
                        .content("{\"features\": [0, " + Math.log(3) + "]}"))
                .andExpect(status().isOk())
                .andExpect(content().contentType(MediaType.APPLICATION_JSON))
                .andExpect(jsonPath("$.model").value(classifier))
                .andExpect(jsonPath("$.prediction").value("pos"))
                .andExpect(jsonPath("$.probabilities.neg", closeTo(0.25, 1e-15)))
                .andExpect(jsonPath("$.probabilities.pos", closeTo(0.75, 1e-15)))
                .andExpect(jsonPath("$.predictions").doesNotExist());
        // huge but finite logits stay finite (softmax is shifted by the max)
        mvc.perform(post("/models/" + classifier + "/predict")
                        .contentType(MediaType.APPLICATION_JSON)
                        .content("{\"features\": {\"b\": 1e300, \"a\": -1e300}}"))
                .andExpect(status().isOk())
                .andExpect(jsonPath("$.prediction").value("pos"))
                .andExpect(jsonPath("$.probabilities.pos").value(1.0))
                .andExpect(jsonPath("$.probabilities.neg").value(0.0));
    }

    @Test
    void regressionAnswersWithANumberAndNoProbabilities() throws Exception {
        // y = 1.5a - b + 0.25, from the stored running statistics
        mvc.perform(post("/models/" + regression + "/predict")
                        .contentType(MediaType.APPLICATION_JSON)
                        .content("{\"features\": {\"a\": 3, \"b\": 1}}"))
                .andExpect(status().isOk())
                .andExpect(jsonPath("$.model").value(regression))
                .andExpect(jsonPath("$.prediction", closeTo(3.75, 1e-9)))
                .andExpect(jsonPath("$.probabilities").doesNotExist());
    }

    @Test
    void aRowsAnswerDoesNotDependOnItsBatch() throws Exception {
        String alone = answer("/models/" + regression + "/predict", "{\"features\": [3, 1]}")
                .get("prediction")
                .toString();
        JsonNode batch = answer(
                "/models/" + regression + "/predict",
                "{\"instances\": [[100, -100], {\"b\": 1, \"a\": 3}, [3, 1], [-7e6, 1e-300], {\"a\": 3, \"b\": 1}]}");
        assertThat(batch.get("predictions")).hasSize(5);
        assertThat(batch.get("predictions").get(1).get("prediction").toString()).isEqualTo(alone);
        assertThat(batch.get("predictions").get(2).get("prediction").toString()).isEqualTo(alone);
        assertThat(batch.get("predictions").get(4).get("prediction").toString()).isEqualTo(alone);
        assertThat(batch.get("predictions").get(0).get("prediction").asDouble())
                .isCloseTo(250.25, org.assertj.core.data.Offset.offset(1e-9));
        assertThat(batch.get("model").asString()).isEqualTo(regression);
    }

    @Test
    void predictWithoutAModelUsesTheMostRecentlyFinishedOne() throws Exception {
        assertThat(answer("/predict", "{\"features\": [3, 1]}").get("model").asString())
                .isEqualTo(regression);
        assertThat(answer("/predict", "{\"model\": \"" + classifier + "\", \"features\": [3, 1]}")
                        .get("model")
                        .asString())
                .isEqualTo(classifier);
        assertThat(answer("/predict", "{\"features\": [3, 1], \"model\": null}")
                        .get("model")
                        .asString())
                .isEqualTo(regression);
        // a model finishing later takes over; deleting it hands back
        String newer = ModelIds.newId();
        store.save(TestModels.identityClassifier(newer, T0.plusSeconds(120)));
        assertThat(answer("/predict", "{\"features\": [3, 1]}").get("model").asString())
                .isEqualTo(newer);
        store.delete(newer);
        assertThat(answer("/predict", "{\"features\": [3, 1]}").get("model").asString())
                .isEqualTo(regression);
        // an older import does not
        store.save(TestModels.identityClassifier(ModelIds.newId(), T0.minusSeconds(120)));
        assertThat(answer("/predict", "{\"features\": [3, 1]}").get("model").asString())
                .isEqualTo(regression);
    }

    @Test
    void withoutAnyReadyModelPredictIs409() throws Exception {
        store.list().forEach(m -> store.delete(m.id()));
        store.save(TestModels.training(ModelIds.newId()));
        expectProblem(
                        mvc.perform(post("/predict")
                                .contentType(MediaType.APPLICATION_JSON)
                                .content("{\"features\": [1, 2]}")),
                        409)
                .andExpect(jsonPath("$.title").value("No model ready"));
    }

    @Test
    void unknownModelIs404AndAModelInTrainingIs409() throws Exception {
        String unknown = ModelIds.newId();
        expectProblem(predict("/models/" + unknown + "/predict", "{\"features\": [1, 2]}"), 404)
                .andExpect(jsonPath("$.detail").value("No model with id '" + unknown + "'."));
        expectProblem(predict("/predict", "{\"model\": \"" + unknown + "\", \"features\": [1, 2]}"), 404);
        for (String hostile : List.of("../../etc/passwd", "..", "secret", "m-../../x", "x".repeat(300))) {
            expectProblem(predict("/predict", "{\"model\": \"" + hostile + "\", \"features\": [1, 2]}"), 404);
        }
        expectProblem(
                mvc.perform(post("/models/{id}/predict", "../../etc/passwd")
                        .contentType(MediaType.APPLICATION_JSON)
                        .content("{\"features\": [1, 2]}")),
                404);

        String training = ModelIds.newId();
        store.save(TestModels.training(training));
        expectProblem(predict("/models/" + training + "/predict", "{\"features\": [1, 2]}"), 409)
                .andExpect(jsonPath("$.title").value("Model not ready"))
                .andExpect(jsonPath("$.detail", containsString("training")));
        expectProblem(predict("/predict", "{\"model\": \"" + training + "\", \"features\": [1, 2]}"), 409);
        // a failed model says why
        store.save(TestModels.training(training)
                .withStatus(dev.bnserve.model.ModelStatus.FAILED, "out of memory", Instant.now()));
        expectProblem(predict("/models/" + training + "/predict", "{\"features\": [1, 2]}"), 409)
                .andExpect(jsonPath("$.detail", containsString("out of memory")));
    }

    // ------------------------------------------------------------------ bad rows

    @Test
    void wrongArityNamesTheRow() throws Exception {
        expectProblem(predict("/models/" + classifier + "/predict", "{\"features\": [1]}"), 422)
                .andExpect(jsonPath("$.errors[0].field").value("features"))
                .andExpect(jsonPath("$.detail", containsString("[a, b]")));
        expectProblem(predict("/models/" + classifier + "/predict", "{\"features\": []}"), 422);
        expectProblem(predict("/models/" + classifier + "/predict", "{\"instances\": [[1, 2], [1, 2, 3]]}"), 422)
                .andExpect(jsonPath("$.errors[0].field").value("instances[1]"));
    }

    @Test
    void featureNamesAreChecked() throws Exception {
        expectProblem(
                        predict("/models/" + classifier + "/predict", "{\"features\": {\"a\": 1, \"b\": 2, \"c\": 3}}"),
                        422)
                .andExpect(jsonPath("$.errors[0].field").value("features.c"))
                .andExpect(jsonPath("$.errors[0].message", containsString("unknown feature")));
        expectProblem(predict("/models/" + classifier + "/predict", "{\"features\": {\"a\": 1}}"), 422)
                .andExpect(jsonPath("$.errors[0].field").value("features.b"))
                .andExpect(jsonPath("$.errors[0].message").value("missing feature"));
        expectProblem(
                        predict("/models/" + classifier + "/predict", "{\"features\": {\"a\": 1, \"a\": 2, \"b\": 3}}"),
                        422)
                .andExpect(jsonPath("$.errors[0].field").value("features.a"));
        expectProblem(
                        predict(
                                "/models/" + classifier + "/predict",
                                "{\"instances\": [{\"a\": 1, \"b\": 2}, {\"A\": 1, \"b\": 2}]}"),
                        422)
                .andExpect(jsonPath("$.errors[?(@.field == 'instances[1].A')]").exists())
                .andExpect(jsonPath("$.errors[?(@.field == 'instances[1].a')]").exists());
    }

    @Test
    void valuesMustBeFiniteNumbers() throws Exception {
        for (String[] c : new String[][] {
            {"[1, \"2\"]", "features[1]"},
            {"[1, null]", "features[1]"},
            {"[true, 2]", "features[0]"},
            {"[1, [2]]", "features[1]"},
            {"[1, {\"x\": 2}]", "features[1]"},
            {"[1e999, 2]", "features[0]"},
            {"[1, -1e999]", "features[1]"},
            {"{\"a\": \"1\", \"b\": 2}", "features.a"},
            {"{\"a\": 1, \"b\": 1e400}", "features.b"}
        }) {
            String body = expectProblem(
                            predict("/models/" + classifier + "/predict", "{\"features\": " + c[0] + "}"), 422)
                    .andExpect(jsonPath("$.errors[0].field").value(c[1]))
                    .andReturn()
                    .getResponse()
                    .getContentAsString();
            assertNoInternals(body);
        }
    }

    @Test
    void overflowingOutputIs422() throws Exception {
        // 1.5 * (1e308 - 1) / 1 overflows to infinity in the regression model
        expectProblem(predict("/models/" + regression + "/predict", "{\"features\": [1.7e308, -1.7e308]}"), 422)
                .andExpect(jsonPath("$.detail", containsString("not finite")));
    }

    @Test
    void malformedBodiesAre400WithoutInternals() throws Exception {
        for (String bad : List.of(
                "{\"features\": [1, 2",
                "{\"features\": [1, 2]} trailing",
                "[1, 2]",
                "\"features\"",
                "{features: [1, 2]}",
                "{\"features\": 5}",
                "{\"model\": 5, \"features\": [1, 2]}",
                "{\"instances\": {\"a\": 1}}",
                "{\"model\": \"" + classifier + "\"}",
                "{\"features\": [1, 2], \"instances\": [[1, 2]]}",
                "",
                "{\"features\": [1, 2]}{}")) {
            String body = expectProblem(predict("/models/" + classifier + "/predict", bad), 400)
                    .andReturn()
                    .getResponse()
                    .getContentAsString();
            assertNoInternals(body);
            assertThat(body).doesNotContain("byte[]", "Source:", "line:");
        }
        expectProblem(predict("/models/" + classifier + "/predict", "{\"instances\": []}"), 422)
                .andExpect(jsonPath("$.errors[0].field").value("instances"));
    }

    @Test
    void unknownTopLevelFieldsAreIgnored() throws Exception {
        answer(
                "/models/" + classifier + "/predict",
                "{\"features\": [1, 2], \"extra\": {\"nested\": [1, {\"x\": null}]}, \"other\": 1}");
    }

    @Test
    void tooManyInstancesIs413() throws Exception {
        answer("/models/" + classifier + "/predict", "{\"instances\": [[1, 2], [1, 2], [1, 2], [1, 2], [1, 2]]}");
        expectProblem(
                        predict(
                                "/models/" + classifier + "/predict",
                                "{\"instances\": [[1, 2], [1, 2], [1, 2], [1, 2], [1, 2], [1, 2]]}"),
                        413)
                .andExpect(jsonPath("$.errors[0].field").value("instances"));
    }

    @Test
    void wrongContentTypeIs415AndWrongMethodIs405() throws Exception {
        expectProblem(
                mvc.perform(post("/models/" + classifier + "/predict")
                        .contentType(MediaType.TEXT_PLAIN)
                        .content("1,2")),
                415);
        expectProblem(mvc.perform(post("/predict").contentType("text/csv").content("1,2")), 415);
        expectProblem(
                mvc.perform(post("/predict")
                        .contentType(MediaType.APPLICATION_FORM_URLENCODED)
                        .content("features=1")),
                415);
        expectProblem(mvc.perform(get("/predict")), 405);
        expectProblem(mvc.perform(get("/models/" + classifier + "/predict")), 405);
    }

    @Test
    void predictionsDoNotChangeTheStoredModel() throws Exception {
        ModelRecord before = store.get(regression).orElseThrow();
        for (int i = 0; i < 20; i++) {
            answer("/models/" + regression + "/predict", "{\"instances\": [[" + i + ", 1e6], [-1e6, " + i + "]]}");
        }
        ModelRecord after = store.get(regression).orElseThrow();
        assertThat(after).isSameAs(before);
        assertThat(after.layers())
                .isEqualTo(TestModels.affineRegression(regression, T0).layers());
    }

    /** The same slice with the service mocked: whatever it throws reaches the client as a problem. */
    @Nested
    class WithAMockedService {

        @MockitoBean
        PredictionService mocked;

        @Test
        void apiExceptionsFromTheServiceArePropagated() throws Exception {
            when(mocked.predict(eq(classifier), any()))
                    .thenThrow(PredictionService.invalid(
                            "Feature 'a' must be a number, got a string.",
                            List.of(Violation.field("features.a", "must be a number"))));
            expectProblem(
                            predict("/models/" + classifier + "/predict", "{\"features\": {\"a\": \"x\", \"b\": 2}}"),
                            422)
                    .andExpect(jsonPath("$.title").value("Invalid prediction request"))
                    .andExpect(jsonPath("$.errors[0].field").value("features.a"))
                    .andExpect(jsonPath("$.errors[0].message").value("must be a number"));
        }

        @Test
        void theBodyIsPassedThroughAsBytesAndTheAnswerReturnedAsIs() throws Exception {
            String answer = "{\"model\":\"m\",\"prediction\":1.0000000000000002}";
            when(mocked.predict(any(), any()))
                    .thenReturn(new Predictions(
                            "m",
                            Task.REGRESSION,
                            null,
                            true,
                            1,
                            1,
                            new double[] {1.0000000000000002},
                            null,
                            null,
                            null,
                            null,
                            null));
            String body = "{\"features\": [1, 2]}";
            String text = predict("/predict", body)
                    .andExpect(status().isOk())
                    .andExpect(content().contentType(MediaType.APPLICATION_JSON))
                    .andReturn()
                    .getResponse()
                    .getContentAsString();
            assertThat(text).isEqualTo(answer);
            org.mockito.Mockito.verify(mocked)
                    .predict(
                            org.mockito.ArgumentMatchers.isNull(),
                            org.mockito.ArgumentMatchers.argThat(r -> r.single()
                                    && r.model() == null
                                    && java.util.Arrays.equals(r.rows().get(0).values(), new double[] {1, 2})));
        }

        @Test
        void unexpectedFailureIs500RevealingNothing() throws Exception {
            doThrow(new IllegalStateException("boom in dev.bnserve.nn.InferencePlan at /secret/path"))
                    .when(mocked)
                    .predict(eq(classifier), any());
            String body = expectProblem(predict("/models/" + classifier + "/predict", "{\"features\": [1, 2]}"), 500)
                    .andExpect(jsonPath("$.detail").value(ApiExceptionHandler.INTERNAL_DETAIL))
                    .andReturn()
                    .getResponse()
                    .getContentAsString();
            assertNoInternals(body);
            assertThat(body).doesNotContain("boom", "/secret");
        }
    }

    // ------------------------------------------------------------------ helpers

    private ResultActions predict(String path, String body) throws Exception {
        return mvc.perform(post(path).contentType(MediaType.APPLICATION_JSON).content(body));
    }

    private JsonNode answer(String path, String body) throws Exception {
        String text = predict(path, body)
                .andExpect(status().isOk())
                .andExpect(content().contentType(MediaType.APPLICATION_JSON))
                .andReturn()
                .getResponse()
                .getContentAsString();
        return mapper.readTree(text);
    }
}
