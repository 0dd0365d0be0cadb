package dev.bnserve;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayInputStream;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
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
 * Every path that reserves heap, against a budget that nothing of a megabyte or more fits in
 * ({@code bnserve.limits.heap-budget=0.001} of the test JVM's heap, less than what is live): a JSON prediction body
 * of 2 MB, a chunked dataset upload, a model import claiming a 1,000 × 1,000 layer and an ONNX export are each a 503
 * {@code heap-shortage} problem with Retry-After naming the setting, and small requests are answered as ever.
 */
@SpringBootTest(
        webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
        properties = {"bnserve.limits.heap-budget=0.001", "bnserve.training.warmup=false"})
@DirtiesContext
class HeapAdmissionTest {
    @TempDir
    static Path dataDir;

    @DynamicPropertySource
    static void properties(DynamicPropertyRegistry r) {
        r.add("bnserve.data-dir", () -> dataDir.toString());
    }

    @LocalServerPort
    int port;

    static void assertShortage(HttpResponse<String> r) {
        assertThat(r.statusCode()).as(r.body()).isEqualTo(503);
        assertThat(r.headers().firstValue("Content-Type").orElse("")).startsWith(TestHttp.PROBLEM);
        assertThat(r.headers().firstValue("Retry-After")).isPresent();
        JsonNode p = TestHttp.JSON.readTree(r.body());
        assertThat(p.get("type").asString()).isEqualTo("/problems/heap-shortage");
        assertThat(p.get("detail").asString()).contains("bnserve.limits.heap-budget");
    }

    @Test
    void requestsThatWouldAllocateBeyondTheBudgetAre503AndSmallOnesAreAnswered() throws Exception {
        TestHttp http = new TestHttp(port);
        String iris = http.upload("iris", TestHttp.resource("iris")); // 4 KB: under the 1 MB that is always free
        String model = http.train("{\"dataset\": \"" + iris + "\", \"label\": \"species\", \"epochs\": 3}");
        http.awaitReady(model);
        String one = "{\"features\": [5.1, 3.5, 1.4, 0.2]}";
        assertThat(http.postJson("/models/" + model + "/predict", one).statusCode())
                .isEqualTo(200);

        // a 2 MB prediction body (declared length): refused before it is read
        String big = "{\"instances\": [[5.1, 3.5, 1.4, 0.2]]" + " ".repeat(2 << 20) + "}";
        assertShortage(http.postJson("/models/" + model + "/predict", big));
        assertShortage(http.postJson("/predict", big));

        // a chunked upload: refused once its first megabyte is read
        StringBuilder csv = new StringBuilder("a,b\n");
        while (csv.length() < (3 << 20)) csv.append("1.5,2.5\n");
        byte[] bytes = csv.toString().getBytes(StandardCharsets.UTF_8);
        HttpResponse<String> chunked = http.send(HttpRequest.newBuilder(http.uri("/datasets?name=big"))
                .timeout(Duration.ofSeconds(30))
                .header("Content-Type", "text/csv")
                .POST(HttpRequest.BodyPublishers.ofInputStream(() -> new ByteArrayInputStream(bytes)))
                .build());
        assertShortage(chunked);

        // an import whose first layer is 1,000 × 1,000 (24 MB with its copies): refused at that layer's shape
        StringBuilder doc = new StringBuilder("{\"format\": \"bnserve-model\", \"formatVersion\": 3, \"id\": \"m-x\","
                + " \"status\": \"ready\", \"created\": \"2026-01-01T00:00:00Z\", \"label\": \"y\","
                + " \"task\": \"regression\", \"classes\": null, \"inputs\": [");
        for (int i = 0; i < 1000; i++)
            doc.append(i == 0 ? "" : ",").append("\"x").append(i).append('"');
        doc.append("], \"layers\": [{\"type\": \"linear\", \"in\": 1000, \"out\": 1000, \"weight\": [");
        for (int r = 0; r < 1000; r++) {
            doc.append(r == 0 ? "[" : ",[");
            for (int c = 0; c < 1000; c++) doc.append(c == 0 ? "0" : ",0");
            doc.append(']');
        }
        doc.append("], \"bias\": [0");
        doc.append(",0".repeat(999)).append("]}, {\"type\": \"linear\", \"in\": 1000, \"out\": 1, \"weight\": [[0");
        doc.append(",0".repeat(999)).append("]], \"bias\": [0]}]}");
        HttpResponse<String> imported = http.postJson("/models/import", doc.toString());
        assertShortage(imported);
        assertThat(TestHttp.json(imported).get("detail").asString()).contains("needs about 23 MB");
        // the same layers before the inputs (a hand-written order, held as a tree until the inputs arrive): refused
        // as the tree grows
        String layersFirst = "{\"layers\": " + doc.substring(doc.indexOf("[{\"type\""), doc.length() - 1) + ", "
                + doc.substring(1, doc.indexOf(", \"layers\"")) + "}";
        assertThat(layersFirst).startsWith("{\"layers\": [{").endsWith("]}");
        HttpResponse<String> treeFirst = http.postJson("/models/import", layersFirst);
        assertShortage(treeFirst);
        // at its first 65,536 values (48 B each, times the import's 3 copies), not at the matrix after the document
        assertThat(TestHttp.json(treeFirst).get("detail").asString()).contains("needs about 9 MB");
        assertThat(TestHttp.json(http.get("/models")).size())
                .as("nothing imported")
                .isEqualTo(1);

        // still serving
        assertThat(http.get("/actuator/health").statusCode()).isEqualTo(200);
        assertThat(http.send("POST", "/models/" + model + "/predict", "application/json", one.getBytes(), Map.of())
                        .statusCode())
                .isEqualTo(200);
    }
}
