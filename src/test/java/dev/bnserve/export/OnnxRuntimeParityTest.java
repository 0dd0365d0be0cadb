package dev.bnserve.export;

import static org.assertj.core.api.Assertions.assertThat;

import ai.onnxruntime.NodeInfo;
import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtSession;
import ai.onnxruntime.TensorInfo;
import dev.bnserve.TestHttp;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.stream.Collectors;
import onnx.Onnx;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.annotation.DirtiesContext;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * The ONNX export proven by real ONNX Runtime: models trained through the service on iris, a diabetes-like regression
 * table and cars.csv (missing cells, a date, categoricals), exported unfolded and folded; every row's
 * {@code /encode} output through ONNX Runtime equals {@code /predict}'s answer within 1e-9.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
@DirtiesContext
class OnnxRuntimeParityTest {
    static final double TOLERANCE = 1e-9;

    @DynamicPropertySource
    static void properties(DynamicPropertyRegistry registry) {
        String dir = TestHttp.tempDir("bnserve-onnx").toString();
        registry.add("bnserve.data-dir", () -> dir);
    }

    @LocalServerPort
    int port;

    TestHttp http;

    @BeforeEach
    void client() {
        http = new TestHttp(port);
    }

    @Test
    void irisClassification() throws Exception {
        // tanh without BN, then BN after ReLU: every layer kind and placement the export writes
        parity(
                "iris",
                TestHttp.resource("iris"),
                "species",
                ", \"epochs\": 40, \"hidden\": [{\"units\": 16, \"batchNorm\": false, \"activation\": \"tanh\"}, 16],"
                        + " \"batchNorm\": {\"placement\": \"after-activation\"}");
    }

    @Test
    void diabetesLikeRegression() throws Exception {
        parity("diabetes", diabetesLike(442, 7), "target", ", \"epochs\": 40");
    }

    @Test
    void carsMixedTypesClassificationAndRegression() throws Exception {
        byte[] cars = TestHttp.resource("cars");
        parity("cars", cars, "Origin", ", \"epochs\": 30");
        parity("cars-mpg", cars, "Miles_per_Gallon", ", \"epochs\": 30");
    }

    @Test
    void unknownFormatsAndFoldValuesAreProblemsNamingTheParameter() throws Exception {
        String ds = http.upload("iris", TestHttp.resource("iris"));
        String id = http.train("{\"dataset\": \"" + ds + "\", \"label\": \"species\", \"epochs\": 2}");
        http.awaitReady(id);
        for (String[] c :
                new String[][] {{"format=xml", "format"}, {"format=onnx&fold=yes", "fold"}, {"fold=true", "fold"}}) {
            HttpResponse<String> r = http.get("/models/" + id + "/export?" + c[0]);
            assertThat(r.statusCode()).as(r.body()).isEqualTo(422);
            assertThat(r.headers().firstValue("Content-Type")).hasValue(TestHttp.PROBLEM);
            assertThat(TestHttp.json(r).at("/errors/0/field").asString()).isEqualTo(c[1]);
        }
        // the JSON export keeps working, with and without format=json
        assertThat(TestHttp.json(http.get("/models/" + id + "/export"))
                        .get("id")
                        .asString())
                .isEqualTo(id);
        assertThat(TestHttp.json(http.get("/models/" + id + "/export?format=json"))
                        .get("id")
                        .asString())
                .isEqualTo(id);
        HttpResponse<String> many =
                http.postJson("/models/" + id + "/encode", "{\"instances\": [[1, 2, 3, 4], [1, 2, 3, 4]]}");
        assertThat(many.statusCode()).as(many.body()).isEqualTo(422);
    }

