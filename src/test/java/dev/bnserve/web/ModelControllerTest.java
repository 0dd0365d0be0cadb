package dev.bnserve.web;

import static dev.bnserve.web.ProblemAssertions.assertNoInternals;
import static dev.bnserve.web.ProblemAssertions.expectProblem;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.hasSize;
import static org.hamcrest.Matchers.not;
import static org.mockito.ArgumentMatchers.any;
import static org.mockito.ArgumentMatchers.anyString;
import static org.mockito.Mockito.never;
import static org.mockito.Mockito.verify;
import static org.mockito.Mockito.when;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.delete;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.get;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.post;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.content;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.header;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.jsonPath;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.request;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.status;

import dev.bnserve.model.FileNameStore;
import dev.bnserve.model.ModelCatalog;
import dev.bnserve.model.ModelIds;
import dev.bnserve.model.ModelJson;
import dev.bnserve.model.ModelRecord;
import dev.bnserve.model.ModelStatus;
import dev.bnserve.model.ModelStore;
import dev.bnserve.model.TestModels;
import dev.bnserve.model.TrainingSpec;
import dev.bnserve.model.TrainingSpecJson;
import dev.bnserve.problem.Problem;
import dev.bnserve.problem.Violation;
import dev.bnserve.training.TrainingService;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.mockito.AdditionalAnswers;
import org.mockito.ArgumentCaptor;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.TestConfiguration;
import org.springframework.boot.webmvc.test.autoconfigure.AutoConfigureMockMvc;
import org.springframework.boot.webmvc.test.autoconfigure.WebMvcTest;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Import;
import org.springframework.http.MediaType;
import org.springframework.test.context.bean.override.mockito.MockitoBean;
import org.springframework.test.web.servlet.MockMvc;
import org.springframework.test.web.servlet.MvcResult;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

/**
 * The /models endpoints in a web slice: the training service and the store are mocks, the model document is the
 * real {@link ModelJson}. Security filters are left out (they have their own tests); this is about the controller
 * and {@link ApiExceptionHandler}.
 */
@WebMvcTest(ModelController.class)
@AutoConfigureMockMvc(addFilters = false)
@Import({ApiExceptionHandler.class, ModelControllerTest.JsonConfig.class})
class ModelControllerTest {

    @TestConfiguration(proxyBeanMethods = false)
    static class JsonConfig {
        @Bean
        ModelJson modelJson(JsonMapper mapper) {
            return new ModelJson(mapper);
        }

        @Bean
        dev.bnserve.problem.HeapBudget heapBudget() {
            return new dev.bnserve.problem.HeapBudget(0.8);
        }

        /** The real catalog over the mocked store, with names kept in a temporary directory. */
        @Bean
        ModelCatalog modelCatalog(ModelStore store, JsonMapper mapper) throws java.io.IOException {
            return new ModelCatalog(
                    store, new FileNameStore(java.nio.file.Files.createTempDirectory("bnserve-names"), mapper));
        }

        @Bean
        ModelEvents modelEvents(TrainingService training, ModelCatalog catalog, ModelJson json) {
            return new ModelEvents(
                    training,
                    catalog,
                    json,
                    dev.bnserve.config.BnserveProperties.defaults(),
                    new io.micrometer.core.instrument.simple.SimpleMeterRegistry());
        }
    }

    @Autowired
    MockMvc mvc;

    @Autowired
    ModelJson json;

    @Autowired
    JsonMapper mapper;

    @MockitoBean
    TrainingService training;

    @MockitoBean
    ModelStore store;

    @MockitoBean
    dev.bnserve.training.BatchNormStatistics bnStatistics;

    // ------------------------------------------------------------------ submit

