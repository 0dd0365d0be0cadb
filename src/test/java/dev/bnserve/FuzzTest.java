package dev.bnserve;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URLEncoder;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.TreeMap;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.annotation.DirtiesContext;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import tools.jackson.databind.JsonNode;

/**
 * Seeded black-box fuzzing over real HTTP: a few thousand malformed requests across every endpoint (mutated
 * CSV uploads raw and multipart, mutated training, prediction and import JSON, odd ids and paths, wrong
 * methods and content types, empty bodies, Open Inference Protocol requests). The service must answer every one
 * without a 5xx, every 4xx must be an {@code application/problem+json} without internals (on the protocol's
 * {@code /v2} paths: its {@code {"error": "…"}} as {@code application/json}), and afterwards the service must be healthy and
 * its two models must answer bit for bit as before. Requests that legitimately succeed are counted and what
 * they create is removed again.
 */
@SpringBootTest(
        webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
        properties = {
            "bnserve.limits.max-upload-bytes=262144",
            "bnserve.limits.max-rows=2000",
            "bnserve.limits.max-columns=200",
            "bnserve.limits.max-hidden-width=64",
            "bnserve.limits.max-hidden-layers=3",
            "bnserve.limits.max-epochs=20",
            "bnserve.limits.max-instances=100",
            "bnserve.training.concurrency=1",
            "bnserve.training.queue-capacity=4"
        })
@DirtiesContext
class FuzzTest {

    static final long SEED = 0x5EED_2026_1121L;
    static final int REQUESTS = 2400;

    @DynamicPropertySource
    static void properties(DynamicPropertyRegistry registry) {
        String dir = TestHttp.tempDir("bnserve-fuzz").toString();
        registry.add("bnserve.data-dir", () -> dir);
    }

    @LocalServerPort
    int port;

    TestHttp http;
    SplittableRandom rnd;
    String iris;
    String classifier;
    String regressor;
    String exported;
    byte[] irisCsv;

    /** One generated request. */
    record Req(
            String category,
            String method,
            String path,
            String contentType,
            byte[] body,
            Map<String, String> headers,
            String envelope) {
        Req(String category, String method, String path, String contentType, byte[] body, Map<String, String> headers) {
            this(category, method, path, contentType, body, headers, null);
        }

        String describe() {
            String b = body == null
                    ? "<no body>"
                    : new String(body, 0, Math.min(body.length, 160), StandardCharsets.ISO_8859_1)
                            .replaceAll("[\\x00-\\x1f\\x7f-\\xff]", "?");
            String p = path.length() > 160 ? path.substring(0, 160) + "…(" + path.length() + ")" : path;
            return category + ": " + method + " " + p + " [" + contentType + "] " + headers + " body("
                    + (body == null ? 0 : body.length) + ")=" + b;
        }
    }

