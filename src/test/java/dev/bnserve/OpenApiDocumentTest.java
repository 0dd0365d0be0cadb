package dev.bnserve;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.annotation.DirtiesContext;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import tools.jackson.databind.JsonNode;

/**
 * The committed OpenAPI document ({@value #COMMITTED}, what clients are generated from, see GeneratedClientTest) is
 * the one the service serves: this fails when they differ, and {@code -Dopenapi.update=true} rewrites the file from
 * the running service instead. It also holds the document to what issue 13 asked of it: every operation has an id,
 * a summary, a 4xx answer and no wildcard media type; problems are {@code application/problem+json}; no
 * {@code /error}.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
@DirtiesContext
class OpenApiDocumentTest {
    static final String COMMITTED = "src/main/resources/openapi.yaml";

    @TempDir
    static Path dataDir;

    @DynamicPropertySource
    static void properties(DynamicPropertyRegistry registry) {
        registry.add("bnserve.data-dir", () -> dataDir.toString());
    }

    @LocalServerPort
    int port;

    @Test
    void servedDocumentIsTheCommittedOne() throws Exception {
        HttpResponse<String> served = new TestHttp(port).get("/v3/api-docs.yaml");
        assertThat(served.statusCode()).isEqualTo(200);
        Path file = Path.of(COMMITTED);
        if (Boolean.getBoolean("openapi.update")) {
            Files.writeString(file, served.body(), StandardCharsets.UTF_8);
        }
        String committed = Files.exists(file) ? Files.readString(file, StandardCharsets.UTF_8) : "";
        assertThat(served.body())
                .as("the served OpenAPI document differs from " + COMMITTED
                        + "; if the change is meant, run ./mvnw test -Dtest=OpenApiDocumentTest -Dopenapi.update=true"
                        + " and commit the file")
                .isEqualTo(committed);
    }

    @Test
    void everyOperationIsDocumented() throws IOException, InterruptedException {
        JsonNode doc = TestHttp.json(new TestHttp(port).get("/v3/api-docs"));
        assertThat(doc.get("openapi").asString()).startsWith("3.0");
        assertThat(doc.get("paths").has("/error")).isFalse();
        List<String> faults = new ArrayList<>();
        TreeSet<String> ids = new TreeSet<>();
        for (Map.Entry<String, JsonNode> path : doc.get("paths").properties()) {
            for (Map.Entry<String, JsonNode> method : path.getValue().properties()) {
                String where = method.getKey().toUpperCase() + " " + path.getKey();
                JsonNode op = method.getValue();
                if (!op.hasNonNull("summary")) faults.add(where + ": no summary");
                if (!op.hasNonNull("operationId")
                        || !ids.add(op.get("operationId").asString()))
                    faults.add(where + ": no or a repeated operationId");
                String text = op.toString();
                if (text.contains("\"*/*\"")) faults.add(where + ": a */* media type");
                if (text.contains("\"format\":\"byte\"")) faults.add(where + ": a body documented as bytes");
                boolean success = false;
                for (String code : op.get("responses").propertyNames()) {
                    if (code.startsWith("2")) success = true;
                }
                if (!success) faults.add(where + ": no 2xx answer");
            }
        }
        assertThat(faults).isEmpty();
        JsonNode responses = doc.get("components").get("responses");
        assertThat(responses.get("Problem422").get("content").has("application/problem+json"))
                .isTrue();
        assertThat(doc.at("/paths/~1models/post/responses").has("202")).isTrue();
        assertThat(doc.at("/paths/~1datasets/post/responses").has("201")).isTrue();
        assertThat(doc.at("/paths/~1datasets~1{id}/delete/responses").has("204"))
                .isTrue();
        assertThat(doc.at("/paths/~1datasets/post/requestBody/content").has("text/csv"))
                .isTrue();
        assertThat(doc.at("/paths/~1models~1{id}~1predict/post/responses/200/content")
                        .has("text/csv"))
                .isTrue();
    }

    @Test
    void trainingRequestDefaultsAreTheCodes() throws IOException, InterruptedException {
        JsonNode doc = TestHttp.json(new TestHttp(port).get("/v3/api-docs"));
        JsonNode request = doc.at("/components/schemas/TrainingRequest");
        dev.bnserve.model.TrainingSpec d = dev.bnserve.model.TrainingSpec.DEFAULTS;
        assertThat(request.at("/properties/epochs/default").asInt()).isEqualTo(d.epochs());
        assertThat(request.at("/properties/batchSize/default").asInt()).isEqualTo(d.batchSize());
        assertThat(request.at("/properties/validationSplit/default").asDouble()).isEqualTo(d.validationSplit());
        assertThat(request.at("/properties/activation/enum").toString()).isEqualTo("[\"relu\",\"tanh\"]");
        assertThat(request.at("/properties/name/pattern").asString()).contains("[a-z0-9]");
        assertThat(request.at("/required").toString()).isEqualTo("[\"dataset\",\"label\"]");
        JsonNode bn = doc.at("/components/schemas/BatchNormSettings/properties");
        assertThat(bn.at("/momentum/default").asDouble())
                .isEqualTo(d.batchNorm().momentum());
        assertThat(bn.at("/eps/default").asDouble()).isEqualTo(d.batchNorm().eps());
        JsonNode model = doc.at("/components/schemas/Model/properties");
        assertThat(model.has("name") && model.has("version") && model.has("formatVersion"))
                .isTrue();
    }
}
