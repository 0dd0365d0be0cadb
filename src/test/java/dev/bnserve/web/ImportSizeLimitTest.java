package dev.bnserve.web;

import static org.assertj.core.api.Assertions.assertThat;

import dev.bnserve.config.BnserveProperties;
import dev.bnserve.model.ModelIds;
import dev.bnserve.model.ModelJson;
import dev.bnserve.model.TestModels;
import java.io.ByteArrayInputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import tools.jackson.databind.json.JsonMapper;

/**
 * {@code bnserve.limits.max-import-bytes} over real HTTP: imports have their own cap, not
 * {@code max-request-bytes}; over it, declared or chunked, they are a 413 naming the import limit.
 */
@SpringBootTest(
        webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
        properties = {"bnserve.limits.max-request-bytes=1KB", "bnserve.limits.max-import-bytes=8KB"})
class ImportSizeLimitTest {
    @TempDir
    static Path dataDir;

    @DynamicPropertySource
    static void properties(DynamicPropertyRegistry r) {
        r.add("bnserve.data-dir", () -> dataDir.toString());
        r.add("bnserve.training.warmup", () -> "false");
    }

    @LocalServerPort
    int port;

    private final HttpClient http = HttpClient.newHttpClient();
    private final ModelJson json = new ModelJson(JsonMapper.builder().build());

    private HttpResponse<String> post(String path, HttpRequest.BodyPublisher body) throws Exception {
        return http.send(
                HttpRequest.newBuilder(URI.create("http://localhost:" + port + path))
                        .header("Content-Type", "application/json")
                        .POST(body)
                        .build(),
                HttpResponse.BodyHandlers.ofString());
    }

    /** A document of about {@code bytes}: the awkward model with a long error text... which import ignores. */
    private byte[] document(int bytes) {
        var d = (tools.jackson.databind.node.ObjectNode)
                JsonMapper.builder().build().readTree(json.writeBytes(TestModels.awkward(ModelIds.newId())));
        int pad = Math.max(0, bytes - d.toString().length() - 12);
        d.put("error", "x".repeat(pad));
        return d.toString().getBytes(java.nio.charset.StandardCharsets.UTF_8);
    }

    @Test
    void anImportOverTheRequestLimitButUnderTheImportLimitGoesThrough() throws Exception {
        byte[] doc = document(6000);
        assertThat(doc.length).isBetween(1025, 8192);
        HttpResponse<String> r = post("/models/import", HttpRequest.BodyPublishers.ofByteArray(doc));
        assertThat(r.statusCode()).as(r.body()).isEqualTo(201);
        HttpResponse<String> chunked =
                post("/models/import", HttpRequest.BodyPublishers.ofInputStream(() -> new ByteArrayInputStream(doc)));
        assertThat(chunked.statusCode()).as(chunked.body()).isEqualTo(201);
    }

    @Test
    void anImportOverTheImportLimitIs413NamingIt() throws Exception {
        byte[] doc = document(9000);
        assertThat(doc.length).isGreaterThan(8192);
        for (HttpRequest.BodyPublisher body : new HttpRequest.BodyPublisher[] {
            HttpRequest.BodyPublishers.ofByteArray(doc),
            HttpRequest.BodyPublishers.ofInputStream(() -> new ByteArrayInputStream(doc))
        }) {
            HttpResponse<String> r = post("/models/import", body);
            assertThat(r.statusCode()).as(r.body()).isEqualTo(413);
            assertThat(r.headers().firstValue("Content-Type").orElse("")).startsWith("application/problem+json");
            assertThat(r.body()).contains("bnserve.limits.max-import-bytes", "8192");
            assertThat(r.body()).doesNotContain("max-request-bytes");
        }
    }

    @Test
    void otherRequestsKeepTheRequestLimit() throws Exception {
        String big = "{\"features\": [" + "1.2345, ".repeat(300) + "1]}";
        HttpResponse<String> r = post("/predict", HttpRequest.BodyPublishers.ofString(big));
        assertThat(r.statusCode()).isEqualTo(413);
        assertThat(r.body()).contains("bnserve.limits.max-request-bytes");
    }

    @Test
    void modelDocumentsAreDocumentedAsJsonObjects() throws Exception {
        HttpResponse<String> docs = http.send(
                HttpRequest.newBuilder(URI.create("http://localhost:" + port + "/v3/api-docs"))
                        .build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(docs.statusCode()).isEqualTo(200);
        var doc = JsonMapper.builder().build().readTree(docs.body());
        var paths = doc.get("paths");
        for (String path : new String[] {"/models/{id}", "/models/{id}/export"}) {
            var schema = paths.get(path)
                    .get("get")
                    .get("responses")
                    .get("200")
                    .get("content")
                    .get("application/json")
                    .get("schema");
            // A typed document names its schema once under components and refers to it.
            if (schema.has("$ref")) {
                String name = schema.get("$ref").asString().replace("#/components/schemas/", "");
                schema = doc.get("components").get("schemas").get(name);
            }
            assertThat(schema.toString()).as(path).contains("\"type\":\"object\"", "bnserve-model");
        }
        assertThat(paths.get("/models/import")
                        .get("post")
                        .get("requestBody")
                        .get("content")
                        .get("application/json")
                        .get("schema")
                        .toString())
                .contains("#/components/schemas/Model");
        assertThat(docs.body()).doesNotContain("LayerState", "ObjectNode", "JsonNode", "ModelRecord");
    }

    @Test
    void theDefaultIsDerivedFromTheWidthAndDepthLimitsAndCanBeOverridden() {
        BnserveProperties.Limits defaults = BnserveProperties.defaults().limits();
        assertThat(defaults.maxImportBytes().toBytes())
                .isEqualTo(18L * 4096 * 4096 * 25)
                .isEqualTo(7_549_747_200L);
        assertThat(BnserveProperties.of(Map.of("limits.max-hidden-width", "2048", "limits.max-hidden-layers", "2"))
                        .limits()
                        .maxImportBytes()
                        .toBytes())
                .isEqualTo(4L * 2048 * 2048 * 25);
        assertThat(BnserveProperties.of(Map.of("limits.max-import-bytes", "2GB"))
                        .limits()
                        .maxImportBytes()
                        .toBytes())
                .isEqualTo(2L * 1024 * 1024 * 1024);
    }
}
