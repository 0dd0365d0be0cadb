package dev.bnserve;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.OutputStream;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import tools.jackson.core.JsonGenerator;
import tools.jackson.databind.JsonNode;

/**
 * Issue 16, "everything lives in the heap", in a service with a 256 MB heap: a model of 3.1 M parameters (25 MB of
 * weights, a 45 MB document) imported three times at once, then its full document and its ONNX export fetched four
 * times at once. A heap shortage is a 503 problem+json with Retry-After, never a 500 or a dropped connection, and the
 * service stays healthy: health UP, a small prediction 200.
 */
class HeapShortageTest {
    static final int INPUTS = 512;
    static final int HIDDEN = 1536;

    /** A regression model {@code INPUTS → HIDDEN → HIDDEN → 1} whose weights have short decimal forms. */
    static Path largeModel(Path dir) throws IOException {
        Path file = dir.resolve("large-model.json");
        try (OutputStream out = Files.newOutputStream(file);
                JsonGenerator g = TestHttp.JSON.createGenerator(out)) {
            g.writeStartObject();
            g.writeStringProperty("format", "bnserve-model");
            g.writeNumberProperty("formatVersion", 3);
            g.writeStringProperty("id", "m-large");
            g.writeStringProperty("status", "ready");
            g.writeStringProperty("created", "2026-01-01T00:00:00Z");
            g.writeStringProperty("label", "y");
            g.writeStringProperty("task", "regression");
            g.writeArrayPropertyStart("inputs");
            for (int i = 0; i < INPUTS; i++) g.writeString("x" + i);
            g.writeEndArray();
            g.writeNullProperty("classes");
            g.writeArrayPropertyStart("layers");
            int[][] shapes = {{INPUTS, HIDDEN}, {HIDDEN, HIDDEN}, {HIDDEN, 1}};
            for (int k = 0; k < shapes.length; k++) {
                int in = shapes[k][0], o = shapes[k][1];
                g.writeStartObject();
                g.writeStringProperty("type", "linear");
                g.writeNumberProperty("in", in);
                g.writeNumberProperty("out", o);
                g.writeArrayPropertyStart("weight");
                for (int r = 0; r < o; r++) {
                    g.writeStartArray();
                    for (int c = 0; c < in; c++) g.writeNumber(((r * 31 + c * 7) % 64 - 32) / 4096.0);
                    g.writeEndArray();
                }
                g.writeEndArray();
                g.writeArrayPropertyStart("bias");
                for (int r = 0; r < o; r++) g.writeNumber(0.0);
                g.writeEndArray();
                g.writeEndObject();
                if (k < shapes.length - 1) {
                    g.writeStartObject();
                    g.writeStringProperty("type", "relu");
                    g.writeEndObject();
                }
            }
            g.writeEndArray();
            g.writeEndObject();
        }
        return file;
    }

