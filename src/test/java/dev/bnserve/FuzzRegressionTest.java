package dev.bnserve;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.annotation.DirtiesContext;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import tools.jackson.databind.node.ObjectNode;

/** Regression tests for the defects {@link FuzzTest} found, each fixed: the request that broke the service, replayed. */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
@DirtiesContext
class FuzzRegressionTest {

    @DynamicPropertySource
    static void properties(DynamicPropertyRegistry registry) {
        String dir = TestHttp.tempDir("bnserve-bugs").toString();
        registry.add("bnserve.data-dir", () -> dir);
    }

    static final byte[] CSV = "a,b,label\n1,2,x\n2,1,y\n3,3,x\n4,2,y\n".getBytes(StandardCharsets.UTF_8);

    @LocalServerPort
    int port;

    TestHttp http;

    @BeforeEach
    void client() {
        http = new TestHttp(port);
    }

    @Test
    // fixed in the working tree (was a BUG found by FuzzTest)
    void multipartWithoutBoundaryIsA400() throws Exception {
        byte[] body = TestHttp.multipartBody("xyz", "file", "a.csv", "text/csv", CSV);
        expectProblem(http.send("POST", "/datasets", "multipart/form-data", body, Map.of()), 400);
    }

    @Test
    // fixed in the working tree (was a BUG found by FuzzTest)
    void truncatedMultipartIsA400() throws Exception {
        byte[] full = TestHttp.multipartBody("xyz", "file", "a.csv", "text/csv", CSV);
        byte[] body = java.util.Arrays.copyOf(full, full.length - 10);
        expectProblem(http.send("POST", "/datasets", "multipart/form-data; boundary=xyz", body, Map.of()), 400);
    }

    @Test
    // fixed in the working tree (was a BUG found by FuzzTest)
    void importWithNonNumericBatchNormMomentumIsA422() throws Exception {
        String dataset = http.upload("bugs", CSV);
        String model =
                http.train("{\"dataset\": \"" + dataset + "\", \"label\": \"label\", \"epochs\": 1, \"hidden\": [2]}");
        http.awaitReady(model);
        for (String value : new String[] {"\"x\"", "true", "{}", "[]"}) {
            ObjectNode doc = (ObjectNode) TestHttp.json(http.get("/models/" + model + "/export"));
            ObjectNode bn = (ObjectNode) doc.get("layers").get(0);
            assertThat(bn.get("type").asString()).isEqualTo("batchnorm");
            bn.set("momentum", TestHttp.JSON.readTree(value));
            expectProblem(http.postJson("/models/import", doc.toString()), 422);
        }
    }

    @Test
    // fixed in the working tree (was a BUG found by FuzzTest)
    void importWithMalformedRequestOrMetricsRevealsNoTypeNames() throws Exception {
        String dataset = http.upload("bugs2", CSV);
        String model =
                http.train("{\"dataset\": \"" + dataset + "\", \"label\": \"label\", \"epochs\": 1, \"hidden\": [2]}");
        http.awaitReady(model);
        String[][] cases = {
            {"request", "{\"hidden\": \"x\"}"}, {"request", "\"\""}, {"metrics", "{\"trainingSeconds\": \"slow\"}"}
        };
        for (String[] c : cases) {
            ObjectNode doc = (ObjectNode) TestHttp.json(http.get("/models/" + model + "/export"));
            doc.set(c[0], TestHttp.JSON.readTree(c[1]));
            HttpResponse<String> r = http.postJson("/models/import", doc.toString());
            assertThat(r.statusCode()).as(r.body()).isEqualTo(422);
            assertThat(r.body()).doesNotContain("java.", "dev.bnserve", "`", "CoercionConfig", "JsonToken");
        }
    }

    @Test
    // fixed in the working tree (was a BUG found by FuzzTest)
    void traceIsAProblem() throws Exception {
        expectProblem(http.send("TRACE", "/predict", null, null, Map.of()), 405);
    }

    @Test
    // fixed: ProblemErrorReportValve (was a BUG found by FuzzTest: Tomcat's HTML error page)
    void containerRefusedUrlsAreProblems() throws Exception {
        for (String path : new String[] {
            "/models/a%2Fb",
            "/models/%00",
            "/datasets/%5C..%5Cx",
            "/datasets/%FF%FE",
            "/models/%C0%AE%C0%AE",
            "/datasets/%2e%2e/.."
        }) {
            HttpResponse<String> r = http.get(path);
            assertThat(r.statusCode()).as(path).isEqualTo(400);
            expectProblem(r, 400);
        }
    }

    static void expectProblem(HttpResponse<String> r, int status) {
        assertThat(r.statusCode())
                .as(r.request().method() + " " + r.uri() + " -> " + r.body())
                .isEqualTo(status);
        assertThat(r.headers().firstValue("Content-Type").orElse(""))
                .as(r.body())
                .startsWith(TestHttp.PROBLEM);
        assertThat(FuzzTest.check(r)).as(r.body()).isNull();
    }
}
