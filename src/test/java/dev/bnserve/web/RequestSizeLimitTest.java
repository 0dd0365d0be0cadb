package dev.bnserve.web;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayInputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/** {@code bnserve.limits.max-request-bytes} over real HTTP: declared lengths and chunked bodies alike. */
@SpringBootTest(
        webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
        properties = "bnserve.limits.max-request-bytes=1KB")
class RequestSizeLimitTest {
    @TempDir
    static Path dataDir;

    @DynamicPropertySource
    static void properties(DynamicPropertyRegistry r) {
        r.add("bnserve.data-dir", () -> dataDir.toString());
    }

    @LocalServerPort
    int port;

    private final HttpClient http = HttpClient.newHttpClient();

    private static String body(int values) {
        StringBuilder b = new StringBuilder("{\"features\":[");
        for (int i = 0; i < values; i++) b.append(i == 0 ? "" : ",").append("1.2345");
        return b.append("]}").toString();
    }

    private HttpResponse<String> post(HttpRequest.BodyPublisher body) throws Exception {
        return http.send(
                HttpRequest.newBuilder(URI.create("http://localhost:" + port + "/predict"))
                        .header("Content-Type", "application/json")
                        .POST(body)
                        .build(),
                HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void aDeclaredBodyJustOverTheLimitIs413NamingTheLimit() throws Exception {
        String big = body(200);
        assertThat(big.length()).isGreaterThan(1024);
        HttpResponse<String> r = post(HttpRequest.BodyPublishers.ofString(big));
        assertThat(r.statusCode()).isEqualTo(413);
        assertThat(r.headers().firstValue("Content-Type"))
                .hasValueSatisfying(t -> assertThat(t).startsWith("application/problem+json"));
        assertThat(r.body()).contains("bnserve.limits.max-request-bytes").contains("1024");
    }

    @Test
    void aChunkedBodyOverTheLimitIsCutOffWith413() throws Exception {
        byte[] big = body(400).getBytes(StandardCharsets.UTF_8);
        HttpResponse<String> r = post(HttpRequest.BodyPublishers.ofInputStream(() -> new ByteArrayInputStream(big)));
        assertThat(r.statusCode()).isEqualTo(413);
        assertThat(r.body()).contains("bnserve.limits.max-request-bytes");
    }

    @Test
    void aBodyUnderTheLimitGoesThrough() throws Exception {
        HttpResponse<String> r = post(HttpRequest.BodyPublishers.ofString(body(4)));
        assertThat(r.statusCode()).as(r.body()).isEqualTo(409); // reached the predictor: no model is ready yet
    }
}