    /** Trains {@code label} from everything else, exports both variants and checks every row through ONNX Runtime. */
    private void parity(String name, byte[] csv, String label, String extra) throws Exception {
        String ds = http.upload(name, csv);
        String id = http.train("{\"dataset\": \"" + ds + "\", \"label\": \"" + label + "\"" + extra + "}");
        JsonNode model = http.awaitReady(id);
        boolean classification = model.get("task").asString().equals("classification");
        List<String> classes = new ArrayList<>();
        if (classification) model.get("classes").forEach(c -> classes.add(c.asString()));
        int width = model.get("encodedInputs").size();

        // every row of the file: its /encode output and its /predict answer, the same features to both
        List<ObjectNode> rows = rows(csv, label);
        double[][] encoded = new double[rows.size()][];
        double[][] expected = new double[rows.size()][];
        for (int r = 0; r < rows.size(); r++) {
            String body = "{\"features\": " + rows.get(r) + "}";
            HttpResponse<String> e = http.postJson("/models/" + id + "/encode", body);
            assertThat(e.statusCode()).as(e.body()).isEqualTo(200);
            JsonNode enc = TestHttp.json(e).get("encoded");
            assertThat(enc.size()).isEqualTo(width);
            encoded[r] = new double[width];
            for (int j = 0; j < width; j++) encoded[r][j] = enc.get(j).asDouble();
            HttpResponse<String> p = http.postJson("/models/" + id + "/predict", body);
            assertThat(p.statusCode()).as(p.body()).isEqualTo(200);
            JsonNode answer = TestHttp.json(p);
            if (classification) {
                expected[r] = new double[classes.size()];
                for (int k = 0; k < classes.size(); k++)
                    expected[r][k] =
                            answer.get("probabilities").get(classes.get(k)).asDouble();
            } else {
                expected[r] = new double[] {answer.get("prediction").asDouble()};
            }
        }

        OrtEnvironment env = OrtEnvironment.getEnvironment();
        for (boolean fold : new boolean[] {false, true}) {
            HttpResponse<byte[]> x = java.net.http.HttpClient.newHttpClient()
                    .send(
                            HttpRequest.newBuilder(http.uri(
                                            "/models/" + id + "/export?format=onnx" + (fold ? "&fold=true" : "")))
                                    .build(),
                            HttpResponse.BodyHandlers.ofByteArray());
            assertThat(x.statusCode()).isEqualTo(200);
            assertThat(x.headers().firstValue("Content-Type")).hasValue("application/octet-stream");
            assertThat(x.headers().firstValue("Content-Disposition").orElseThrow())
                    .contains(id + (fold ? "-folded" : "") + ".onnx");
            byte[] onnx = x.body();

            Onnx.ModelProto proto = Onnx.ModelProto.parseFrom(onnx);
            assertThat(proto.getOpsetImport(0).getVersion()).isGreaterThanOrEqualTo(15);
            Set<String> ops = proto.getGraph().getNodeList().stream()
                    .map(Onnx.NodeProto::getOpType)
                    .collect(Collectors.toSet());
            if (fold) assertThat(ops).doesNotContain("BatchNormalization").contains("Gemm");
            else assertThat(ops).contains("BatchNormalization", "Gemm");
            assertThat(ops.contains("Softmax")).isEqualTo(classification);

            // ONNX Runtime's load-time checks (model checker, type and shape inference) run here
            try (OrtSession session = env.createSession(onnx, new OrtSession.SessionOptions())) {
                NodeInfo in = session.getInputInfo().get(OnnxExport.INPUT);
                assertThat(((TensorInfo) in.getInfo()).getShape()).containsExactly(-1L, (long) width);
                String outName = classification ? OnnxExport.PROBABILITIES : OnnxExport.PREDICTION;
                assertThat(session.getOutputNames()).containsExactly(outName);
                Map<String, String> meta = session.getMetadata().getCustomMetadata();
                assertThat(meta).containsEntry("bnserve.model", id).containsEntry("bnserve.label", label);
                assertThat(TestHttp.JSON.readTree(meta.get("bnserve.encodedInputs")))
                        .isEqualTo(model.get("encodedInputs"));
                assertThat(TestHttp.JSON
                                .readTree(meta.get("bnserve.preprocessing"))
                                .get("columns"))
                        .isNotNull();

                double[][] got;
                try (OnnxTensor t = OnnxTensor.createTensor(env, encoded);
                        OrtSession.Result result = session.run(Map.of(OnnxExport.INPUT, t))) {
                    got = (double[][]) result.get(0).getValue();
                }
                double max = 0;
                for (int r = 0; r < rows.size(); r++) {
                    assertThat(got[r].length).isEqualTo(expected[r].length);
                    for (int k = 0; k < got[r].length; k++) max = Math.max(max, Math.abs(got[r][k] - expected[r][k]));
                }
                System.out.printf(
                        "ONNX parity %s (%s, %d rows): max |onnx - predict| = %.3e%n",
                        name, fold ? "folded" : "unfolded", rows.size(), max);
                assertThat(max).as(name + (fold ? " folded" : " unfolded")).isLessThanOrEqualTo(TOLERANCE);
            }
        }
    }

    /** The CSV's rows as feature objects: numbers as numbers, empty cells as null, the rest as strings. */
    static List<ObjectNode> rows(byte[] csv, String label) {
        String[] lines = new String(csv, StandardCharsets.UTF_8).split("\r?\n");
        String[] header = lines[0].split(",", -1);
        List<ObjectNode> out = new ArrayList<>();
        for (int i = 1; i < lines.length; i++) {
            if (lines[i].isBlank()) continue;
            String[] cells = lines[i].split(",", -1);
            ObjectNode o = TestHttp.JSON.createObjectNode();
            for (int j = 0; j < header.length; j++) {
                if (header[j].equals(label)) continue;
                String c = cells[j];
                if (c.isEmpty()) o.putNull(header[j]);
                else {
                    try {
                        o.put(header[j], Double.parseDouble(c));
                    } catch (NumberFormatException e) {
                        o.put(header[j], c);
                    }
                }
            }
            out.add(o);
        }
        return out;
    }

    /**
     * A seeded table shaped like scikit-learn's diabetes data (442 rows, age, sex, bmi, bp and six serum
     * measurements; a target around 150 ± 77 from a nonlinear function of them plus noise).
     */
    static byte[] diabetesLike(int n, long seed) {
        Random rnd = new Random(seed);
        StringBuilder b = new StringBuilder("age,sex,bmi,bp,s1,s2,s3,s4,s5,s6,target\n");
        for (int r = 0; r < n; r++) {
            double age = 20 + 60 * rnd.nextDouble();
            int sex = rnd.nextBoolean() ? 1 : 2;
            double bmi = 26 + 4.4 * rnd.nextGaussian();
            double bp = 94 + 14 * rnd.nextGaussian();
            double[] s = new double[6];
            for (int k = 0; k < 6; k++) s[k] = 0.3 * (bmi - 26) / 4.4 + rnd.nextGaussian();
            double target = 152
                    + 10 * (age - 50) / 17
                    + 25 * (bmi - 26) / 4.4
                    + 15 * (bp - 94) / 14
                    - 20 * s[2]
                    + 22 * Math.tanh(s[4])
                    + 8 * s[0] * s[1]
                    + 20 * rnd.nextGaussian();
            b.append(String.format(java.util.Locale.ROOT, "%.1f,%d,%.2f,%.1f", age, sex, bmi, bp));
            for (double v : s) b.append(String.format(java.util.Locale.ROOT, ",%.4f", 180 + 35 * v));
            b.append(String.format(java.util.Locale.ROOT, ",%.1f%n", target));
        }
        return b.toString().getBytes(StandardCharsets.UTF_8);
    }
}
