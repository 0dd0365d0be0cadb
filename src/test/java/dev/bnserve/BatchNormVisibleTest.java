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

    @Test
    void theTraceShowsEveryStepAndEndsAtThePredictAnswer() throws Exception {
        String ds = http.upload("iris-trace", TestHttp.resource("iris"));
        JsonNode m =
                http.awaitReady(http.train("{\"dataset\": \"" + ds + "\", \"label\": \"species\", \"epochs\": 5}"));
        String id = m.get("id").asString();
        String row = "{\"features\": {\"sepal_length\": 5.1, \"sepal_width\": 3.5, \"petal_length\": 1.4,"
                + " \"petal_width\": 0.2}}";
        String before = http.get("/models/" + id).body();
        JsonNode t = json(http.postJson("/models/" + id + "/trace", row));
        JsonNode p = json(http.postJson("/models/" + id + "/predict", row));
        assertThat(t.get("prediction")).isEqualTo(p.get("prediction"));
        assertThat(t.get("probabilities")).isEqualTo(p.get("probabilities"));
        JsonNode steps = t.get("steps");
        assertThat(steps.get(0).get("type").asString()).isEqualTo("preprocess");
        // one step per layer, in order and with the same type, then the output
        for (int i = 0; i < m.get("layers").size(); i++) {
            assertThat(steps.get(i + 1).get("type"))
                    .isEqualTo(m.get("layers").get(i).get("type"));
        }
        JsonNode last = steps.get(steps.size() - 1);
        assertThat(last.get("type").asString()).isEqualTo("output");
        for (String c : List.of("setosa", "versicolor", "virginica")) {
            assertThat(last.at("/probabilities/" + c).asDouble())
                    .isCloseTo(p.at("/probabilities/" + c).asDouble(), org.assertj.core.api.Assertions.within(1e-12));
        }
        // a BatchNorm step uses the stored running statistics, checked by hand against the model's layer
        JsonNode bn = steps.get(1);
        JsonNode layer = m.get("layers").get(0);
        assertThat(bn.get("mean")).isEqualTo(layer.get("runningMean"));
        assertThat(bn.get("var")).isEqualTo(layer.get("runningVar"));
        for (int j = 0; j < 4; j++) {
            double x = bn.get("input").get(j).asDouble();
            double normalized = (x - layer.get("runningMean").get(j).asDouble())
                    / Math.sqrt(layer.get("runningVar").get(j).asDouble()
                            + layer.get("eps").asDouble());
            assertThat(bn.get("normalized").get(j).asDouble())
                    .isCloseTo(normalized, org.assertj.core.api.Assertions.within(1e-12));
            double y = layer.get("gamma").get(j).asDouble() * normalized
                    + layer.get("beta").get(j).asDouble();
            assertThat(bn.get("output").get(j).asDouble()).isCloseTo(y, org.assertj.core.api.Assertions.within(1e-12));
        }
        // tracing changes nothing
        assertThat(http.get("/models/" + id).body()).isEqualTo(before);
    }

    @Test
    void statisticsRecalibrationAndAuto() throws Exception {
        // a column fixed near 1e6: after few updates the moving average of its mean is still far off
        StringBuilder csv = new StringBuilder("a,b,big,label\n");
        java.util.SplittableRandom rnd = new java.util.SplittableRandom(3);
        for (int i = 0; i < 200; i++) {
            double a = rnd.nextGaussian(), b = rnd.nextGaussian();
            csv.append(a)
                    .append(',')
                    .append(b)
                    .append(',')
                    .append(1e6 + rnd.nextGaussian())
                    .append(',')
                    .append(a + b > 0 ? "p" : "n")
                    .append('\n');
        }
        String ds = http.upload("big", csv.toString().getBytes(java.nio.charset.StandardCharsets.UTF_8));
        JsonNode ema = http.awaitReady(
                http.train("{\"dataset\": \"" + ds + "\", \"label\": \"label\", \"epochs\": 3, \"batchSize\": 64}"));
        JsonNode stats = ema.at("/metrics/statistics");
        assertThat(stats.get("served").asString()).isEqualTo("ema");
        assertThat(stats.get("maxRelativeDrift").asDouble()).isGreaterThan(1);
        assertThat(stats.at("/validationLoss/population").asDouble())
                .isLessThan(stats.at("/validationLoss/movingAverages").asDouble());
        assertThat(stats.get("warnings").toString()).contains("population");

        String id = ema.get("id").asString();
        JsonNode report = json(http.get("/models/" + id + "/statistics"));
        assertThat(report.get("rows").asString()).isEqualTo("training");
        assertThat(report.get("layers").get(0).at("/stored/mean")).isEqualTo(ema.at("/layers/0/runningMean"));
        assertThat(report.get("maxRelativeDrift").asDouble()).isGreaterThan(1);

        // recalibrate: a new model with the same weights, population statistics of every row, the source untouched
        String sourceBefore = http.get("/models/" + id).body();
        java.net.http.HttpResponse<String> r =
                http.postJson("/models/" + id + "/recalibrate", "{\"dataset\": \"" + ds + "\"}");
        assertThat(r.statusCode()).as(r.body()).isEqualTo(201);
        JsonNode derived = json(r);
        assertThat(derived.get("derivedFrom").asString()).isEqualTo(id);
        assertThat(derived.get("statisticsSource").asString()).contains("200 rows");
        assertThat(derived.at("/layers/1/weight")).isEqualTo(ema.at("/layers/1/weight"));
        assertThat(http.get("/models/" + id).body()).isEqualTo(sourceBefore);
        // the recalibrated input statistics are the exact mean and unbiased variance of the column, within 1e-12
        String[] lines = csv.toString().split("\n");
        double sum = 0;
        for (int i = 1; i < lines.length; i++) sum += Double.parseDouble(lines[i].split(",")[2]);
        double mean = sum / 200, ss = 0;
        for (int i = 1; i < lines.length; i++) {
            double v = Double.parseDouble(lines[i].split(",")[2]) - mean;
            ss += v * v;
        }
        assertThat(derived.at("/layers/0/runningMean/2").asDouble())
                .isCloseTo(mean, org.assertj.core.api.Assertions.within(1e-12 * 1e6));
        assertThat(derived.at("/layers/0/runningVar/2").asDouble())
                .isCloseTo(ss / 199, org.assertj.core.api.Assertions.within(1e-9));

        // a dataset without the model's inputs is a 422 naming what is missing
        String other = http.upload("other", "x,label\n1,p\n2,n\n".getBytes(java.nio.charset.StandardCharsets.UTF_8));
        java.net.http.HttpResponse<String> lacking =
                http.postJson("/models/" + id + "/recalibrate", "{\"dataset\": \"" + other + "\"}");
        assertThat(lacking.statusCode()).as(lacking.body()).isEqualTo(422);
        assertThat(lacking.body()).contains("'big'");

        // auto picks the population statistics here, and says so
        JsonNode auto = http.awaitReady(http.train("{\"dataset\": \"" + ds + "\", \"label\": \"label\", \"epochs\": 3,"
                + " \"batchSize\": 64, \"batchNorm\": {\"statistics\": \"auto\"}}"));
        assertThat(auto.at("/metrics/statistics/served").asString()).isEqualTo("population");
        assertThat(auto.at("/metrics/validationLoss").asDouble())
                .isEqualTo(
                        auto.at("/metrics/statistics/validationLoss/population").asDouble());
    }

    /** A model trained with population statistics reports the metrics of that model, not of the EMA one it replaced. */
    @Test
    void populationModelsReportTheirOwnMetrics() throws Exception {
        String ds = http.upload("iris-pop", TestHttp.resource("iris"));
        JsonNode m = http.awaitReady(http.train("{\"dataset\": \"" + ds + "\", \"label\": \"species\", \"epochs\": 4,"
                + " \"batchNorm\": {\"statistics\": \"population\"}}"));
        JsonNode report = json(http.get("/models/" + m.get("id").asString() + "/statistics"));
        // the stored statistics are the population ones, and the served model's validation loss is the metric
        assertThat(report.get("maxRelativeDrift").asDouble()).isLessThan(1e-9);
        assertThat(report.at("/validationLoss/movingAverages").asDouble())
                .isEqualTo(m.at("/metrics/validationLoss").asDouble());
        assertThat(m.at("/metrics/validation/logLoss").asDouble())
                .isEqualTo(m.at("/metrics/validationLoss").asDouble());
    }
}
