package dev.bnserve;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.Map;
import java.util.stream.Stream;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/** A tiny java.net.http client for the service on a random port, shared by the black-box tests. */
public final class TestHttp {

    public static final String PROBLEM = "application/problem+json";
    public static final JsonMapper JSON = JsonMapper.builder().build();
    public static final String[] IRIS_FEATURES = {"sepal_length", "sepal_width", "petal_length", "petal_width"};

    private final HttpClient client;
    private final String base;
    private volatile String bearer;

    public TestHttp(int port) {
        this.client = HttpClient.newBuilder()
                .connectTimeout(Duration.ofSeconds(5))
                .version(HttpClient.Version.HTTP_1_1)
                .build();
        this.base = "http://localhost:" + port;
    }

    /** Sends {@code Authorization: Bearer key} with every later request (null: none). */
    public TestHttp withKey(String key) {
        this.bearer = key;
        return this;
    }

    public URI uri(String rawPath) {
        return URI.create(base + rawPath);
    }

    public HttpResponse<String> get(String path) throws IOException, InterruptedException {
        return send("GET", path, null, null, Map.of());
    }

    /** A GET whose answer is kept as bytes (ONNX exports). */
    public HttpResponse<byte[]> getBytes(String path) throws IOException, InterruptedException {
        HttpRequest.Builder b = HttpRequest.newBuilder(uri(path)).timeout(Duration.ofSeconds(30));
        if (bearer != null) b.header("Authorization", "Bearer " + bearer);
        return client.send(b.GET().build(), HttpResponse.BodyHandlers.ofByteArray());
    }

    public HttpResponse<String> delete(String path) throws IOException, InterruptedException {
        return send("DELETE", path, null, null, Map.of());
    }

    public HttpResponse<String> postJson(String path, String body) throws IOException, InterruptedException {
        return send("POST", path, "application/json", body.getBytes(StandardCharsets.UTF_8), Map.of());
    }

    public HttpResponse<String> postCsv(String path, byte[] body) throws IOException, InterruptedException {
        return send("POST", path, "text/csv", body, Map.of());
    }

    public HttpResponse<String> send(
            String method, String path, String contentType, byte[] body, Map<String, String> headers)
            throws IOException, InterruptedException {
        HttpRequest.Builder b = HttpRequest.newBuilder(uri(path)).timeout(Duration.ofSeconds(30));
        if (contentType != null) b.header("Content-Type", contentType);
        if (bearer != null && !headers.containsKey("Authorization")) b.header("Authorization", "Bearer " + bearer);
        headers.forEach(b::header);
        b.method(
                method,
                body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofByteArray(body));
        return client.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    public HttpResponse<String> send(HttpRequest request) throws IOException, InterruptedException {
        return client.send(request, HttpResponse.BodyHandlers.ofString());
    }

    public HttpResponse<String> multipart(String path, String filename, byte[] content)
            throws IOException, InterruptedException {
        String boundary = "----bnserve" + System.nanoTime();
        return send(
                "POST",
                path,
                "multipart/form-data; boundary=" + boundary,
                multipartBody(boundary, "file", filename, "text/csv", content),
                Map.of());
    }

    public static byte[] multipartBody(String boundary, String part, String filename, String partType, byte[] content) {
        byte[] head = ("--" + boundary + "\r\nContent-Disposition: form-data; name=\"" + part + "\"; filename=\""
                        + filename + "\"\r\n" + (partType == null ? "" : "Content-Type: " + partType + "\r\n") + "\r\n")
                .getBytes(StandardCharsets.UTF_8);
        byte[] tail = ("\r\n--" + boundary + "--\r\n").getBytes(StandardCharsets.UTF_8);
        byte[] body = new byte[head.length + content.length + tail.length];
        System.arraycopy(head, 0, body, 0, head.length);
        System.arraycopy(content, 0, body, head.length, content.length);
        System.arraycopy(tail, 0, body, head.length + content.length, tail.length);
        return body;
    }

    public static JsonNode json(HttpResponse<String> r) {
        return JSON.readTree(r.body());
    }

    /** Uploads a CSV and returns the dataset id. */
    public String upload(String name, byte[] csv) throws IOException, InterruptedException {
        HttpResponse<String> r = postCsv("/datasets?name=" + name, csv);
        assertThat(r.statusCode()).as(r.body()).isEqualTo(201);
        return json(r).get("id").asString();
    }

    /** Submits a training request and returns the model id. */
    public String train(String body) throws IOException, InterruptedException {
        HttpResponse<String> r = postJson("/models", body);
        assertThat(r.statusCode()).as(r.body()).isEqualTo(202);
        return json(r).get("id").asString();
    }

    /** Polls until the model is ready (fails on failed/cancelled or after 60 s). */
    public JsonNode awaitReady(String id) throws IOException, InterruptedException {
        return awaitTerminal(id, "ready");
    }

    public JsonNode awaitTerminal(String id, String expected) throws IOException, InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        while (true) {
            HttpResponse<String> r = get("/models/" + id);
            assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
            JsonNode m = json(r);
            String status = m.get("status").asString();
            if (status.equals("ready") || status.equals("failed") || status.equals("cancelled")) {
                if (expected != null) assertThat(status).as(r.body()).isEqualTo(expected);
                return m;
            }
            assertThat(System.nanoTime()).as("model " + id + " still " + status).isLessThan(deadline);
            Thread.sleep(20);
        }
    }

    public static byte[] resource(String name) {
        try (InputStream in = TestHttp.class.getResourceAsStream("/data/" + name + ".csv")) {
            assertThat(in).as(name).isNotNull();
            return in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** A fresh temporary directory, removed when the JVM exits. */
    public static Path tempDir(String prefix) {
        try {
            Path dir = Files.createTempDirectory(prefix);
            Runtime.getRuntime().addShutdownHook(new Thread(() -> deleteRecursively(dir)));
            return dir;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static void deleteRecursively(Path dir) {
        try (Stream<Path> walk = Files.walk(dir)) {
            walk.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException | RuntimeException e) {
            // best effort
        }
    }

    /** The first {@code n} values of {@code row} as a JSON array. */
    public static String jsonArray(double[] row, int n) {
        StringBuilder b = new StringBuilder("[");
        for (int i = 0; i < n; i++) b.append(i == 0 ? "" : ", ").append(row[i]);
        return b.append(']').toString();
    }

    /** The first {@code n} values of {@code row} as a JSON object by feature name, in reverse order. */
    public static String jsonObject(String[] names, double[] row, int n) {
        StringBuilder b = new StringBuilder("{");
        for (int k = 0; k < n; k++) {
            int i = n - 1 - k;
            b.append(k == 0 ? "" : ", ")
                    .append('"')
                    .append(names[i])
                    .append("\": ")
                    .append(row[i]);
        }
        return b.append('}').toString();
    }
}
