package dev.bnserve;

import static dev.bnserve.TestHttp.json;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import dev.bnserve.model.TrainingSpec;
import dev.bnserve.nn.Split;
import dev.bnserve.nn.Trainer;
import dev.bnserve.prep.IsoDates;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
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

/**
 * A real table with missing cells, a date column, a text column and a categorical label ({@code cars.csv}), and small
 * generated ones, over HTTP: what is learned from data comes from the training split only, is stored in the model,
 * and is applied unchanged to every prediction.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
@DirtiesContext
class RealWorldTablesTest {
    @DynamicPropertySource
    static void properties(DynamicPropertyRegistry registry) {
        String dir = TestHttp.tempDir("bnserve-tables").toString();
        registry.add("bnserve.data-dir", () -> dir);
    }

    static final byte[] CARS = TestHttp.resource("cars");

    @LocalServerPort
    int port;

    TestHttp http;

    @BeforeEach
    void client() {
        http = new TestHttp(port);
    }

    /** The cars rows as the CSV has them (header dropped), split into cells. */
    static List<String[]> rows() {
        List<String[]> out = new ArrayList<>();
        String[] lines = new String(CARS, StandardCharsets.UTF_8).split("\n");
        for (int i = 1; i < lines.length; i++) if (!lines[i].isBlank()) out.add(lines[i].split(",", -1));
        return out;
    }

    @Test
    void carsOriginFromEverythingElse() throws Exception {
        String ds = http.upload("cars", CARS);
        JsonNode m = http.awaitReady(http.train("{\"dataset\": \"" + ds + "\", \"label\": \"Origin\"}"));

        // Name has 300+ levels: left out of the default features, and said why
        assertThat(m.get("inputs").toString()).doesNotContain("\"Name\"");
        assertThat(m.get("ignored").get(0).get("name").asString()).isEqualTo("Name");
        assertThat(m.get("ignored").get(0).get("reason").asString()).contains("preprocessing.maxCategories");
        assertThat(m.get("encodedInputs").toString())
                .contains("\"Horsepower:missing\"", "\"Year:year\"", "\"Year:weekday_sin\"")
                .doesNotContain("Year:month"); // every Year is a January first: no month to learn from
        assertThat(m.at("/layers/0/features").asInt())
                .isEqualTo(m.get("encodedInputs").size());

        // the imputed horsepower is the training split's mean, exactly
        List<String[]> rows = rows();
        Split split = Trainer.split(rows.size(), TrainingSpec.DEFAULTS.trainingConfig());
        boolean[] train = new boolean[rows.size()];
        for (int r : split.train()) train[r] = true;
        double sum = 0;
        int n = 0;
        for (int r = 0; r < rows.size(); r++) {
            String hp = rows.get(r)[4];
            if (train[r] && !hp.isEmpty()) {
                sum += Double.parseDouble(hp);
                n++;
            }
        }
        JsonNode hp = null;
        for (JsonNode c : m.at("/preprocessing/columns"))
            if (c.get("name").asString().equals("Horsepower")) hp = c;
        assertThat(hp.get("impute").asDouble()).isEqualTo(sum / n);
        assertThat(hp.get("indicator").asBoolean()).isTrue();

        // metrics describe the served model, and validation has every classification metric
        JsonNode v = m.at("/metrics/validation");
        assertThat(v.get("accuracy").asDouble()).isGreaterThan(0.6);
        assertThat(v.get("confusionMatrix").get("labels").size()).isEqualTo(3);
        assertThat(v.get("perClass").has("Japan")).isTrue();
        assertThat(m.at("/metrics/validationAccuracy").asDouble())
                .isEqualTo(v.get("accuracy").asDouble());
        JsonNode last = m.get("history").get(m.get("history").size() - 1);
        assertThat(v.get("logLoss").asDouble())
                .isCloseTo(last.get("validationLoss").asDouble(), within(1e-9));

        // predict a row with a missing horsepower, by name, with raw values
        String row = "{\"Miles_per_Gallon\": 18, \"Cylinders\": 8, \"Displacement\": 307, \"Horsepower\": null,"
                + " \"Weight_in_lbs\": 3504, \"Acceleration\": 12, \"Year\": \"1970-01-01\"}";
        HttpResponse<String> alone =
                http.postJson("/models/" + m.get("id").asString() + "/predict", "{\"features\": " + row + "}");
        assertThat(alone.statusCode()).as(alone.body()).isEqualTo(200);
        JsonNode a = json(alone);
        assertThat(a.get("prediction").asString()).isIn("USA", "Europe", "Japan");
        assertThat(a.get("warnings").toString()).contains("Horsepower");

        // the same row in a batch, beside others, gives the same bits
        HttpResponse<String> batch = http.postJson(
                "/models/" + m.get("id").asString() + "/predict",
                "{\"instances\": [" + row.replace("307", "97") + ", " + row + "]}");
        JsonNode b = json(batch).get("predictions").get(1);
        for (String c : List.of("USA", "Europe", "Japan")) {
            assertThat(Double.doubleToRawLongBits(b.at("/probabilities/" + c).asDouble()))
                    .isEqualTo(Double.doubleToRawLongBits(
                            a.at("/probabilities/" + c).asDouble()));
        }

        // a date that does not parse is a 422 naming it
        HttpResponse<String> badDate = http.postJson(
                "/models/" + m.get("id").asString() + "/predict",
                "{\"features\": " + row.replace("1970-01-01", "the seventies") + "}");
        assertThat(badDate.statusCode()).as(badDate.body()).isEqualTo(422);
        assertThat(json(badDate).at("/errors/0/field").asString()).isEqualTo("features.Year");
    }

    @Test
    void aLevelSeenOnlyInValidationIsUnknownAndUnknownLevelsAreWarnings() throws Exception {
        StringBuilder csv = new StringBuilder("x,k,y\n");
        for (int i = 0; i < 60; i++)
            csv.append(i % 7)
                    .append(',')
                    .append(i % 2 == 0 ? "a" : "b")
                    .append(',')
                    .append(i % 3 == 0 ? "p" : "q")
                    .append('\n');
        String ds = http.upload("levels", csv.toString().getBytes(StandardCharsets.UTF_8));
        JsonNode m = http.awaitReady(http.train("{\"dataset\": \"" + ds + "\", \"label\": \"y\", \"epochs\": 3}"));
        HttpResponse<String> r = http.postJson(
                "/models/" + m.get("id").asString() + "/predict", "{\"features\": {\"x\": 1, \"k\": \"zebra\"}}");
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        assertThat(json(r).get("warnings").toString()).contains("zebra");
        HttpResponse<String> strict = http.postJson(
                "/models/" + m.get("id").asString() + "/predict",
                "{\"features\": {\"x\": 1, \"k\": \"a\", \"colour\": \"red\"}}");
        assertThat(json(strict).get("warnings").toString()).contains("colour");
        assertThat(IsoDates.parse("2012-01-01")).isEqualTo(15340 * 86400.0);
    }

    @Test
    void badTablesAreProblems() throws Exception {
        String ds = http.upload(
                "bad", "a,empty,label,lab2\n1,,x,\n2,,y,p\n3,,x,\n4,,y,q\n5,,x,\n".getBytes(StandardCharsets.UTF_8));
        // a feature column that is all missing, named explicitly
        HttpResponse<String> r = http.postJson(
                "/models", "{\"dataset\": \"" + ds + "\", \"label\": \"label\", \"features\": [\"a\", \"empty\"]}");
        assertThat(r.statusCode()).as(r.body()).isEqualTo(422);
        assertThat(json(r).at("/errors/0/field").asString()).isEqualTo("features[1]");
        // missing: error with a feature that has missing values
        HttpResponse<String> err = http.postJson(
                "/models",
                "{\"dataset\": \"" + ds
                        + "\", \"label\": \"label\", \"features\": [\"a\", \"lab2\"], \"preprocessing\": {\"missing\": \"error\"}}");
        assertThat(err.statusCode()).as(err.body()).isEqualTo(422);
        assertThat(json(err).at("/errors/0/message").asString()).contains("3 missing values");
        // a label with missing values: those rows are left out, and counted
        JsonNode m = http.awaitReady(http.train("{\"dataset\": \"" + ds
                + "\", \"label\": \"lab2\", \"features\": [\"a\"], \"validationSplit\": 0, \"epochs\": 2}"));
        assertThat(m.at("/metrics/droppedRows").asInt()).isEqualTo(3);
        assertThat(m.at("/metrics/trainRows").asInt()).isEqualTo(2);
        // a label with no values at all
        HttpResponse<String> none =
                http.postJson("/models", "{\"dataset\": \"" + ds + "\", \"label\": \"empty\", \"features\": [\"a\"]}");
        assertThat(none.statusCode()).as(none.body()).isEqualTo(422);
        // a categorical with more levels than maxCategories, named explicitly
        HttpResponse<String> wide = http.postJson(
                "/models",
                "{\"dataset\": \"" + ds
                        + "\", \"label\": \"a\", \"features\": [\"label\"], \"preprocessing\": {\"maxCategories\": 1}}");
        assertThat(wide.statusCode()).as(wide.body()).isEqualTo(422);
        assertThat(json(wide).at("/errors/0/message").asString()).contains("preprocessing.maxCategories");
    }

    @Test
    void earlyStoppingServesTheBestEpochAndItsStatistics() throws Exception {
        String ds = http.upload("cars-early", CARS);
        JsonNode m = http.awaitReady(http.train("{\"dataset\": \"" + ds + "\", \"label\": \"Origin\", \"epochs\": 300,"
                + " \"optimizer\": {\"learningRate\": 0.01}, \"earlyStopping\": {\"patience\": 5}}"));
        int best = m.at("/metrics/bestEpoch").asInt();
        int ran = m.get("history").size();
        assertThat(ran).isLessThan(300).isEqualTo(best + 5);
        double bestLoss = m.get("history").get(best - 1).get("validationLoss").asDouble();
        assertThat(m.at("/metrics/validation/logLoss").asDouble()).isCloseTo(bestLoss, within(1e-9));
        assertThat(m.at("/metrics/validationLoss").asDouble()).isCloseTo(bestLoss, within(1e-9));
    }

    @Test
    void balancedClassWeightsTrainAndEffectiveBatchSizeIsReported() throws Exception {
        String ds = http.upload("cars-weights", CARS);
        JsonNode m = http.awaitReady(http.train("{\"dataset\": \"" + ds + "\", \"label\": \"Origin\", \"epochs\": 3,"
                + " \"classWeights\": \"balanced\", \"batchSize\": 1000}"));
        assertThat(m.at("/request/classWeights").asString()).isEqualTo("balanced");
        assertThat(m.at("/metrics/batchSize").asInt())
                .isEqualTo(m.at("/metrics/trainRows").asInt());
    }

    @Test
    void scoringTheCsvEqualsJsonForEveryRow() throws Exception {
        String ds = http.upload("cars-score", CARS);
        JsonNode m = http.awaitReady(http.train("{\"dataset\": \"" + ds + "\", \"label\": \"Origin\", \"epochs\": 5}"));
        String id = m.get("id").asString();
        HttpResponse<String> scored = http.send(
                "POST",
                "/models/" + id + "/predict?keep=Name",
                "text/csv",
                CARS,
                java.util.Map.of("Accept", "text/csv"));
        assertThat(scored.statusCode()).as(scored.body()).isEqualTo(200);
        assertThat(scored.headers().firstValue("Content-Type").orElse("")).startsWith("text/csv");
        String[] out = scored.body().split("\n");
        List<String> classes = new ArrayList<>();
        m.get("classes").forEach(c -> classes.add(c.asString()));
        assertThat(out[0]).isEqualTo("Name,prediction,p_" + String.join(",p_", classes));
        List<String[]> rows = rows();
        assertThat(out).hasSize(rows.size() + 1);
        List<String> inputs = new ArrayList<>();
        m.get("inputs").forEach(i -> inputs.add(i.asString()));
        String[] header = new String(CARS, StandardCharsets.UTF_8).split("\n")[0].split(",");
        StringBuilder instances = new StringBuilder("{\"instances\": [");
        for (int r = 0; r < rows.size(); r++) {
            StringBuilder row = new StringBuilder("{");
            for (int c = 0; c < header.length; c++) {
                if (!inputs.contains(header[c])) continue;
                String cell = rows.get(r)[c];
                if (row.length() > 1) row.append(", ");
                row.append('"').append(header[c]).append("\": ");
                row.append(cell.isEmpty() ? "null" : header[c].equals("Year") ? '"' + cell + '"' : cell);
            }
            instances.append(r == 0 ? "" : ", ").append(row).append('}');
        }
        JsonNode json = json(http.postJson(
                "/models/" + id + "/predict", instances.append("]}").toString()));
        for (int r = 0; r < rows.size(); r++) {
            String[] cells = out[r + 1].split(",");
            JsonNode a = json.get("predictions").get(r);
            assertThat(cells[0]).isEqualTo(rows.get(r)[0]);
            assertThat(cells[1]).as("row %d", r).isEqualTo(a.get("prediction").asString());
            for (int k = 0; k < classes.size(); k++) {
                assertThat(Double.doubleToRawLongBits(Double.parseDouble(cells[2 + k])))
                        .as("row %d p_%s", r, classes.get(k))
                        .isEqualTo(Double.doubleToRawLongBits(
                                a.at("/probabilities/" + classes.get(k)).asDouble()));
            }
        }

        // a CSV that lacks an input, and one with a bad row, are 422s naming the column and the line
        HttpResponse<String> lacking = http.send(
                "POST",
                "/models/" + id + "/predict",
                "text/csv",
                "Name,Cylinders\nx,4\n".getBytes(StandardCharsets.UTF_8),
                java.util.Map.of());
        assertThat(lacking.statusCode()).as(lacking.body()).isEqualTo(422);
        assertThat(json(lacking).at("/errors/0/column").asString()).isEqualTo("Miles_per_Gallon");
        String bad = new String(CARS, StandardCharsets.UTF_8).replaceFirst("\n(.*?),18,", "\n$1,eighteen,");
        HttpResponse<String> badRow = http.send(
                "POST",
                "/models/" + id + "/predict",
                "text/csv",
                bad.getBytes(StandardCharsets.UTF_8),
                java.util.Map.of());
        assertThat(badRow.statusCode()).as(badRow.body()).isIn(400, 422);
        assertThat(json(badRow).at("/errors/0/row").asInt()).isEqualTo(2);
    }

    @Test
    void regressionOnARealTableReportsItsMetricsAndDropsUnlabelledRows() throws Exception {
        String ds = http.upload("cars-mpg", CARS);
        JsonNode m = http.awaitReady(
                http.train("{\"dataset\": \"" + ds + "\", \"label\": \"Miles_per_Gallon\", \"epochs\": 20}"));
        assertThat(m.get("task").asString()).isEqualTo("regression");
        assertThat(m.at("/metrics/droppedRows").asInt()).isEqualTo(8); // the rows without a label
        JsonNode v = m.at("/metrics/validation");
        assertThat(v.get("rmse").asDouble())
                .isPositive()
                .isEqualTo(m.at("/metrics/validationRmse").asDouble());
        assertThat(v.get("mae").asDouble())
                .isPositive()
                .isLessThanOrEqualTo(v.get("rmse").asDouble());
        assertThat(v.get("r2").asDouble()).isLessThanOrEqualTo(1.0);
        // Origin is categorical, now a feature: a level it never saw is a warning, not a guess
        HttpResponse<String> r = http.postJson(
                "/models/" + m.get("id").asString() + "/predict",
                "{\"features\": {\"Cylinders\": 4, \"Displacement\": 91, \"Horsepower\": 67, \"Weight_in_lbs\": 1970,"
                        + " \"Acceleration\": 17.5, \"Year\": \"1981-01-01\", \"Origin\": \"Mars\"}}");
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        assertThat(json(r).get("warnings").toString()).contains("Mars");
    }

    @Test
    void rawValueAnswersAreBitIdenticalUnderLoad() throws Exception {
        String ds = http.upload("cars-load", CARS);
        String id = http.awaitReady(http.train("{\"dataset\": \"" + ds + "\", \"label\": \"Origin\", \"epochs\": 3}"))
                .get("id")
                .asString();
        String body = "{\"features\": {\"Miles_per_Gallon\": null, \"Cylinders\": 6, \"Displacement\": 225,"
                + " \"Horsepower\": 105, \"Weight_in_lbs\": 3439, \"Acceleration\": 15.5, \"Year\": \"1971-01-01\"}}";
        String expected = http.postJson("/models/" + id + "/predict", body).body();
        java.util.concurrent.ExecutorService pool = java.util.concurrent.Executors.newFixedThreadPool(4);
        try {
            List<java.util.concurrent.Future<String>> answers = new ArrayList<>();
            for (int i = 0; i < 200; i++) {
                String other = i % 2 == 0 ? body : body.replace("105", String.valueOf(1000 + i)); // other rows between
                answers.add(pool.submit(
                        () -> http.postJson("/models/" + id + "/predict", other).body()));
                if (i % 2 == 0) {
                    answers.add(pool.submit(() ->
                            http.postJson("/models/" + id + "/predict", body).body()));
                }
            }
            long mustMatch = answers.size() - 100; // the 100 rows with another horsepower differ
            int exact = 0;
            for (java.util.concurrent.Future<String> f : answers) if (f.get().equals(expected)) exact++;
            assertThat(exact).isEqualTo((int) mustMatch);
        } finally {
            pool.shutdownNow();
        }
    }
}