    @Test
    void submitIs202WithLocationAndTheQueuedModel() throws Exception {
        String id = ModelIds.newId();
        ModelRecord queued = queued(id);
        when(training.submit(any())).thenReturn(queued);
        String body = "{\"dataset\": \"d-0123456789abcdefghjkmnpqrs\", \"label\": \"y\", \"epochs\": 3}";
        mvc.perform(post("/models").contentType(MediaType.APPLICATION_JSON).content(body))
                .andExpect(status().isAccepted())
                .andExpect(header().string("Location", "/models/" + id))
                .andExpect(content().contentTypeCompatibleWith(MediaType.APPLICATION_JSON))
                .andExpect(jsonPath("$.id").value(id))
                .andExpect(jsonPath("$.status").value("queued"))
                .andExpect(jsonPath("$.progress.epochs").value(30))
                .andExpect(jsonPath("$.layers").value(org.hamcrest.Matchers.nullValue()));
        ArgumentCaptor<TrainingSpec> sent = ArgumentCaptor.forClass(TrainingSpec.class);
        verify(training).submit(sent.capture());
        assertThat(sent.getValue())
                .isEqualTo(new TrainingSpec(
                        "d-0123456789abcdefghjkmnpqrs",
                        "y",
                        null,
                        null,
                        TrainingSpec.DEFAULTS.hidden(),
                        TrainingSpec.DEFAULTS.activation(),
                        TrainingSpec.DEFAULTS.batchNorm(),
                        TrainingSpec.DEFAULTS.optimizer(),
                        3,
                        TrainingSpec.DEFAULTS.batchSize(),
                        TrainingSpec.DEFAULTS.seed(),
                        TrainingSpec.DEFAULTS.validationSplit(),
                        TrainingSpec.DEFAULTS.shuffle(),
                        TrainingSpec.DEFAULTS.preprocessing(),
                        null,
                        null,
                        null));
    }

    @Test
    void validationErrorsFromTheServiceArePropagatedWithTheirFields() throws Exception {
        when(training.submit(any()))
                .thenThrow(TrainingSpecJson.invalid(List.of(
                        Violation.field("batchSize", "must be >= 2, got 1"),
                        Violation.field("hidden[0]", "width 100000 must be between 1 and 4096"))));
        String body = expectProblem(
                        mvc.perform(
                                post("/models")
                                        .contentType(MediaType.APPLICATION_JSON)
                                        .content(
                                                "{\"dataset\": \"d-x\", \"label\": \"y\", \"batchSize\": 1, \"hidden\": [100000]}")),
                        422)
                .andExpect(jsonPath("$.title").value("Invalid training request"))
                .andExpect(jsonPath("$.detail", containsString("batchSize")))
                .andExpect(jsonPath("$.errors", hasSize(2)))
                .andExpect(jsonPath("$.errors[0].field").value("batchSize"))
                .andExpect(jsonPath("$.errors[0].message").value("must be >= 2, got 1"))
                .andExpect(jsonPath("$.errors[0].row").doesNotExist())
                .andExpect(jsonPath("$.errors[1].field").value("hidden[0]"))
                .andReturn()
                .getResponse()
                .getContentAsString();
        assertNoInternals(body);
    }

    @Test
    void typeErrorsAre400sBeforeTheServiceIsAsked() throws Exception {
        expectProblem(
                        mvc.perform(post("/models")
                                .contentType(MediaType.APPLICATION_JSON)
                                .content("{\"dataset\": \"d-x\", \"label\": \"y\", \"epochs\": 1.5}")),
                        400)
                .andExpect(jsonPath("$.errors[0].field").value("epochs"));
        verify(training, never()).submit(any());
    }

    @Test
    void fullQueueIs429() throws Exception {
        when(training.submit(any())).thenThrow(Problem.busy("The training queue is full."));
        expectProblem(
                        mvc.perform(post("/models")
                                .contentType(MediaType.APPLICATION_JSON)
                                .content("{\"dataset\": \"d-x\", \"label\": \"y\"}")),
                        429)
                .andExpect(header().string("Retry-After", "5"));
    }

    @Test
    void malformedJsonIs400WithoutInternals() throws Exception {
        for (String bad : List.of("{\"dataset\": ", "{\"dataset\" \"x\"}", "{'dataset': 'x'}", "[1, 2", "nul")) {
            String body = expectProblem(
                            mvc.perform(post("/models")
                                    .contentType(MediaType.APPLICATION_JSON)
                                    .content(bad)),
                            400)
                    .andExpect(jsonPath("$.detail", containsString("JSON")))
                    .andReturn()
                    .getResponse()
                    .getContentAsString();
            assertNoInternals(body);
        }
        assertNoInternals(expectProblem(
                        mvc.perform(post("/models")
                                .contentType(MediaType.APPLICATION_JSON)
                                .content("{\"a\": 1} {")),
                        400)
                .andReturn()
                .getResponse()
                .getContentAsString());
        expectProblem(
                        mvc.perform(post("/models")
                                .contentType(MediaType.APPLICATION_JSON)
                                .content("")),
                        400)
                .andExpect(jsonPath("$.detail").value("The request body is missing."));
        verify(training, never()).submit(any());
    }

