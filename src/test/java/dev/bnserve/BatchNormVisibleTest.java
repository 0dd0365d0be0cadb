package dev.bnserve;

import static dev.bnserve.TestHttp.json;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.annotation.DirtiesContext;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import tools.jackson.databind.JsonNode;

/** BatchNorm made visible over HTTP: per-layer choice, the normalization trace, statistics, recalibration. */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
@DirtiesContext
class BatchNormVisibleTest {
    @DynamicPropertySource
    static void properties(DynamicPropertyRegistry registry) {
        String dir = TestHttp.tempDir("bnserve-bn").toString();
        registry.add("bnserve.data-dir", () -> dir);
    }

    @LocalServerPort
    int port;

    TestHttp http;

    @BeforeEach
    void client() {
        http = new TestHttp(port);
    }

    static List<String> types(JsonNode model) {
        List<String> out = new ArrayList<>();
        model.get("layers").forEach(l -> out.add(l.get("type").asString()));
        return out;
    }

    @Test
    void batchNormIsChosenPerLayerAndTheModelShowsExactlyWhatWasAsked() throws Exception {
        String ds = http.upload("iris", TestHttp.resource("iris"));
        JsonNode m = http.awaitReady(http.train("{\"dataset\": \"" + ds + "\", \"label\": \"species\", \"epochs\": 3,"
                + " \"hidden\": [{\"units\": 16, \"batchNorm\": false, \"activation\": \"tanh\"}, 8,"
                + " {\"units\": 4, \"activation\": \"tanh\"}]}"));
        assertThat(types(m))
                .containsExactly(
                        "batchnorm",
                        "linear",
                        "tanh",
                        "linear",
                        "batchnorm",
                        "relu",
                        "linear",
                        "batchnorm",
                        "tanh",
                        "linear");
        assertThat(m.at("/request/hidden").toString())
                .isEqualTo(
                        "[{\"units\":16,\"batchNorm\":false,\"activation\":\"tanh\"},8,{\"units\":4,\"activation\":\"tanh\"}]");
        JsonNode bad = json(http.postJson(
                "/models",
                "{\"dataset\": \"" + ds + "\", \"label\": \"species\","
                        + " \"hidden\": [{\"units\": 16, \"batchNorm\": \"yes\"}]}"));
        assertThat(bad.get("status").asInt()).isEqualTo(400);
        assertThat(bad.at("/errors/0/field").asString()).isEqualTo("hidden[0].batchNorm");
    }
}
