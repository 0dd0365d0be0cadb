package dev.bnserve;

import static org.assertj.core.api.Assertions.assertThat;

import dev.bnserve.config.BnserveProperties;
import java.net.http.HttpResponse;
import java.util.StringJoiner;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.annotation.DirtiesContext;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import tools.jackson.databind.JsonNode;

/**
 * Issue 16, compute limits: a training request is budgeted by its estimated floating-point operations
 * ({@code bnserve.limits.max-training-flops}), a job ends failed at {@code bnserve.training.max-duration}, and a
 * prediction request by rows × the model's operations per row ({@code bnserve.limits.max-predict-flops}), each named
 * in its error and checked before any work.
 */
@SpringBootTest(
        webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
        properties = {
            "bnserve.training.concurrency=1",
            "bnserve.training.max-duration=4s",
            "bnserve.training.warmup=false",
            "bnserve.limits.max-predict-flops=1000000",
            "bnserve.limits.max-scoring-flops=20000000"
        })
@DirtiesContext
class ComputeLimitTest {

    @DynamicPropertySource
    static void properties(DynamicPropertyRegistry registry) {
        String dir = TestHttp.tempDir("bnserve-compute").toString();
        registry.add("bnserve.data-dir", () -> dir);
    }

    @LocalServerPort
    int port;

    TestHttp http;
    static String iris;

    @BeforeEach
    void setUp() throws Exception {
        http = new TestHttp(port);
        if (iris == null) iris = http.upload("iris", TestHttp.resource("iris"));
    }

    @Test
    void sixteenLayersOf1024For10000EpochsIsRefusedByItsEstimatedOperations() throws Exception {
        StringJoiner hidden = new StringJoiner(", ", "[", "]");
        for (int i = 0; i < 16; i++) hidden.add("1024");
        int before = TestHttp.json(http.get("/models")).size();
        HttpResponse<String> r = http.postJson(
                "/models",
                "{\"dataset\": \"" + iris + "\", \"label\": \"species\", \"hidden\": " + hidden
                        + ", \"epochs\": 10000}");
        // it was accepted (202) and would have held the only slot for ~11 hours
        assertThat(r.statusCode()).as(r.body()).isEqualTo(422);
        JsonNode p = TestHttp.json(r);
        assertThat(p.at("/errors/0/field").asString()).isEqualTo("hidden");
        assertThat(p.at("/errors/0/message").asString())
                .contains("bnserve.limits.max-training-flops")
                .contains("1.13e+14");
        assertThat(TestHttp.json(http.get("/models")).size()).isEqualTo(before);
        // the default recipe is far below the limit
        http.awaitReady(http.train("{\"dataset\": \"" + iris + "\", \"label\": \"species\"}"));
    }

    @Test
    void aJobOverMaxDurationEndsFailedWithTimeLimitAndFreesTheSlot() throws Exception {
        long t0 = System.nanoTime();
        // batches of 8: 15 steps an epoch, ~20 s unlimited here
        String id = http.train(
                "{\"dataset\": \"" + iris + "\", \"label\": \"species\", \"epochs\": 10000, \"batchSize\": 8}");
        JsonNode m = http.awaitTerminal(id, "failed");
        double seconds = (System.nanoTime() - t0) / 1e9;
        System.out.printf("a 10,000-epoch job under max-duration=4s ended failed after %.2f s%n", seconds);
        assertThat(m.get("error").asString()).contains("time limit").contains("bnserve.training.max-duration");
        assertThat(m.at("/progress/epoch").asInt()).isBetween(1, 9999);
        assertThat(seconds).isBetween(4.0, 15.0);
        http.awaitReady(http.train("{\"dataset\": \"" + iris + "\", \"label\": \"species\", \"epochs\": 5}"));
    }

    @Test
    void aPredictionOverTheWorkLimitIs413BeforeAnyWork() throws Exception {
        String model = http.train("{\"dataset\": \"" + iris + "\", \"label\": \"species\", \"epochs\": 5}");
        http.awaitReady(model);
        // iris [64, 64]: about 9,500 operations a row, so 1,000,000 allows about 100 rows
        StringJoiner ok = new StringJoiner(", ", "{\"instances\": [", "]}");
        for (int i = 0; i < 50; i++) ok.add("[5.1, 3.5, 1.4, 0.2]");
        assertThat(http.postJson("/models/" + model + "/predict", ok.toString()).statusCode())
                .isEqualTo(200);
        StringJoiner big = new StringJoiner(", ", "{\"instances\": [", "]}");
        for (int i = 0; i < 1000; i++) big.add("[5.1, 3.5, 1.4, 0.2]");
        HttpResponse<String> r = http.postJson("/models/" + model + "/predict", big.toString());
        assertThat(r.statusCode()).as(r.body()).isEqualTo(413);
        assertThat(r.headers().firstValue("Content-Type").orElse("")).startsWith(TestHttp.PROBLEM);
        JsonNode p = TestHttp.json(r);
        assertThat(p.get("detail").asString()).contains("bnserve.limits.max-predict-flops");
        assertThat(p.at("/errors/0/field").asString()).isEqualTo("instances");
        // with the default limit, the 1,000 rows on an 8.4M-parameter model (2 operations a weight: 15.5 s
        // there) are over it
        assertThat(1000 * 2 * 8.4e6)
                .isGreaterThan(BnserveProperties.defaults().limits().maxPredictFlops());
    }

    @Test
    void csvScoringOverTheWorkLimitIs413NamingItAndTheRowsItAllows() throws Exception {
        String model = http.train("{\"dataset\": \"" + iris + "\", \"label\": \"species\", \"epochs\": 5}");
        http.awaitReady(model);
        // iris [64, 64]: about 9,500 operations a row, so 20,000,000 allows about 2,100 rows
        HttpResponse<String> ok = http.postCsv("/models/" + model + "/predict", csv(1000));
        assertThat(ok.statusCode()).as(ok.body()).isEqualTo(200);
        assertThat(ok.body().lines().count()).isEqualTo(1001);
        // before the limit, a file of any length was scored to its end (a 512 MB file on an 8.4M-parameter model:
        // hours of one thread)
        HttpResponse<String> r = http.postCsv("/models/" + model + "/predict", csv(50_000));
        assertThat(r.statusCode()).as(r.body()).isEqualTo(413);
        assertThat(r.headers().firstValue("Content-Type").orElse("")).startsWith(TestHttp.PROBLEM);
        JsonNode p = TestHttp.json(r);
        assertThat(p.get("detail").asString()).contains("bnserve.limits.max-scoring-flops");
        assertThat(p.at("/errors/0/message").asString()).matches("at most \\d+ rows");
        // the service goes on scoring files within the limit
        assertThat(http.postCsv("/models/" + model + "/predict", csv(10)).statusCode())
                .isEqualTo(200);
    }

    static byte[] csv(int rows) {
        StringBuilder b = new StringBuilder("sepal_length,sepal_width,petal_length,petal_width\n");
        for (int i = 0; i < rows; i++) b.append("5.1,3.5,1.4,0.2\n");
        return b.toString().getBytes(java.nio.charset.StandardCharsets.UTF_8);
    }
}