    @Test
    void wrongContentTypeIs415() throws Exception {
        expectProblem(
                        mvc.perform(post("/models")
                                .contentType(MediaType.TEXT_PLAIN)
                                .content("{}")),
                        415)
                .andExpect(jsonPath("$.detail", containsString("application/json")));
        expectProblem(mvc.perform(post("/models/import").contentType("text/csv").content("a,b")), 415);
        verify(training, never()).submit(any());
    }

    @Test
    void unsupportedMethodIs405() throws Exception {
        expectProblem(
                mvc.perform(org.springframework.test.web.servlet.request.MockMvcRequestBuilders.put(
                                "/models/" + ModelIds.newId())
                        .contentType(MediaType.APPLICATION_JSON)
                        .content("{}")),
                405);
    }

    // ------------------------------------------------------------------ read

    @Test
    void getReturnsTheFullDocument() throws Exception {
        String id = ModelIds.newId();
        ModelRecord m = TestModels.awkward(id);
        when(store.get(id)).thenReturn(Optional.of(m));
        String body = mvc.perform(get("/models/" + id))
                .andExpect(status().isOk())
                .andExpect(content().contentTypeCompatibleWith(MediaType.APPLICATION_JSON))
                .andExpect(jsonPath("$.id").value(id))
                .andExpect(jsonPath("$.status").value("ready"))
                .andExpect(jsonPath("$.layers", hasSize(5)))
                .andExpect(jsonPath("$.layers[0].type").value("batchnorm"))
                .andExpect(jsonPath("$.layers[1].weight", hasSize(4)))
                .andExpect(jsonPath("$.layers[1].weight[0]", hasSize(3)))
                .andReturn()
                .getResponse()
                .getContentAsString();
        // the HTTP body is the stored document, double for double
        assertThat(mapper.writeValueAsString(mapper.readTree(body))).isEqualTo(json.writeString(m));
        assertThat(json.read(body).layers()).isEqualTo(m.layers());
    }

    @Test
    void listIsSummariesWithoutLayers() throws Exception {
        ModelRecord a = TestModels.awkward(ModelIds.newId());
        ModelRecord b = queued(ModelIds.newId());
        when(store.list()).thenReturn(List.of(b, a));
        mvc.perform(get("/models"))
                .andExpect(status().isOk())
                .andExpect(jsonPath("$", hasSize(2)))
                .andExpect(jsonPath("$[0].id").value(b.id()))
                .andExpect(jsonPath("$[1].id").value(a.id()))
                .andExpect(jsonPath("$[1].status").value("ready"))
                .andExpect(jsonPath("$[1].metrics.samplesPerSecond").isNumber())
                .andExpect(jsonPath("$[1].layers").doesNotExist())
                .andExpect(jsonPath("$[1].history").doesNotExist());
    }

    @Test
    void unknownIdsAre404Everywhere() throws Exception {
        String id = ModelIds.newId();
        when(store.get(anyString())).thenReturn(Optional.empty());
        expectProblem(mvc.perform(get("/models/" + id)), 404)
                .andExpect(jsonPath("$.title").value("Not Found"))
                .andExpect(jsonPath("$.detail").value("No model with id '" + id + "'."));
        expectProblem(mvc.perform(delete("/models/" + id)), 404);
        expectProblem(mvc.perform(get("/models/" + id + "/export")), 404);
        expectProblem(mvc.perform(get("/models/" + id + "/events")), 404);
        expectProblem(mvc.perform(get("/models/..%2F..%2Fetc%2Fpasswd")), 404);
        expectProblem(mvc.perform(get("/models/{id}", "../../etc/passwd")), 404);
        String longId = "x".repeat(500);
        String detail = mapper.readTree(expectProblem(mvc.perform(get("/models/" + longId)), 404)
                        .andReturn()
                        .getResponse()
                        .getContentAsString())
                .get("detail")
                .asString();
        assertThat(detail).contains("x".repeat(64) + "…").doesNotContain("x".repeat(65));
        verify(training, never()).cancel(anyString());
        verify(store, never()).delete(anyString());
    }

    // ------------------------------------------------------------------ delete

    @Test
    void deleteCancelsARunningJob() throws Exception {
        String id = ModelIds.newId();
        when(store.get(id)).thenReturn(Optional.of(TestModels.training(id)));
        when(training.cancel(id)).thenReturn(true);
        mvc.perform(delete("/models/" + id)).andExpect(status().isNoContent());
        verify(training).cancel(id);
        verify(store, never()).delete(anyString());
    }