    @Test
    void malformedRequestsNeverBreakTheService() throws Exception {
        long start = System.nanoTime();
        http = new TestHttp(port);
        irisCsv = TestHttp.resource("iris");
        iris = http.upload("iris", irisCsv);
        classifier = http.train(
                "{\"name\": \"fuzzed\", \"dataset\": \"" + iris
                        + "\", \"label\": \"species\", \"epochs\": 5, \"hidden\": [16, 16], \"optimizer\": {\"learningRate\": 0.01}}");
        regressor = http.train(
                "{\"dataset\": \"" + iris
                        + "\", \"label\": \"petal_width\", \"features\": [\"sepal_length\", \"sepal_width\", \"petal_length\"], \"epochs\": 5, \"hidden\": [16]}");
        JsonNode classifierDoc = http.awaitReady(classifier);
        JsonNode regressorDoc = http.awaitReady(regressor);
        exported = http.get("/models/" + classifier + "/export").body();

        Map<String, String> baseline = baseline();

        rnd = new SplittableRandom(SEED);
        Map<String, Integer> byCategory = new TreeMap<>();
        Map<Integer, Integer> byStatus = new TreeMap<>();
        List<String> serverErrors = new ArrayList<>();
        List<String> badProblems = new ArrayList<>();
        int succeeded = 0;
        int cleanedUp = 0;
        for (int i = 0; i < REQUESTS; i++) {
            Req req = next(i);
            HttpResponse<String> r = http.send(req.method(), req.path(), req.contentType(), req.body(), req.headers());
            byCategory.merge(req.category(), 1, Integer::sum);
            byStatus.merge(r.statusCode(), 1, Integer::sum);
            String problem = check(r);
            if (r.statusCode() >= 500) {
                serverErrors.add("#" + i + " " + req.describe() + "\n    -> " + r.statusCode() + " " + r.body());
            } else if (problem != null) {
                badProblems.add("#" + i + " " + req.describe() + "\n    -> " + r.statusCode() + " " + problem + ": "
                        + r.headers().firstValue("Content-Type").orElse("<none>") + " " + abbreviate(r.body()));
            }
            if (r.statusCode() >= 200 && r.statusCode() < 300) {
                succeeded++;
                cleanedUp += cleanUp(req, r, serverErrors, badProblems);
            }
        }

        // the service is healthy, small and answers exactly as before
        HttpResponse<String> health = http.get("/actuator/health");
        assertThat(health.statusCode()).isEqualTo(200);
        assertThat(TestHttp.json(health).get("status").asString()).isEqualTo("UP");
        int compared = 0;
        for (Map.Entry<String, String> e : baseline.entrySet()) {
            String[] pathAndBody = e.getKey().split("\n", 2);
            HttpResponse<String> again = http.postJson(pathAndBody[0], pathAndBody[1]);
            assertThat(again.statusCode()).as(e.getKey()).isEqualTo(200);
            assertThat(again.body()).as(e.getKey()).isEqualTo(e.getValue());
            compared++;
        }
        assertThat(TestHttp.json(http.get("/models/" + classifier)).get("layers"))
                .isEqualTo(classifierDoc.get("layers"));
        assertThat(TestHttp.json(http.get("/models/" + regressor)).get("layers"))
                .isEqualTo(regressorDoc.get("layers"));
        JsonNode models = TestHttp.json(http.get("/models"));
        JsonNode datasets = TestHttp.json(http.get("/datasets"));

        double seconds = (System.nanoTime() - start) / 1e9;
        System.out.printf(
                "FuzzTest: %d requests (seed %#x) in %.1f s; by category %s; by status %s; %d succeeded (%d resources "
                        + "cleaned up); %d 5xx; %d non-problem 4xx; %d baseline answers "
                        + "compared; %d models and %d datasets left%n",
                REQUESTS,
                SEED,
                seconds,
                byCategory,
                byStatus,
                succeeded,
                cleanedUp,
                serverErrors.size(),
                badProblems.size(),
                compared,
                models.size(),
                datasets.size());
        serverErrors.stream().limit(30).forEach(s -> System.out.println("5xx " + s));
        badProblems.stream().limit(30).forEach(s -> System.out.println("BAD 4xx " + s));

        assertThat(serverErrors).as("5xx responses").isEmpty();
        assertThat(badProblems)
                .as("4xx responses that are not clean problem+json")
                .isEmpty();
        assertThat(models.size()).as("models left").isEqualTo(2);
        assertThat(datasets.size()).as("datasets left").isEqualTo(1);
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(60));
    }

    // ------------------------------------------------------------------ checks

    /** Null when the response is fine, else what is wrong with it. */
    static String check(HttpResponse<String> r) {
        int s = r.statusCode();
        if (s < 400 || s >= 500) return null;
        String type = r.headers().firstValue("Content-Type").orElse("");
        if (openInference(r.request().uri().getRawPath())) return protocolError(r, type);
        if (!type.startsWith(TestHttp.PROBLEM)) return "not problem+json";
        JsonNode p;
        try {
            p = TestHttp.json(r);
        } catch (RuntimeException e) {
            return "body is not JSON";
        }
        if (!p.isObject()
                || p.path("status").asInt() != s
                || !p.path("title").isString()
                || !p.path("detail").isString()
                || p.path("detail").asString().isBlank()) {
            return "problem lacks status/title/detail";
        }
        return internals(r.body());
    }

    /** Whether a path is the Open Inference Protocol's, whose errors have that protocol's shape instead. */
    static boolean openInference(String rawPath) {
        return rawPath.equals("/v2") || rawPath.startsWith("/v2/");
    }

    /** Null when a 4xx on a /v2 path is the protocol's {@code {"error": "…"}} without internals, else what is wrong. */
    static String protocolError(HttpResponse<String> r, String type) {
        if (!type.startsWith("application/json")) return "not application/json";
        if (r.request().method().equals("HEAD")) return null; // the same headers as GET, never a body
        JsonNode e;
        try {
            e = TestHttp.json(r);
        } catch (RuntimeException ex) {
            return "body is not JSON";
        }
        if (!e.isObject()
                || e.size() != 1
                || !e.path("error").isString()
                || e.path("error").asString().isBlank()) {
            return "not the protocol's {\"error\": \"…\"}";
        }
        return internals(r.body());
    }

    /** Null unless {@code body} reveals the implementation. */
    static String internals(String body) {
        for (String internal : new String[] {
            "Exception",
            "at dev.",
            "dev.bnserve",
            "java.",
            "tools.jackson",
            "org.springframework",
            "\tat ",
            "stackTrace",
            "\"trace\""
        }) {
            if (body.contains(internal)) return "reveals internals ('" + internal + "')";
        }
        return null;
    }

    /** Removes what a successful request created (and checks what it answers); returns how many resources. */
    private int cleanUp(Req req, HttpResponse<String> r, List<String> serverErrors, List<String> badProblems)
            throws Exception {
        if (req.method().equals("PUT") && req.path().startsWith("/aliases/")) {
            // an alias set: it must answer, then go, so it protects no model from the DELETEs that follow
            String ref = req.path().substring("/aliases/".length()).replace('/', '@');
            assertThat(http.postJson("/models/" + ref + "/predict", "{\"features\": [5.1, 3.5, 1.4, 0.2]}")
                            .statusCode())
                    .isEqualTo(200);
            assertThat(http.delete(req.path()).statusCode()).isEqualTo(204);
            return 1;
        }
        if (!req.method().equals("POST") || !(r.statusCode() == 201 || r.statusCode() == 202)) return 0;
        String id = TestHttp.json(r).path("id").asString("");
        if (id.startsWith("d-")) {
            assertThat(http.delete("/datasets/" + id).statusCode()).isEqualTo(204);
            return 1;
        }
        if (!id.startsWith("m-")) return 0;
        if (r.statusCode() == 201) {
            // an imported model: it must predict (or refuse) cleanly, directly and as the latest model
            String row = "{\"features\": [5.1, 3.5, 1.4, 0.2]}";
            for (String path : new String[] {"/models/" + id + "/predict", "/predict"}) {
                HttpResponse<String> p = http.postJson(path, row);
                String problem = check(p);
                if (p.statusCode() >= 500)
                    serverErrors.add("predict with imported model after " + req.describe() + "\n    -> "
                            + p.statusCode() + " " + p.body());
                else if (problem != null)
                    badProblems.add("predict with imported model after " + req.describe() + "\n    -> " + problem + " "
                            + abbreviate(p.body()));
            }
        }
        // a training job: the first DELETE cancels it (or removes a finished model), the next removes it
        for (int attempt = 0; attempt < 3; attempt++) {
            int s = http.delete("/models/" + id).statusCode();
            if (s == 404) break;
            assertThat(s).isEqualTo(204);
        }
        return 1;
    }

    // ------------------------------------------------------------------ baseline

    static final double[][] ROWS = {
        {5.1, 3.5, 1.4, 0.2},
        {7.0, 3.2, 4.7, 1.4},
        {6.3, 3.3, 6.0, 2.5},
        {4.9, 3.0, 1.4, 0.2},
        {0.0, -1e-300, 100.0, 4.9e-324},
        {-3.5, 12.25, 0.001, 7.0}
    };
    static final String[] FEATURES = TestHttp.IRIS_FEATURES;

    /** "path\nbody" → the exact answer, for single rows and batches of both models. */
    private Map<String, String> baseline() throws Exception {
        Map<String, String> out = new LinkedHashMap<>();
        StringBuilder all = new StringBuilder("[");
        StringBuilder allReg = new StringBuilder("[");
        for (int r = 0; r < ROWS.length; r++) {
            String row = TestHttp.jsonArray(ROWS[r], 4);
            String regRow = TestHttp.jsonArray(ROWS[r], 3);
            out.put("/models/" + classifier + "/predict\n{\"features\": " + row + "}", null);
            out.put(
                    "/predict\n{\"model\": \"" + classifier + "\", \"features\": "
                            + TestHttp.jsonObject(FEATURES, ROWS[r], 4) + "}",
                    null);
            out.put("/models/" + regressor + "/predict\n{\"features\": " + regRow + "}", null);
            out.put(
                    "/predict\n{\"features\": " + TestHttp.jsonObject(FEATURES, ROWS[r], 3) + ", \"model\": \""
                            + regressor + "\"}",
                    null);
            all.append(r == 0 ? "" : ",").append(r % 2 == 0 ? row : TestHttp.jsonObject(FEATURES, ROWS[r], 4));
            allReg.append(r == 0 ? "" : ",").append(r % 2 == 1 ? regRow : TestHttp.jsonObject(FEATURES, ROWS[r], 3));
        }
        out.put("/v2/models/" + classifier + "/infer\n" + inferBody(classifier, ROWS.length, 4), null);
        out.put("/v2/models/" + regressor + "/infer\n" + inferBody(regressor, ROWS.length, 3), null);
        out.put("/models/" + classifier + "/predict\n{\"instances\": " + all + "]}", null);
        out.put("/models/" + regressor + "/predict\n{\"instances\": " + allReg + "]}", null);
        for (Map.Entry<String, String> e : out.entrySet()) {
            String[] pathAndBody = e.getKey().split("\n", 2);
            HttpResponse<String> r = http.postJson(pathAndBody[0], pathAndBody[1]);
            assertThat(r.statusCode()).as(e.getKey() + " -> " + r.body()).isEqualTo(200);
            e.setValue(r.body());
        }
        return out;
    }

    /** An infer body with the first {@code n} rows of {@link #ROWS}, one FP64 tensor per input column. */
    private static String inferBody(String model, int n, int inputs) {
        StringBuilder b = new StringBuilder("{\"id\": \"" + model + "\", \"inputs\": [");
        for (int c = 0; c < inputs; c++) {
            b.append(c == 0 ? "" : ", ")
                    .append("{\"name\": \"")
                    .append(FEATURES[c])
                    .append("\", \"datatype\": \"FP64\", \"shape\": [")
                    .append(n)
                    .append("], \"data\": [");
            for (int r = 0; r < n; r++) b.append(r == 0 ? "" : ", ").append(ROWS[r][c]);
            b.append("]}");
        }
        return b.append("]}").toString();
    }

    // ------------------------------------------------------------------ generators

    private Req next(int i) {
        return switch (i % 10) {
            case 0 -> csvRaw();
            case 1 -> csvMultipart();
            case 2 -> training();
            case 3, 4 -> prediction();
            case 5 -> importDoc();
            case 6 -> oddIds();
            case 7 -> wrongMethodsAndTypes();
            case 8 -> inference();
            default ->
                switch (rnd.nextInt(5)) {
                    case 0 -> csvRaw();
                    case 1 -> training();
                    case 2 -> prediction();
                    case 3 -> names();
                    default -> importDoc();
                };
        };
    }

    private <T> T pick(List<T> options) {
        return options.get(rnd.nextInt(options.size()));
    }

    @SafeVarargs
    private <T> T pick(T... options) {
        return options[rnd.nextInt(options.length)];
    }

    private static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    // ---- CSV

    private Req csvRaw() {
        String type = pick(
                "text/csv",
                "text/csv",
                "text/csv; charset=utf-8",
                "text/csv; charset=UTF-16",
                "text/csv; charset=utf-32le",
                "text/csv; charset=x-no-such-charset",
                "text/csv; charset=\"",
                "text/csv; charset=",
                "text/plain",
                "application/octet-stream",
                "text/csv;;;",
                "TEXT/CSV",
                "text/csv; charset=ISO-8859-1");
        return new Req("csv-raw", "POST", "/datasets" + nameQuery(), type, mutatedCsv(), Map.of());
    }

    private Req csvMultipart() {
        String boundary = "bnserve-" + Long.toHexString(rnd.nextLong());
        byte[] csv = mutatedCsv();
        String partType = pick(
                "text/csv",
                null,
                "text/csv; charset=utf-8",
                "text/csv; charset=bogus!",
                "application/octet-stream",
                "image/png",
                ";;");
        String filename = pick(
                "iris.csv",
                "",
                "../../etc/passwd",
                "C:\\temp\\x.csv",
                "ünï\u00a9ødé.csv",
                "a\"b.csv",
                ".csv",
                "x".repeat(300) + ".csv");
        byte[] body;
        String type = "multipart/form-data; boundary=" + boundary;
        int shape = rnd.nextInt(10);
        switch (shape) {
            case 0 -> body = TestHttp.multipartBody(boundary, "wrong", filename, partType, csv); // wrong part name
            case 1 -> { // truncated envelope
                byte[] full = TestHttp.multipartBody(boundary, "file", filename, partType, csv);
                body = java.util.Arrays.copyOf(full, rnd.nextInt(full.length));
            }
            case 2 -> { // no boundary parameter
                body = TestHttp.multipartBody(boundary, "file", filename, partType, csv);
                type = pick(
                        "multipart/form-data",
                        "multipart/form-data; boundary=",
                        "multipart/mixed; boundary=" + boundary);
            }
            case 3 -> { // boundary mismatch
                body = TestHttp.multipartBody(boundary, "file", filename, partType, csv);
                type = "multipart/form-data; boundary=other" + boundary;
            }
            case 4 -> body = garbage(rnd.nextInt(2000)); // not multipart at all
            case 5 -> body = new byte[0];
            case 6 -> { // two file parts
                byte[] a = TestHttp.multipartBody(boundary, "file", filename, partType, csv);
                byte[] b = TestHttp.multipartBody(boundary, "file", "second.csv", "text/csv", irisCsv);
                body = new byte[a.length - boundary.length() - 6 + b.length];
                System.arraycopy(a, 0, body, 0, a.length - boundary.length() - 6);
                System.arraycopy(b, 0, body, a.length - boundary.length() - 6, b.length);
            }
            default -> body = TestHttp.multipartBody(boundary, "file", filename, partType, csv);
        }
        // shapes 1-5 are not well-formed multipart envelopes (these were 500s; see FuzzRegressionTest)
        return new Req(
                "csv-multipart",
                "POST",
                "/datasets" + nameQuery(),
                type,
                body,
                Map.of(),
                shape >= 1 && shape <= 5 ? "malformed" : "well-formed");
    }

    private String nameQuery() {
        return switch (rnd.nextInt(8)) {
            case 0 ->
                "?name="
                        + enc(pick("fuzz", "ünïcødé ☃", "a\u0001b", "x".repeat(250), " ", "../x", "%00", "\u202Eevil"));
            case 1 -> "?name=";
            case 2 -> "?name=a&name=b";
            default -> "";
        };
    }

    private byte[] mutatedCsv() {
        String csv = new String(irisCsv, StandardCharsets.UTF_8);
        int kind = rnd.nextInt(16);
        switch (kind) {
            case 0:
                return new byte[0];
            case 1:
                return utf8(csv.substring(0, csv.indexOf('\n') + (rnd.nextBoolean() ? 1 : 0))); // only the header
            case 2:
                return garbage(1 + rnd.nextInt(4000)); // binary garbage
            case 3:
                return java.util.Arrays.copyOf(irisCsv, rnd.nextInt(irisCsv.length)); // truncated
            case 4:
                return utf8(csv.repeat(60)); // over the size limit (~270 KB)
            case 5: { // many columns, one row
                StringBuilder h = new StringBuilder();
                StringBuilder v = new StringBuilder();
                int n = 150 + rnd.nextInt(200);
                for (int c = 0; c < n; c++) {
                    h.append(c == 0 ? "" : ",").append("c").append(c);
                    v.append(c == 0 ? "" : ",").append(c);
                }
                return utf8(h + "\n" + v + "\n" + v + "\n");
            }
            case 6:
                return utf8("a,b\n" + "9".repeat(20000 + rnd.nextInt(20000)) + ",1\n"); // one huge cell
            default:
                break;
        }
        List<String> lines = new ArrayList<>(List.of(csv.split("\n", -1)));
        int mutations = 1 + rnd.nextInt(4);
        for (int m = 0; m < mutations; m++) {
            int li = rnd.nextInt(lines.size());
            String line = lines.get(li);
            int at = line.isEmpty() ? 0 : rnd.nextInt(line.length() + 1);
            String insert = switch (rnd.nextInt(14)) {
                case 0 -> ","; // ragged: extra field
                case 1 -> "\""; // unbalanced quote
                case 2 -> "\"a,\"\"b\"\"\n c\""; // quoted comma, escaped quote, newline
                case 3 -> "\u0000"; // NUL
                case 4 ->
                    pick("é", "☃", "𝔘", "\uFEFF", "\u202E", "\u2028", "\uD800"); // unicode (and a lone surrogate)
                case 5 ->
                    pick(
                            "1e400",
                            "-1e309",
                            "9".repeat(400),
                            "NaN",
                            "Infinity",
                            "-0",
                            "0x1p3",
                            "1e-400",
                            "4.9e-324",
                            "1_000");
                case 6 -> "\r";
                case 7 -> "\r\n\r\n";
                case 8 -> ",,,,";
                case 9 -> " ";
                case 10 -> "\t";
                case 11 -> "'";
                case 12 -> "\n";
                default -> "";
            };
            if (rnd.nextInt(4) == 0 && line.contains(",")) {
                lines.set(li, line.substring(0, line.lastIndexOf(','))); // ragged: a field fewer
            } else if (rnd.nextInt(6) == 0) {
                lines.set(li, insert); // a whole odd line
            } else {
                lines.set(li, line.substring(0, at) + insert + line.substring(at));
            }
        }
        if (rnd.nextInt(8) == 0)
            lines.set(
                    0,
                    pick(
                            "a,a,b,c,d",
                            ",,,,",
                            "\uFEFFsepal_length,sepal_width,petal_length,petal_width,species",
                            "\"x\ny\",b,c,d,e",
                            "x"));
        String joined = String.join(rnd.nextInt(6) == 0 ? "\r\n" : "\n", lines);
        return utf8(joined);
    }

    private byte[] garbage(int n) {
        byte[] b = new byte[n];
        for (int i = 0; i < n; i++) b[i] = (byte) rnd.nextInt(256);
        return b;
    }

    // ---- JSON

    /** A JSON mutation of {@code base} (valid JSON text), or something else entirely. */
    private String mutateJson(String base, Supplier<String> structural) {
        return switch (rnd.nextInt(20)) {
            case 0 -> "";
            case 1 -> pick("null", "[]", "\"string\"", "42", "true", "{}", "[{}]", "{\"\": null}");
            case 2 -> base.substring(0, rnd.nextInt(Math.max(1, base.length()))); // truncated
            case 3 -> "[".repeat(10_000) + "]".repeat(10_000); // deep nesting
            case 4 ->
                "{\"features\": " + "[".repeat(5_000) + "1" + "]".repeat(5_000) + ", \"dataset\": "
                        + "{\"a\":".repeat(3000) + "1" + "}".repeat(3000) + "}";
            case 5 -> base + pick(" x", "}", ",", "{}", " // comment", "\u0000"); // trailing content
            case 6 -> "\uFEFF" + base; // BOM
            case 7 -> base.replace("\"", "'"); // single quotes
            case 8 ->
                replaceANumber(
                        base,
                        pick(
                                "NaN",
                                "-Infinity",
                                "Infinity",
                                "1e999",
                                "-1e999",
                                "9".repeat(2000),
                                "123456789012345678901234567890",
                                "-0",
                                "1e-400",
                                "0x10",
                                "01",
                                ".5",
                                "1.",
                                "+1",
                                "\"3\"",
                                "null",
                                "true",
                                "[]",
                                "{}",
                                "\"\""));
            case 9 ->
                base.replaceFirst(
                        "\\{",
                        "{\""
                                + pick(
                                        "\u0000",
                                        "ｌabel",
                                        "☃",
                                        "\uD83D\uDE00",
                                        "a\\u0000b",
                                        "\\ud800",
                                        "__proto__",
                                        "x".repeat(5000))
                                + "\": " + pick("1", "\"v\"", "null", "[1,2]", "{\"k\": []}")
                                + ", "); // unicode / extra keys
            case 10 ->
                base.replaceFirst(
                        "\\{",
                        "{\"dataset\": \"dup\", \"model\": 7, \"features\": null, "); // duplicate / clashing keys
            case 11 ->
                replaceAString(
                        base,
                        pick(
                                "1",
                                "null",
                                "[]",
                                "{}",
                                "true",
                                "\"\"",
                                "\"" + "y".repeat(10_000) + "\"",
                                "\"\\u0000\"",
                                "\"../../etc/passwd\""));
            default -> structural.get();
        };
    }

    private String replaceANumber(String json, String replacement) {
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("-?\\d+(\\.\\d+)?([eE][-+]?\\d+)?")
                .matcher(json);
        List<int[]> spans = new ArrayList<>();
        while (m.find()) spans.add(new int[] {m.start(), m.end()});
        if (spans.isEmpty()) return json + replacement;
        int[] s = spans.get(rnd.nextInt(spans.size()));
        return json.substring(0, s[0]) + replacement + json.substring(s[1]);
    }

    private String replaceAString(String json, String replacement) {
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("\"(?:[^\"\\\\]++|\\\\.)*+\"(?!\\s*:)")
                .matcher(json);
        List<int[]> spans = new ArrayList<>();
        while (m.find()) spans.add(new int[] {m.start(), m.end()});
        if (spans.isEmpty()) return json;
        int[] s = spans.get(rnd.nextInt(spans.size()));
        return json.substring(0, s[0]) + replacement + json.substring(s[1]);
    }

    private String jsonType() {
        if (rnd.nextInt(10) < 7) return "application/json"; // mostly get past content negotiation to the body
        return pick(
                "application/json",
                "application/json",
                "application/json",
                "application/json; charset=utf-8",
                "application/json; charset=UTF-16",
                "application/json; charset=bogus",
                "application/problem+json",
                "text/plain",
                "application/x-www-form-urlencoded",
                null,
                "application/jsonx",
                "*/*",
                "application/*");
    }

    // ---- training

    private Req training() {
        String ds = pick(iris, iris, iris, "d-nope", "", classifier, "../" + iris);
        String base = "{\"dataset\": \"" + ds + "\", \"label\": \"species\", \"epochs\": 2, \"hidden\": [4]}";
        String body = mutateJson(base, () -> {
            String label = pick("\"species\"", "\"petal_width\"", "\"nope\"", "1", "null", "[\"species\"]", "\"\"");
            String field = pick(
                    "\"features\": "
                            + pick(
                                    "[\"sepal_length\"]",
                                    "[]",
                                    "[\"species\"]",
                                    "[\"nope\"]",
                                    "[1]",
                                    "\"sepal_length\"",
                                    "[\"sepal_length\", \"sepal_length\"]",
                                    "null"),
                    "\"task\": " + pick("\"classification\"", "\"regression\"", "\"clustering\"", "1", "null", "\"\""),
                    "\"hidden\": "
                            + pick(
                                    "[]",
                                    "[0]",
                                    "[-1]",
                                    "[65]",
                                    "[4, 4, 4, 4]",
                                    "[1.5]",
                                    "[\"4\"]",
                                    "4",
                                    "[2147483648]",
                                    "[1e10]",
                                    "null",
                                    "[[4]]"),
                    "\"activation\": " + pick("\"tanh\"", "\"sigmoid\"", "1", "null", "\"RELU\""),
                    "\"batchNorm\": "
                            + pick(
                                    "{\"momentum\": null}",
                                    "{\"momentum\": 1.5}",
                                    "{\"momentum\": -1}",
                                    "{\"eps\": 0}",
                                    "{\"eps\": \"x\"}",
                                    "{\"placement\": \"middle\"}",
                                    "{\"statistics\": \"population\"}",
                                    "{\"input\": \"yes\"}",
                                    "{\"extra\": 1}",
                                    "[]",
                                    "1",
                                    "null",
                                    "{\"momentum\": 1e-320}"),
                    "\"optimizer\": "
                            + pick(
                                    "{\"type\": \"sgd\"}",
                                    "{\"type\": \"rmsprop\"}",
                                    "{\"learningRate\": 0}",
                                    "{\"learningRate\": 1e308}",
                                    "{\"learningRate\": -1}",
                                    "{\"momentum\": 1}",
                                    "{\"weightDecay\": -0.1}",
                                    "{\"learningRate\": \"fast\"}",
                                    "[]",
                                    "\"adam\""),
                    "\"epochs\": " + pick("0", "-1", "21", "1.5", "\"2\"", "2147483648", "1e3", "null", "true"),
                    "\"batchSize\": " + pick("1", "0", "2", "1000000", "2147483647", "-5", "\"32\"", "3.7"),
                    "\"seed\": "
                            + pick(
                                    "-1",
                                    "9223372036854775807",
                                    "9223372036854775808",
                                    "1.5",
                                    "\"7\"",
                                    "null",
                                    "-9223372036854775808"),
                    "\"validationSplit\": " + pick("0", "0.5", "0.51", "-0.1", "1", "\"0.2\"", "NaN", "1e-300"),
                    "\"shuffle\": " + pick("false", "\"false\"", "0", "null"),
                    "\"extra\": " + pick("1", "{\"nested\": [1, 2]}", "\"x\""));
            return "{\"dataset\": \"" + ds + "\", \"label\": " + label + ", \"epochs\": 2, \"hidden\": [4], " + field
                    + "}";
        });
        return new Req("training", "POST", "/models", jsonType(), utf8(body), Map.of());
    }

    // ---- Open Inference Protocol

    /** Aliases and name references: odd names, aliases, targets and bodies, and every method. */
    private Req names() {
        String name = pick("fuzzed", "fuzzed", "nobody", "Fuzzed", "a".repeat(65), "%2e%2e", "a%2Fb", "x%20y", "9");
        String alias = pick("prod", "prod", "3rd", "Prod", "-x", "a".repeat(65), "%00", "x@y");
        String body = pick(
                "{\"version\": 1}",
                "{\"version\": 2}",
                "{\"version\": 0}",
                "{\"version\": -1}",
                "{\"version\": 1.5}",
                "{\"version\": \"1\"}",
                "{\"version\": 99999999999}",
                "{\"model\": \"" + classifier + "\"}",
                "{\"model\": \"" + regressor + "\"}",
                "{\"model\": \"fuzzed@1\"}",
                "{\"model\": 7}",
                "{\"version\": 1, \"model\": \"fuzzed\"}",
                "{\"version\": 1, \"x\": 1}",
                "{}",
                "[]",
                "null",
                "{",
                "");
        return switch (rnd.nextInt(6)) {
            case 0, 1 ->
                new Req(
                        "names",
                        "PUT",
                        "/aliases/" + name + "/" + alias,
                        pick("application/json", "application/json", "text/plain"),
                        utf8(body),
                        Map.of());
            case 2 ->
                new Req("names", pick("GET", "DELETE", "POST"), "/aliases/" + name + "/" + alias, null, null, Map.of());
            case 3 -> new Req("names", pick("GET", "GET", "PUT", "DELETE"), "/aliases/" + name, null, null, Map.of());
            case 4 ->
                new Req(
                        "names",
                        "GET",
                        "/models?name=" + pick(name, "", "fuzzed&name=x") + pick("", "&x=1"),
                        null,
                        null,
                        Map.of());
            default ->
                new Req(
                        "names",
                        "POST",
                        "/models/" + pick("fuzzed", "fuzzed@1", "fuzzed@2", "fuzzed@prod", "fuzzed@", "@1", name)
                                + "/predict",
                        "application/json",
                        utf8("{\"features\": [5.1, 3.5, 1.4, 0.2]}"),
                        Map.of());
        };
    }

    private Req inference() {
        String model = pick(
                classifier,
                classifier,
                regressor,
                "m-0000000000000000000000",
                "x".repeat(300),
                "%2e%2e",
                "n@1",
                "..",
                "",
                "d-" + iris);
        String ref = model.equals("%2e%2e") ? model : enc(model);
        String base = "/v2/models/" + ref + pick("", "", "", "/versions/" + pick("1", "x", "%00", ""));
        if (rnd.nextInt(4) == 0) {
            String path = pick(
                    "/v2",
                    "/v2/",
                    "/v2/health/live",
                    "/v2/health/ready",
                    "/v2/health",
                    "/v2/models",
                    "/v2/models/",
                    base,
                    base + "/ready",
                    base + "/infer",
                    base + "/nope",
                    "/v2/repository/index",
                    "/v2//models");
            String method = pick("GET", "GET", "POST", "PUT", "DELETE", "HEAD", "OPTIONS", "PATCH");
            return new Req("infer", method, path, method.equals("GET") ? null : jsonType(), null, Map.of());
        }
        int arity = model.equals(regressor) ? 3 : 4;
        int n = 1 + rnd.nextInt(ROWS.length);
        boolean encoded = rnd.nextBoolean();
        String valid = encoded
                ? "{\"inputs\": [{\"name\": \"input\", \"datatype\": \"FP64\", \"shape\": [1, " + arity
                        + "], \"data\": " + TestHttp.jsonArray(ROWS[rnd.nextInt(ROWS.length)], arity) + "}]}"
                : inferBody(model, n, arity);
        String body = mutateJson(valid, () -> {
            String tensor = "{\"name\": " + pick("\"input\"", "\"sepal_length\"", "\"nope\"", "1", "null", "\"\"")
                    + ", \"datatype\": " + pick("\"FP64\"", "\"FP32\"", "\"BYTES\"", "\"BOOL\"", "\"fp64\"", "7")
                    + ", \"shape\": "
                    + pick(
                            "[1, 4]",
                            "[1]",
                            "[]",
                            "[-1, 4]",
                            "[1.5]",
                            "[\"1\"]",
                            "[0]",
                            "[0, 4]",
                            "[1000000000000000000, 1000000000000000000]",
                            "[99999999999999999999]",
                            "null",
                            "[1, 1, 1, 1, 1, 1, 1, 1, 1, 4]",
                            "[20000]")
                    + ", \"data\": "
                    + pick(
                            "[1, 2, 3, 4]",
                            "[[1, 2], [3, 4]]",
                            "[[[[1]]], 2, [3, [4]]]",
                            "[]",
                            "[\"a\", \"b\", \"c\", \"d\"]",
                            "[true, false, true, false]",
                            "[null, null, null, null]",
                            "[1e400, 1, 1, 1]",
                            "[{}, 1, 2, 3]",
                            "1",
                            "\"x\"",
                            "[" + "1,".repeat(5000) + "1]")
                    + pick(
                            "",
                            ", \"parameters\": {}",
                            ", \"parameters\": []",
                            ", \"parameters\": {\"binary_data_size\": 4}")
                    + "}";
            return switch (rnd.nextInt(8)) {
                case 0 -> "{\"inputs\": [" + tensor + "]}";
                case 1 -> "{\"inputs\": [" + tensor + ", " + tensor + "]}";
                case 2 ->
                    valid.substring(0, valid.length() - 1) + ", \"outputs\": "
                            + pick(
                                    "[{\"name\": \"prediction\"}]",
                                    "[{\"name\": \"logits\"}]",
                                    "[{}]",
                                    "{}",
                                    "[1]",
                                    "[{\"name\": \"probabilities\", \"parameters\": {\"binary_data\": true}}]")
                            + "}";
                case 3 ->
                    valid.substring(0, valid.length() - 1) + ", \"id\": " + pick("1", "null", "[]", "\"é☃\"") + "}";
                case 4 ->
                    valid.substring(0, valid.length() - 1) + ", \"parameters\": "
                            + pick("{}", "[]", "1", "{\"binary_data_output\": true}", "{\"a\": {\"b\": [1]}}") + "}";
                case 5 -> "{\"inputs\": " + pick("{}", "null", "[]", "[1]", "\"input\"") + "}";
                case 6 -> inferBody(model, n, arity).replace("FP64", pick("BYTES", "FP32", "INT64"));
                default ->
                    inferBody(model, n, arity)
                            .replace("\"shape\": [" + n + "]", "\"shape\": [" + pick(n + 1, n - 1, 0) + "]");
            };
        });
        Map<String, String> headers = rnd.nextInt(20) == 0 ? Map.of("Inference-Header-Content-Length", "12") : Map.of();
        return new Req("infer", "POST", base + "/infer", jsonType(), utf8(body), headers);
    }

    // ---- prediction

    private Req prediction() {
        String model = pick(
                classifier,
                classifier,
                regressor,
                "m-0000000000000000000000",
                "",
                "x".repeat(3000),
                "../" + classifier,
                "d-" + iris,
                "%2e%2e");
        boolean viaBody = rnd.nextBoolean();
        int arity = model.equals(regressor) ? 3 : 4;
        String row = randomRow(arity);
        String rows = "{\"instances\": [" + randomRow(arity) + ", " + randomRow(arity) + "]";
        String base = (rnd.nextBoolean() ? "{\"features\": " + row : rows)
                + (viaBody ? ", \"model\": \"" + model + "\"}" : "}");
        String body = mutateJson(base, () -> switch (rnd.nextInt(12)) {
            case 0 -> "{\"features\": " + randomRow(arity + pick(-1, 1, 5)) + "}";
            case 1 ->
                "{\"features\": ["
                        + pick(
                                "\"5.1\"",
                                "null",
                                "true",
                                "[1]",
                                "{}",
                                "1e400",
                                "-1e400",
                                "1e308",
                                "-1.7976931348623157e308")
                        + ", 1, 1, 1]}";
            case 2 ->
                "{\"features\": {\"sepal_length\": 1, \"sepal_length\": 2, \"sepal_width\": 1, \"petal_length\": 1, \"petal_width\": 1}}";
            case 3 -> "{\"features\": {\"nope\": 1}}";
            case 4 -> "{\"instances\": []}";
            case 5 -> "{\"instances\": [" + (row + ",").repeat(100) + row + "]}"; // over max-instances
            case 6 -> "{\"instances\": " + row + "}";
            case 7 -> "{\"features\": " + row + ", \"instances\": [" + row + "]}";
            case 8 -> "{\"instances\": [1, 2, 3]}";
            case 9 -> "{\"features\": [1e300, 1e300, 1e300, 1e300]}"; // finite in, overflow out
            case 10 -> "{\"model\": " + pick("1", "[]", "{}", "true") + ", \"features\": " + row + "}";
            default ->
                "{\"features\": " + row + ", \"model\": \"" + classifier + "\", \"model\": \"" + regressor + "\"}";
        });
        String path = viaBody ? "/predict" : "/models/" + enc(model) + "/predict";
        if (model.equals("%2e%2e") && !viaBody) path = "/models/%2e%2e/predict";
        if (rnd.nextInt(5) == 0) return scoring(model);
        return new Req("predict", "POST", path, jsonType(), utf8(body), Map.of());
    }

    /** CSV scoring: a CSV body to a model, with mutated headers, cells and ?keep= columns. */
    private Req scoring(String model) {
        String header = pick(
                "sepal_length,sepal_width,petal_length,petal_width,species",
                "petal_width,sepal_length,petal_length,sepal_width",
                "sepal_length,sepal_width",
                "",
                "a,b,c");
        StringBuilder csv = new StringBuilder(header).append('\n');
        int n = rnd.nextInt(6);
        for (int r = 0; r < n; r++) {
            csv.append(pick(
                            "5.1,3.5,1.4,0.2,setosa",
                            "5.1,,1.4,NA,x",
                            "x,y,z,w,v",
                            "1,2",
                            "\"unterminated,1,2,3,4",
                            "1e999,1,1,1,a",
                            "5.1;3.5;1.4;0.2"))
                    .append('\n');
        }
        String keep = pick("", "?keep=species", "?keep=nope", "?keep=", "?keep=" + "k,".repeat(200));
        return new Req(
                "score",
                "POST",
                "/models/" + enc(model) + "/predict" + keep,
                pick("text/csv", "text/csv; charset=utf-8", "text/csv; charset=latin1"),
                csv.toString().getBytes(StandardCharsets.UTF_8),
                Map.of("Accept", pick("text/csv", "*/*", "application/json")));
    }

    private String randomRow(int n) {
        boolean named = rnd.nextBoolean() && n <= 4;
        StringBuilder b = new StringBuilder(named ? "{" : "[");
        for (int i = 0; i < n; i++) {
            String v = pick("5.1", "0", "-0", "1e-320", "3.25", "1e5", "-7", "123456789", "0.000001", "4.9e-324");
            if (named)
                b.append(i == 0 ? "" : ", ")
                        .append('"')
                        .append(FEATURES[i])
                        .append("\": ")
                        .append(v);
            else b.append(i == 0 ? "" : ", ").append(v);
        }
        return b.append(named ? "}" : "]").toString();
    }

    // ---- import

    private Req importDoc() {
        String body = mutateJson(exported, () -> {
            JsonNode doc = TestHttp.JSON.readTree(exported);
            tools.jackson.databind.node.ObjectNode o = (tools.jackson.databind.node.ObjectNode) doc;
            tools.jackson.databind.node.ArrayNode layers = (tools.jackson.databind.node.ArrayNode) o.get("layers");
            tools.jackson.databind.node.ObjectNode layer =
                    (tools.jackson.databind.node.ObjectNode) layers.get(rnd.nextInt(layers.size()));
            switch (rnd.nextInt(16)) {
                case 0 ->
                    layer.put(
                            pick("momentum", "eps", "in", "out", "features", "batchesTracked", "type"),
                            pick("x", "", "NaN"));
                case 1 ->
                    layer.put(pick("momentum", "eps", "in", "out", "features", "batchesTracked"), rnd.nextBoolean());
                case 2 ->
                    layer.put(
                            pick("momentum", "eps", "in", "out", "features", "batchesTracked"),
                            pick(-1, 0, 1, 1_000_000, Integer.MIN_VALUE));
                case 3 -> layer.put(pick("eps", "momentum"), pick(-1.0, 0.0, 1e308, -1e-300, 1e300));
                case 4 ->
                    layer.putArray(pick("weight", "bias", "gamma", "beta", "runningMean", "runningVar"))
                            .add(1.0);
                case 5 ->
                    layer.putObject(
                            pick("weight", "bias", "gamma", "beta", "runningMean", "runningVar", "momentum", "eps"));
                case 6 ->
                    layer.remove(pick(
                            "weight",
                            "bias",
                            "gamma",
                            "beta",
                            "runningMean",
                            "runningVar",
                            "type",
                            "in",
                            "out",
                            "features"));
                case 7 -> layer.put("type", pick("sigmoid", "Linear", "", "relu", "tanh", "batchnorm"));
                case 8 -> layers.remove(rnd.nextInt(layers.size()));
                case 9 -> layers.add(layers.get(rnd.nextInt(layers.size())).deepCopy());
                case 10 ->
                    o.put(
                            pick("task", "status", "format", "created", "finished", "version"),
                            pick("regression", "training", "other", "yesterday", "2", ""));
                case 11 ->
                    o.putArray(pick("inputs", "classes"))
                            .add(pick("a", "setosa"))
                            .add(pick("a", "b"));
                case 12 ->
                    o.remove(pick(
                            "inputs", "classes", "task", "layers", "format", "version", "request", "metrics",
                            "history"));
                case 13 ->
                    o.put(
                            pick("request", "metrics", "history", "progress", "inputs", "classes", "layers"),
                            pick("x", "", "{}"));
                case 14 -> {
                    // a runningVar of zero with eps zero: division by zero at prediction time
                    if (layer.has("runningVar")) {
                        layer.put("eps", 0.0);
                        tools.jackson.databind.node.ArrayNode v =
                                (tools.jackson.databind.node.ArrayNode) layer.get("runningVar");
                        for (int k = 0; k < v.size(); k++) v.set(k, 0.0);
                    } else {
                        layer.put("in", 3);
                    }
                }
                default ->
                    o.putObject("request").put("hidden", "x").put("epochs", -1).put("dataset", 5);
            }
            return o.toString();
        });
        return new Req("import", "POST", "/models/import", jsonType(), utf8(body), Map.of());
    }

    // ---- ids, paths, methods, content types

    private String oddId() {
        return pick(
                "..",
                "%2e%2e",
                "%2e%2e%2f%2e%2e%2fetc%2fpasswd",
                "..%2f..%2fetc%2fpasswd",
                "%252e%252e",
                ".%2e",
                "%2E%2E",
                "%00",
                "%20",
                "%E2%98%83",
                "%F0%9F%98%80",
                "%FF%FE",
                "m-" + "a".repeat(3000),
                "d-" + "0".repeat(64),
                "CON",
                "*",
                "%25",
                "a.json",
                "a;b=c",
                "~",
                "%5C..%5C..%5Cwindows",
                "m-00000000000000000000zz",
                ".",
                "%2e",
                "-",
                "null",
                "undefined",
                "%09",
                "%0d%0a",
                "A%7BB%7D",
                "%3Cscript%3E",
                "m-" + "%E2%98%83".repeat(200),
                "a%2Fb",
                "x?y=1",
                "x#frag",
                "%C0%AE%C0%AE",
                "%uFF0E%uFF0E".replace("%u", "%25u"));
    }

    private Req oddIds() {
        String id = oddId();
        return switch (rnd.nextInt(15)) {
            case 10 ->
                new Req(
                        "ids",
                        "GET",
                        "/models/" + pick(id, classifier) + "/statistics"
                                + pick("", "?dataset=" + enc(id), "?dataset=" + iris, "?dataset="),
                        null,
                        null,
                        Map.of());
            case 11 ->
                new Req(
                        "ids",
                        "POST",
                        "/models/" + pick(id, classifier) + "/recalibrate",
                        "application/json",
                        utf8(pick(
                                "{\"dataset\": \"" + iris + "\"}",
                                "{\"dataset\": \"" + id + "\"}",
                                "{}",
                                "[]",
                                "{\"dataset\": 1}",
                                "")),
                        Map.of());
            case 12 ->
                new Req(
                        "ids",
                        "POST",
                        "/models/" + pick(id, classifier) + "/trace",
                        "application/json",
                        utf8(pick(
                                "{\"features\": [5.1, 3.5, 1.4, 0.2]}",
                                "{\"instances\": [[1, 2, 3, 4]]}",
                                "{\"features\": [1]}",
                                "{",
                                "")),
                        Map.of());
            case 13 ->
                new Req(
                        "ids",
                        "POST",
                        "/models/" + pick(id, classifier) + "/encode",
                        pick("application/json", "text/csv", "application/json; charset=utf-8"),
                        utf8(pick(
                                "{\"features\": [5.1, 3.5, 1.4, 0.2]}",
                                "{\"features\": {\"sepal_length\": 5.1, \"nope\": \"x\"}}",
                                "{\"features\": {\"sepal_length\": null}}",
                                "{\"instances\": [[1, 2, 3, 4]]}",
                                "{\"features\": [1]}",
                                "{\"features\": [\"a\", 1e999, 3, 4]}",
                                "{",
                                "[]",
                                "")),
                        Map.of());
            case 14 ->
                new Req(
                        "ids",
                        "GET",
                        "/models/" + pick(id, classifier) + pick("/onnx", "/export")
                                + pick(
                                        "?format=onnx",
                                        "?format=onnx&fold=true",
                                        "?format=onnx&fold=" + enc(id),
                                        "?format=" + enc(id),
                                        "?format=",
                                        "?fold=true",
                                        "?format=ONNX",
                                        "?format=json&format=onnx"),
                        null,
                        null,
                        Map.of());
            case 9 -> new Req("ids", pick("GET", "POST", "DELETE"), "/problems/" + id, null, null, Map.of());
            case 0 -> new Req("ids", "GET", "/datasets/" + id, null, null, Map.of());
            case 1 -> new Req("ids", "DELETE", "/datasets/" + id, null, null, Map.of());
            case 2 -> new Req("ids", "GET", "/models/" + id, null, null, Map.of());
            case 3 -> new Req("ids", "DELETE", "/models/" + id, null, null, Map.of());
            case 4 -> new Req("ids", "GET", "/models/" + id + "/export", null, null, Map.of());
            case 5 ->
                new Req(
                        "ids",
                        "GET",
                        "/models/" + id + "/events",
                        null,
                        null,
                        Map.of("Accept", pick("text/event-stream", "*/*", "application/json")));
            case 6 ->
                new Req(
                        "ids",
                        "POST",
                        "/models/" + id + "/predict",
                        "application/json",
                        utf8("{\"features\": [1, 2, 3, 4]}"),
                        Map.of());
            case 7 ->
                new Req(
                        "ids",
                        "GET",
                        pick(
                                "/datasets/",
                                "/models/",
                                "/models//predict",
                                "/datasets//x",
                                "/models/x/",
                                "/models/x/export/",
                                "/nope",
                                "/" + id,
                                "/models/" + classifier + "/nope",
                                "/actuator/nope",
                                "/v3/api-docs/" + id),
                        null,
                        null,
                        Map.of());
            default ->
                new Req(
                        "ids",
                        "GET",
                        "/datasets/" + id + pick("", "/", "/x", "/.."),
                        null,
                        null,
                        Map.of("Accept", pick("application/json", "*/*", "application/problem+json")));
        };
    }

    private Req wrongMethodsAndTypes() {
        String path = pick(
                "/datasets",
                "/models",
                "/predict",
                "/models/" + classifier + "/predict",
                "/models/import",
                "/datasets/" + iris,
                "/models/" + classifier,
                "/models/" + classifier + "/export");
        String method = pick("PUT", "PATCH", "POST", "DELETE", "GET", "OPTIONS", "TRACE", "FOO");
        if (method.equals("DELETE") && (path.equals("/datasets/" + iris) || path.equals("/models/" + classifier)))
            method = "PATCH";
        if (method.equals("POST")
                && (path.equals("/datasets") || path.equals("/models") || path.equals("/models/import"))) {
            // POST to a creating endpoint: only with a type it does not take, or nothing
            return new Req(
                    "methods",
                    "POST",
                    path,
                    pick(
                            "application/xml",
                            "text/html",
                            "image/png",
                            null,
                            "application/x-www-form-urlencoded",
                            "foo/bar",
                            "nonsense"),
                    rnd.nextBoolean() ? null : utf8(pick("", "a=b", "<x/>", "{}")),
                    Map.of());
        }
        String type =
                pick(null, "application/json", "text/csv", "application/xml", "nonsense", "text/plain; charset=utf-8");
        byte[] body = rnd.nextBoolean() ? null : utf8(pick("", "{}", "a,b\n1,2\n", "<x/>"));
        Map<String, String> headers = switch (rnd.nextInt(4)) {
            case 0 ->
                Map.of("Accept", pick("application/xml", "text/html", "image/png", "application/json;q=0", "nonsense"));
            default -> Map.of();
        };
        if (method.equals("POST") && path.endsWith("/predict")) {
            // predict with the wrong or no content type and an empty or odd body
            type = pick(
                    null,
                    "text/csv",
                    "application/xml",
                    "multipart/form-data; boundary=x",
                    "application/octet-stream",
                    "nonsense");
        }
        return new Req("methods", method, path, type, body, headers);
    }

    private static String enc(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8).replace("+", "%20");
    }

    private static String abbreviate(String s) {
        return s.length() > 300 ? s.substring(0, 300) + "…" : s;
    }
}
