package dev.bnserve;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

/**
 * Issue 16, bug 8, in a service with a 256 MB heap: requests that used to amplify into out-of-memory errors or huge
 * answers are refused (413/422) or answered with bounded lists, and the service keeps answering.
 */
class AmplificationTest {

    /** One named row of {@code n} feature names that are not inputs, {@code "f0000001": 1} each. */
    static byte[] namesRow(int n) {
        StringBuilder b = new StringBuilder(n * 14 + 32).append("{\"features\": {");
        for (int i = 0; i < n; i++) {
            if (i > 0) b.append(',');
            b.append("\"f").append(String.format("%07d", i)).append("\":1");
        }
        return b.append("}}").toString().getBytes(StandardCharsets.UTF_8);
    }

    @Test
    void floodsOfNamesAreRefusedOrBoundedUnderA256MBHeap() throws Exception {
        Path dir = TestHttp.tempDir("bnserve-amplification");
        try (ServiceProcess p = ServiceProcess.start(dir, List.of("-Xmx256m"))) {
            TestHttp http = p.http;
            String iris = http.upload("iris", TestHttp.resource("iris"));
            String model = http.train("{\"dataset\": \"" + iris + "\", \"label\": \"species\", \"epochs\": 5}");
            http.awaitReady(model);

            // two concurrent 38 MB bodies of 3M unknown names: each 413, named limit (they ran the heap out)
            byte[] huge = namesRow(3_000_000);
            System.out.printf("a row of 3,000,000 names: %,d bytes%n", huge.length);
            List<CompletableFuture<HttpResponse<String>>> two = List.of(
                    CompletableFuture.supplyAsync(() -> post(http, model, huge)),
                    CompletableFuture.supplyAsync(() -> post(http, model, huge)));
            for (CompletableFuture<HttpResponse<String>> f : two) {
                HttpResponse<String> r = f.get(120, TimeUnit.SECONDS);
                assertThat(r.statusCode()).as(r.body()).isEqualTo(413);
                assertThat(r.body()).contains("bnserve.limits.max-request-values");
            }

            // 200k unknown names (under the value limit): answered, with a bounded list (it was 27 MB)
            HttpResponse<String> r = post(http, model, namesRow(200_000));
            System.out.printf(
                    "200,000 unknown names: %d, %,d bytes%n",
                    r.statusCode(), r.body().length());
            assertThat(r.statusCode()).isIn(200, 422);
            assertThat(r.body().length()).isLessThan(64 * 1024);

            // a training request with 3M feature names: 413 by its own size limit, nothing queued
            StringBuilder t =
                    new StringBuilder("{\"dataset\": \"" + iris + "\", \"label\": \"species\", \"features\": [");
            for (int i = 0; i < 3_000_000; i++)
                t.append(i > 0 ? "," : "").append("\"f").append(i).append('"');
            HttpResponse<String> tr = http.postJson("/models", t.append("]}").toString());
            assertThat(tr.statusCode()).as(tr.body()).isEqualTo(413);
            assertThat(tr.body()).contains("bnserve.limits.max-training-request-bytes");
            // 100k unknown features (within the size limit): 422 with at most 100 errors
            StringBuilder t2 =
                    new StringBuilder("{\"dataset\": \"" + iris + "\", \"label\": \"species\", \"features\": [");
            for (int i = 0; i < 100_000; i++)
                t2.append(i > 0 ? "," : "").append("\"f").append(i).append('"');
            HttpResponse<String> tr2 = http.postJson("/models", t2.append("]}").toString());
            assertThat(tr2.statusCode()).as(tr2.body()).isIn(413, 422);
            assertThat(tr2.body().length()).isLessThan(64 * 1024);
            if (tr2.statusCode() == 422)
                assertThat(TestHttp.json(tr2).get("errors").size()).isLessThanOrEqualTo(100);

            // still serving
            assertThat(http.get("/actuator/health").statusCode()).isEqualTo(200);
            JsonNode ok = TestHttp.json(
                    http.postJson("/models/" + model + "/predict", "{\"features\": [5.1, 3.5, 1.4, 0.2]}"));
            assertThat(ok.get("model").asString()).isEqualTo(model);
            assertThat(p.logTail()).doesNotContain("OutOfMemoryError");
        }
    }

    static HttpResponse<String> post(TestHttp http, String model, byte[] body) {
        try {
            return http.send("POST", "/models/" + model + "/predict", "application/json", body, Map.of());
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }
}