    @Test
    void deleteRemovesAFinishedModel() throws Exception {
        String id = ModelIds.newId();
        when(store.get(id)).thenReturn(Optional.of(TestModels.awkward(id)));
        when(training.cancel(id)).thenReturn(false);
        mvc.perform(delete("/models/" + id))
                .andExpect(status().isNoContent())
                .andExpect(content().string(""));
        verify(store).delete(id);
    }

    // ------------------------------------------------------------------ export / import

    @Test
    void exportOfAReadyModelIsAnAttachment() throws Exception {
        String id = ModelIds.newId();
        ModelRecord m = TestModels.awkward(id);
        when(store.get(id)).thenReturn(Optional.of(m));
        String body = mvc.perform(get("/models/" + id + "/export"))
                .andExpect(status().isOk())
                .andExpect(header().string("Content-Disposition", "attachment; filename=\"" + id + ".json\""))
                .andExpect(jsonPath("$.format").value("bnserve-model"))
                .andExpect(jsonPath("$.formatVersion").value(ModelJson.VERSION))
                .andReturn()
                .getResponse()
                .getContentAsString();
        assertThat(json.read(body).layers()).isEqualTo(m.layers());
    }

    @Test
    void exportOfAModelThatIsNotReadyIs409() throws Exception {
        for (ModelStatus s :
                List.of(ModelStatus.QUEUED, ModelStatus.TRAINING, ModelStatus.FAILED, ModelStatus.CANCELLED)) {
            String id = ModelIds.newId();
            when(store.get(id)).thenReturn(Optional.of(TestModels.training(id).withStatus(s, null, null)));
            expectProblem(mvc.perform(get("/models/" + id + "/export")), 409)
                    .andExpect(jsonPath("$.title").value("Model not ready"))
                    .andExpect(jsonPath("$.detail", containsString(s.id())));
        }
    }

    @Test
    void importServesTheDocumentUnderANewId() throws Exception {
        String original = ModelIds.newId();
        ModelRecord m = TestModels.awkward(original);
        when(store.save(any())).then(AdditionalAnswers.returnsFirstArg());
        MvcResult result = mvc.perform(post("/models/import")
                        .contentType(MediaType.APPLICATION_JSON)
                        .content(json.writeString(m)))
                .andExpect(status().isCreated())
                .andExpect(jsonPath("$.status").value("ready"))
                .andExpect(jsonPath("$.source").value(original))
                .andExpect(jsonPath("$.id").value(not(original)))
                .andReturn();
        ArgumentCaptor<ModelRecord> saved = ArgumentCaptor.forClass(ModelRecord.class);
        verify(store).save(saved.capture());
        ModelRecord s = saved.getValue();
        assertThat(ModelIds.isValid(s.id())).isTrue();
        assertThat(s.id()).isNotEqualTo(original);
        assertThat(s.source()).isEqualTo(original);
        assertThat(s.status()).isEqualTo(ModelStatus.READY);
        assertThat(s.layers()).isEqualTo(m.layers());
        assertThat(result.getResponse().getHeader("Location")).isEqualTo("/models/" + s.id());

        // re-importing an imported model keeps the first origin
        mvc.perform(post("/models/import")
                        .contentType(MediaType.APPLICATION_JSON)
                        .content(json.writeString(s)))
                .andExpect(status().isCreated())
                .andExpect(jsonPath("$.source").value(original));
    }

    @Test
    void importOfAnInvalidDocumentIs422NamingTheField() throws Exception {
        ObjectNode doc = tree(TestModels.awkward(ModelIds.newId()));
        ((ObjectNode) doc.get("layers").get(1)).put("out", 7);
        String body = expectProblem(
                        mvc.perform(post("/models/import")
                                .contentType(MediaType.APPLICATION_JSON)
                                .content(doc.toString())),
                        422)
                .andExpect(jsonPath("$.title").value("Invalid model document"))
                .andExpect(jsonPath("$.errors", hasSize(1)))
                .andExpect(jsonPath("$.errors[0].field").value("layers[1].weight"))
                .andExpect(jsonPath("$.errors[0].message").isString())
                .andReturn()
                .getResponse()
                .getContentAsString();
        assertNoInternals(body);

        ObjectNode noInputs = tree(TestModels.awkward(ModelIds.newId()));
        noInputs.remove("inputs");
        expectProblem(
                        mvc.perform(post("/models/import")
                                .contentType(MediaType.APPLICATION_JSON)
                                .content(noInputs.toString())),
                        422)
                .andExpect(jsonPath("$.errors[0].field").value("inputs"));

        ObjectNode badVersion = tree(TestModels.awkward(ModelIds.newId()));
        badVersion.put("version", 99);
        expectProblem(
                        mvc.perform(post("/models/import")
                                .contentType(MediaType.APPLICATION_JSON)
                                .content(badVersion.toString())),
                        422)
                .andExpect(jsonPath("$.errors[0].field").value("version"));

        ObjectNode nan = tree(TestModels.awkward(ModelIds.newId()));
        ((tools.jackson.databind.node.ArrayNode) nan.get("layers").get(4).get("bias"))
                .set(1, mapper.getNodeFactory().stringNode("NaN"));
        expectProblem(
                        mvc.perform(post("/models/import")
                                .contentType(MediaType.APPLICATION_JSON)
                                .content(nan.toString())),
                        422)
                .andExpect(jsonPath("$.errors[0].field").value("layers[4].bias[1]"));

        expectProblem(
                        mvc.perform(post("/models/import")
                                .contentType(MediaType.APPLICATION_JSON)
                                .content("[]")),
                        422)
                .andExpect(jsonPath("$.errors[0].field").value("$"));
        expectProblem(
                mvc.perform(post("/models/import")
                        .contentType(MediaType.APPLICATION_JSON)
                        .content("{\"layers\": [")),
                400);
        verify(store, never()).save(any());
    }