    final HttpClient client = HttpClient.newBuilder()
            .version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5))
            .build();

    /** The status (and headers, body) of one import, or status -1 with the failure (a dropped connection). */
    record Answer(int status, String retryAfter, String contentType, String body) {
        static Answer of(HttpResponse<?> r) {
            return new Answer(
                    r.statusCode(),
                    r.headers().firstValue("Retry-After").orElse(null),
                    r.headers().firstValue("Content-Type").orElse(""),
                    r.body() instanceof String s ? s : "");
        }

        static Answer dropped(Throwable e) {
            return new Answer(-1, null, "", String.valueOf(e));
        }
    }

    /** The body of an error answer as text; a 200's (a 45 MB document) read and dropped. */
    static HttpResponse.BodyHandler<String> errorBodies() {
        return info -> info.statusCode() == 200
                ? HttpResponse.BodySubscribers.replacing("")
                : HttpResponse.BodySubscribers.ofString(java.nio.charset.StandardCharsets.UTF_8);
    }

    Answer send(HttpRequest request, HttpResponse.BodyHandler<?> handler) {
        try {
            return Answer.of(client.send(request, handler));
        } catch (IOException e) {
            return Answer.dropped(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return Answer.dropped(e);
        }
    }

    List<Answer> concurrently(int n, java.util.function.Supplier<Answer> one) throws Exception {
        List<CompletableFuture<Answer>> all = new ArrayList<>();
        for (int i = 0; i < n; i++) all.add(CompletableFuture.supplyAsync(one));
        List<Answer> out = new ArrayList<>();
        for (CompletableFuture<Answer> f : all) out.add(f.get(5, TimeUnit.MINUTES));
        return out;
    }

    static void assertNoServerErrors(List<Answer> answers, String what) {
        for (Answer a : answers) {
            assertThat(a.status()).as(what + ": " + a.body()).isIn(200, 201, 503);
            if (a.status() == 503) {
                assertThat(a.retryAfter()).as(what + " 503 carries Retry-After").isNotNull();
                assertThat(a.contentType()).startsWith(TestHttp.PROBLEM);
                assertThat(a.body()).contains("heap");
            }
        }
    }

    @Test
    void importsAndExportsBeyondA256MBHeapAnswer503NeverAFailure() throws Exception {
        Path dir = TestHttp.tempDir("bnserve-heap");
        Path doc = largeModel(dir);
        System.out.printf("large model document: %,d bytes%n", Files.size(doc));
        try (ServiceProcess p = ServiceProcess.start(dir.resolve("data"), List.of("-Xmx256m"))) {
            TestHttp http = p.http;
            String iris = http.upload("iris", TestHttp.resource("iris"));
            String small = http.train("{\"dataset\": \"" + iris + "\", \"label\": \"species\", \"epochs\": 5}");
            http.awaitReady(small);

            // three imports at once, then one more: more than the heap holds
            HttpRequest importRequest = HttpRequest.newBuilder(http.uri("/models/import"))
                    .timeout(Duration.ofMinutes(3))
                    .header("Content-Type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofFile(doc))
                    .build();
            List<Answer> imports =
                    new ArrayList<>(concurrently(3, () -> send(importRequest, HttpResponse.BodyHandlers.ofString())));
            imports.add(send(importRequest, HttpResponse.BodyHandlers.ofString()));
            System.out.println("imports: "
                    + imports.stream().map(a -> Integer.toString(a.status())).toList());
            imports.stream()
                    .filter(a -> a.status() == 503)
                    .findFirst()
                    .ifPresent(a -> System.out.println("first 503: " + a.body()));
            assertNoServerErrors(imports, "import");
            assertThat(imports).as("some imports are refused for lack of heap").anyMatch(a -> a.status() == 503);
            String large = imports.stream()
                    .filter(a -> a.status() == 201)
                    .map(a -> TestHttp.JSON.readTree(a.body()).get("id").asString())
                    .findFirst()
                    .orElse(null);
            assertThat(large).as("at least one import fits the heap").isNotNull();
            assertHealthy(http, small);

            // four concurrent GETs of the model's document, then of its ONNX export (25 MB of weights)
            for (String path : List.of("/models/" + large, "/models/" + large + "/onnx")) {
                HttpRequest get = HttpRequest.newBuilder(http.uri(path))
                        .timeout(Duration.ofMinutes(3))
                        .build();
                List<Answer> gets = concurrently(4, () -> send(get, errorBodies()));
                System.out.println("GET " + path + ": "
                        + gets.stream().map(a -> Integer.toString(a.status())).toList());
                assertNoServerErrors(gets, "GET " + path);
                assertHealthy(http, small);
            }
            assertThat(p.logTail()).doesNotContain("Unhandled exception");
        }
    }

    static void assertHealthy(TestHttp http, String model) throws Exception {
        HttpResponse<String> health = http.get("/actuator/health");
        assertThat(health.statusCode()).as(health.body()).isEqualTo(200);
        assertThat(health.body()).contains("UP");
        HttpResponse<String> r = http.postJson("/models/" + model + "/predict", "{\"features\": [5.1, 3.5, 1.4, 0.2]}");
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        JsonNode ok = TestHttp.json(r);
        assertThat(ok.get("model").asString()).isEqualTo(model);
    }
}
