package dev.bnserve;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
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
 * Issue 16's bugs 6, 7 and 9, replayed as the outside review sent them: bad percent-encoding in a query, the class
 * labels {@code 0} and {@code -0}, and {@code GET /error}. Each answered 500, or duplicate JSON keys, before.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
@DirtiesContext
class HostileRequestRegressionTest {

    @DynamicPropertySource
    static void properties(DynamicPropertyRegistry registry) {
        String dir = TestHttp.tempDir("bnserve-hostile").toString();
        registry.add("bnserve.data-dir", () -> dir);
    }

    @LocalServerPort
    int port;

    TestHttp http;

    @BeforeEach
    void client() {
        http = new TestHttp(port);
    }

    /** One raw HTTP/1.1 exchange (java.net.http refuses to send a malformed URI): the status line and the body. */
    String[] raw(String requestLine, String contentType, byte[] body) throws IOException {
        try (Socket s = new Socket()) {
            s.setSoTimeout(10_000);
            s.connect(new InetSocketAddress("127.0.0.1", port), 5000);
            String head = requestLine + "\r\nHost: localhost\r\nConnection: close\r\n"
                    + (contentType == null ? "" : "Content-Type: " + contentType + "\r\n")
                    + "Content-Length: " + body.length + "\r\n\r\n";
            s.getOutputStream().write(head.getBytes(StandardCharsets.US_ASCII));
            s.getOutputStream().write(body);
            InputStream in = s.getInputStream();
            String answer = new String(in.readAllBytes(), StandardCharsets.UTF_8);
            int split = answer.indexOf("\r\n\r\n");
            return new String[] {
                answer.lines().findFirst().orElse(""),
                answer.substring(0, Math.max(0, split)),
                answer.substring(split + 4)
            };
        }
    }

    @Test
    void badPercentEncodingInTheQueryIsA400ProblemAndStoresNothing() throws Exception {
        byte[] csv = TestHttp.resource("iris");
        int before = TestHttp.json(http.get("/datasets")).size();
        for (String name : List.of("%ff", "%zz", "%", "%c0%af")) {
            // each was a 500
            String[] r = raw("POST /datasets?name=" + name + " HTTP/1.1", "text/csv", csv);
            assertThat(r[0]).as(name).contains(" 400");
            assertThat(r[1].toLowerCase()).as(name).contains("content-type: application/problem+json");
            assertThat(TestHttp.JSON.readTree(r[2]).get("status").asInt()).isEqualTo(400);
        }
        assertThat(TestHttp.json(http.get("/datasets")).size()).isEqualTo(before);
        assertThat(http.get("/actuator/health").statusCode()).isEqualTo(200);
    }

    @Test
    void labelsZeroAndMinusZeroAreOneClassAndTheAnswerHasNoDuplicateKeys() throws Exception {
        StringBuilder csv = new StringBuilder("x,y\n");
        String[] labels = {"0", "-0", "1", "0.0", "1", "-0"};
        for (int i = 0; i < 60; i++)
            csv.append(i % 2 == 0 ? i : -i).append(',').append(labels[i % 6]).append('\n');
        String dataset = http.upload("zeros", csv.toString().getBytes(StandardCharsets.UTF_8));
        JsonNode m = http.awaitReady(http.train("{\"dataset\": \"" + dataset
                + "\", \"label\": \"y\", \"task\": \"classification\", \"epochs\": 2, \"hidden\": [4]}"));
        List<String> classes = new ArrayList<>();
        m.get("classes").forEach(c -> classes.add(c.asString()));
        // was ["0","0","1"]-like: one class per spelling of zero
        assertThat(classes).hasSize(2).doesNotHaveDuplicates();
        HttpResponse<String> p = http.postJson("/models/" + m.get("id").asString() + "/predict", "{\"features\": [3]}");
        assertThat(p.statusCode()).as(p.body()).isEqualTo(200);
        JsonNode probabilities = TestHttp.json(p).get("probabilities");
        assertThat(probabilities.size()).isEqualTo(2);
    }

    @Test
    void getErrorIsA404Problem() throws Exception {
        // was a 500: Boot's error controller answered the direct request as an error without a cause
        HttpResponse<String> r = http.get("/error");
        assertThat(r.statusCode()).isEqualTo(404);
        assertThat(r.headers().firstValue("Content-Type").orElse("")).startsWith(TestHttp.PROBLEM);
    }
}