    @Test
    void importOfAnUnfinishedModelIs422() throws Exception {
        for (String status : List.of("training", "queued", "failed", "cancelled")) {
            ObjectNode doc = tree(TestModels.awkward(ModelIds.newId()));
            doc.put("status", status);
            expectProblem(
                            mvc.perform(post("/models/import")
                                    .contentType(MediaType.APPLICATION_JSON)
                                    .content(doc.toString())),
                            422)
                    .andExpect(jsonPath("$.errors[0].field").value("status"))
                    .andExpect(jsonPath("$.detail", containsString(status)));
        }
        verify(store, never()).save(any());
    }

    @Test
    void importWithANonNumericMomentumIs422() throws Exception {
        ObjectNode doc = tree(TestModels.awkward(ModelIds.newId()));
        ((ObjectNode) doc.get("layers").get(0)).put("momentum", "fast");
        expectProblem(
                        mvc.perform(post("/models/import")
                                .contentType(MediaType.APPLICATION_JSON)
                                .content(doc.toString())),
                        422)
                .andExpect(jsonPath("$.errors[0].field").value("layers[0].momentum"));
    }

    // ------------------------------------------------------------------ events

    @Test
    void eventsOfAFinishedModelAreOneStatusEvent() throws Exception {
        String id = ModelIds.newId();
        when(store.get(id)).thenReturn(Optional.of(TestModels.awkward(id)));
        // a finished model's stream is written at once, without an asynchronous request
        String body = mvc.perform(get("/models/" + id + "/events").accept(MediaType.TEXT_EVENT_STREAM))
                .andExpect(request().asyncNotStarted())
                .andExpect(status().isOk())
                .andReturn()
                .getResponse()
                .getContentAsString();
        assertThat(body.lines().filter(l -> l.startsWith("event:")).toList()).containsExactly("event:status");
        String data = body.lines()
                .filter(l -> l.startsWith("data:"))
                .findFirst()
                .orElseThrow()
                .substring(5);
        JsonNode event = mapper.readTree(data);
        assertThat(event.get("id").asString()).isEqualTo(id);
        assertThat(event.get("status").asString()).isEqualTo("ready");
        assertThat(event.has("layers")).isFalse();
        assertThat(event.get("history").size()).isEqualTo(2);
        verify(training, never()).subscribe(anyString(), any());
    }

    // ------------------------------------------------------------------ unexpected

    @Test
    void unexpectedFailureIs500RevealingNothing() throws Exception {
        when(store.list())
                .thenThrow(
                        new IllegalStateException("disk on fire at /var/lib/bnserve in dev.bnserve.model.ModelStore"));
        String body = expectProblem(mvc.perform(get("/models")), 500)
                .andExpect(jsonPath("$.detail").value(ApiExceptionHandler.INTERNAL_DETAIL))
                .andReturn()
                .getResponse()
                .getContentAsString();
        assertNoInternals(body);
        assertThat(body).doesNotContain("disk on fire", "/var/lib");
    }

    // ------------------------------------------------------------------ helpers

    /** The written document as a tree, to damage. */
    private ObjectNode tree(ModelRecord m) {
        return (ObjectNode) mapper.readTree(json.writeBytes(m));
    }

    private static ModelRecord queued(String id) {
        return TestModels.training(id).withStatus(ModelStatus.QUEUED, null, null);
    }
}
