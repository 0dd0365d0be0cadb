package dev.bnserve;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.annotation.DirtiesContext;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import tools.jackson.databind.JsonNode;

/**
 * Output amplification (issue 16, bug 8): a JSON answer is bounded by rows × outputs
 * ({@code bnserve.limits.max-answer-values}), checked before any work, so a many-class model cannot turn a small request
 * into a huge answer. Here the limit is 10 values: 3 iris rows (× 3 classes = 9) pass, 4 rows (12) are refused.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
@DirtiesContext
class AnswerLimitTest {
    static final String ROW = "[5.1, 3.5, 1.4, 0.2]";

    @DynamicPropertySource
    static void properties(DynamicPropertyRegistry registry) {
        String dir = TestHttp.tempDir("bnserve-answer-limit").toString();
        registry.add("bnserve.data-dir", () -> dir);
        registry.add("bnserve.limits.max-answer-values", () -> "10");
    }

    @LocalServerPort
    int port;

    @Test
    void answersLargerThanTheLimitAreRefusedNamingIt() throws Exception {
        TestHttp http = new TestHttp(port);
        String ds = http.upload("iris", TestHttp.resource("iris"));
        String id = http.awaitReady(http.train("{\"dataset\": \"" + ds + "\", \"label\": \"species\", \"epochs\": 2}"))
                .get("id")
                .asString();

        var ok =
                http.postJson("/models/" + id + "/predict", "{\"instances\": [" + ROW + ", " + ROW + ", " + ROW + "]}");
        assertThat(ok.statusCode()).isEqualTo(200);

        var refused = http.postJson(
                "/models/" + id + "/predict", "{\"instances\": [" + ROW + ", " + ROW + ", " + ROW + ", " + ROW + "]}");
        assertThat(refused.statusCode()).isEqualTo(413);
        assertThat(refused.headers().firstValue("Content-Type").orElse("")).startsWith(TestHttp.PROBLEM);
        JsonNode p = TestHttp.json(refused);
        assertThat(p.get("detail").asString())
                .contains("bnserve.limits.max-answer-values", "4 rows × 3 outputs", "at most 3 rows");
        assertThat(p.get("errors").get(0).get("field").asString()).isEqualTo("instances");

        assertThat(http.get("/actuator/health").statusCode()).isEqualTo(200);
    }
}
