package dev.bnserve;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
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
 * Issue 16: how a request body that does not arrive properly ends. A body slower than
 * {@code bnserve.limits.min-body-rate} (after {@code bnserve.limits.body-rate-grace}) or still unfinished after
 * {@code bnserve.limits.body-timeout} is a 408 problem naming the limit, its connection closed and its request thread
 * free at that moment (not when the trickle ends); a chunked body with a malformed chunk size is a 400 problem that
 * says so. Raw sockets throughout, since an HTTP client would not send such bodies.
 */
@SpringBootTest(
        webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
        properties = {
            "bnserve.limits.min-body-rate=100B",
            "bnserve.limits.body-rate-grace=2s",
            "bnserve.limits.body-timeout=5s"
        })
@DirtiesContext
class BodyReadTest {
    static final double GRACE = 2;
    static final double BODY_TIMEOUT = 5;

    @DynamicPropertySource
    static void properties(DynamicPropertyRegistry registry) {
        String dir = TestHttp.tempDir("bnserve-body").toString();
        registry.add("bnserve.data-dir", () -> dir);
    }

    @LocalServerPort
    int port;

    static String model;

    @BeforeEach
    void model() throws Exception {
        if (model != null) return;
        TestHttp http = new TestHttp(port);
        String iris = http.upload("iris", TestHttp.resource("iris"));
        model = http.train("{\"dataset\": \"" + iris + "\", \"label\": \"species\", \"epochs\": 3}");
        http.awaitReady(model);
    }

    /** A raw connection: sends its head at once, then its body at {@code bytesPerSecond}; reads the answer. */
    static final class Slow {
        final String name;
        final Socket socket = new Socket();
        final long start = System.nanoTime();
        final byte[] body;
        final double bytesPerSecond;
        int sent;
        volatile byte[] answer;
        volatile double answeredAfter = -1;
        volatile double firstByteAfter = -1;

        Slow(String name, int port, String head, byte[] body, double bytesPerSecond) throws IOException {
            this.name = name;
            this.body = body;
            this.bytesPerSecond = bytesPerSecond;
            socket.setSoTimeout(30_000);
            socket.connect(new InetSocketAddress("127.0.0.1", port), 5000);
            socket.getOutputStream().write(head.getBytes(StandardCharsets.US_ASCII));
            socket.getOutputStream().flush();
            Thread reader = new Thread(() -> {
                try (InputStream in = socket.getInputStream()) {
                    int first = in.read();
                    firstByteAfter = (System.nanoTime() - start) / 1e9;
                    byte[] rest = in.readAllBytes();
                    byte[] all = new byte[rest.length + (first < 0 ? 0 : 1)];
                    if (first >= 0) all[0] = (byte) first;
                    System.arraycopy(rest, 0, all, first < 0 ? 0 : 1, rest.length);
                    answeredAfter = (System.nanoTime() - start) / 1e9;
                    answer = all;
                } catch (IOException e) {
                    answeredAfter = (System.nanoTime() - start) / 1e9;
                    answer = ("(no answer: " + e + ")").getBytes(StandardCharsets.UTF_8);
                }
            });
            reader.setDaemon(true);
            reader.start();
        }

        /** Sends what the rate allows by now; false once the service answered or closed the connection. */
        boolean trickle() {
            if (answer != null) return false;
            double seconds = (System.nanoTime() - start) / 1e9;
            int due = bytesPerSecond == 0 ? 0 : (int) Math.min(body.length, Math.floor(seconds * bytesPerSecond) + 1);
            if (due <= sent) return true;
            try {
                OutputStream out = socket.getOutputStream();
                out.write(body, sent, due - sent);
                out.flush();
                sent = due;
            } catch (IOException closed) {
                return answer == null;
            }
            return true;
        }

        String status() {
            return new String(answer, StandardCharsets.UTF_8)
                    .lines()
                    .findFirst()
                    .orElse("");
        }

        String text() {
            return new String(answer, StandardCharsets.UTF_8);
        }

        JsonNode problem() {
            String t = text();
            return TestHttp.JSON.readTree(t.substring(t.indexOf("\r\n\r\n") + 4));
        }
    }

    static String head(String method, String path, String contentType, int length) {
        return method + " " + path + " HTTP/1.1\r\nHost: localhost\r\nContent-Type: " + contentType
                + "\r\nContent-Length: " + length + "\r\nConnection: close\r\n\r\n";
    }

    /** Request threads blocked reading a request body from a socket, now. */
    static int threadsInBodyReads() {
        int n = 0;
        for (StackTraceElement[] stack : Thread.getAllStackTraces().values()) {
            if (Arrays.stream(stack).anyMatch(f -> f.getMethodName().equals("fillReadBuffer"))) n++;
        }
        return n;
    }

    /** Trickles every connection until each has an answer or {@code seconds} pass; the most threads in body reads. */
    static int trickle(List<Slow> all, double seconds) throws InterruptedException {
        long end = System.nanoTime() + (long) (seconds * 1e9);
        int most = 0;
        while (System.nanoTime() < end) {
            boolean any = false;
            for (Slow s : all) any |= s.trickle();
            most = Math.max(most, threadsInBodyReads());
            if (!any) break;
            Thread.sleep(50);
        }
        Thread.sleep(200); // the last answers' readers
        return most;
    }

    static byte[] filler(int n, byte b) {
        byte[] bytes = new byte[n];
        Arrays.fill(bytes, b);
        return bytes;
    }

    @Test
    void aBodySlowerThanTheMinimumRateIsA408NamingItAndItsThreadIsFreed() throws Exception {
        byte[] json = ("{\"features\": [5.1, 3.5, 1.4, 0.2]}" + " ".repeat(966)).getBytes(StandardCharsets.US_ASCII);
        byte[] csv = ("a,b\n" + "1,2\n".repeat(249)).getBytes(StandardCharsets.US_ASCII);
        String boundary = "b0undary";
        byte[] multipart = TestHttp.multipartBody(boundary, "file", "slow.csv", "text/csv", csv);
        List<Slow> all = new ArrayList<>();
        try {
            for (int i = 0; i < 6; i++) {
                all.add(new Slow(
                        "predict " + i,
                        port,
                        head("POST", "/models/" + model + "/predict", "application/json", json.length),
                        json,
                        1));
            }
            all.add(new Slow("upload", port, head("POST", "/datasets?name=slow", "text/csv", csv.length), csv, 1));
            all.add(new Slow(
                    "multipart upload",
                    port,
                    head("POST", "/datasets", "multipart/form-data; boundary=" + boundary, multipart.length),
                    multipart,
                    1));
            all.add(new Slow(
                    "import",
                    port,
                    head("POST", "/models/import", "application/json", 1000),
                    filler(1000, (byte) ' '),
                    1));
            all.add(new Slow(
                    "silent predict",
                    port,
                    head("POST", "/models/" + model + "/predict", "application/json", json.length),
                    json,
                    0));
            int most = trickle(all, 15);
            int after = threadsInBodyReads();
            for (Slow s : all) {
                System.out.printf(
                        "%s at 1 byte/s: %s after %.2f s (closed after %.2f s), %d bytes sent%n",
                        s.name, s.answer == null ? "no answer" : s.status(), s.firstByteAfter, s.answeredAfter, s.sent);
            }
            System.out.printf("request threads in body reads: %d at most, %d once answered%n", most, after);
            assertThat(most).as("the trickles held request threads").isGreaterThanOrEqualTo(all.size() - 2);
            for (Slow s : all) {
                assertThat(s.answer).as(s.name + " answered").isNotNull();
                assertThat(s.status()).as(s.name).contains("408");
                assertThat(s.text()).as(s.name).containsIgnoringCase("Content-Type: application/problem+json");
                assertThat(s.text()).as(s.name).containsIgnoringCase("Connection: close");
                assertThat(s.problem().get("detail").asString())
                        .as(s.name)
                        .contains("bnserve.limits.min-body-rate")
                        .contains("100 bytes per second");
                assertThat(s.answeredAfter).as(s.name).isBetween(GRACE - 0.2, GRACE + 3);
            }
            assertThat(after).as("no request thread still waits for a trickle").isZero();
        } finally {
            for (Slow s : all) s.socket.close();
        }
        TestHttp http = new TestHttp(port);
        assertThat(http.get("/actuator/health").statusCode()).isEqualTo(200);
        assertThat(http.postJson("/models/" + model + "/predict", "{\"features\": [5.1, 3.5, 1.4, 0.2]}")
                        .statusCode())
                .isEqualTo(200);
    }

    @Test
    void aBodyStillArrivingAfterTheBodyTimeoutIsA408NamingIt() throws Exception {
        // 300 bytes/s passes the rate, but 3,000 bytes take 10 s, twice the body timeout
        byte[] json = ("{\"features\": [5.1, 3.5, 1.4, 0.2]}" + " ".repeat(2966)).getBytes(StandardCharsets.US_ASCII);
        Slow s = new Slow(
                "predict",
                port,
                head("POST", "/models/" + model + "/predict", "application/json", json.length),
                json,
                300);
        try {
            trickle(List.of(s), 15);
            System.out.printf(
                    "predict at 300 bytes/s: %s after %.2f s, %d bytes sent%n",
                    s.answer == null ? "no answer" : s.status(), s.answeredAfter, s.sent);
            assertThat(s.answer).isNotNull();
            assertThat(s.status()).contains("408");
            assertThat(s.problem().get("detail").asString()).contains("bnserve.limits.body-timeout");
            assertThat(s.answeredAfter).isBetween(BODY_TIMEOUT - 0.2, BODY_TIMEOUT + 3);
        } finally {
            s.socket.close();
        }
    }

    @Test
    void aChunkedBodyWhoseChunkHeaderTricklesIsA408() throws Exception {
        // one chunk-size line, its extension sent a byte a second: Tomcat reads it whole within one body read
        byte[] line = ("1;" + "x".repeat(200)).getBytes(StandardCharsets.US_ASCII);
        String head = "POST /models/" + model + "/predict HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json"
                + "\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n";
        Slow s = new Slow("chunked predict", port, head, line, 1);
        try {
            trickle(List.of(s), 15);
            System.out.printf(
                    "chunk extension at 1 byte/s: %s after %.2f s, %d bytes sent%n",
                    s.answer == null ? "no answer" : s.status(), s.firstByteAfter, s.sent);
            assertThat(s.answer).isNotNull();
            assertThat(s.status()).contains("408");
            assertThat(s.problem().get("detail").asString()).contains("bnserve.limits.min-body-rate");
            assertThat(s.firstByteAfter).isBetween(GRACE - 0.2, 2 * GRACE + 3);
        } finally {
            s.socket.close();
        }
    }

    @Test
    void aMalformedChunkSizeIsA400ThatSaysSo() throws Exception {
        for (String path : List.of("/models/" + model + "/predict", "/datasets?name=chunked", "/models/import")) {
            String type = path.startsWith("/datasets") ? "text/csv" : "application/json";
            String request = "POST " + path + " HTTP/1.1\r\nHost: localhost\r\nContent-Type: " + type
                    + "\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n{\"features\": [1]}\r\n0\r\n\r\n";
            String[] answer = SlowBodyTest.exchange("127.0.0.1", port, request);
            String text = rawExchange(request);
            System.out.println(path + ": " + answer[0] + " " + text.substring(text.indexOf("\r\n\r\n") + 4));
            assertThat(answer[0]).as(path).contains("400");
            assertThat(text).as(path).containsIgnoringCase("Content-Type: application/problem+json");
            JsonNode problem = TestHttp.JSON.readTree(text.substring(text.indexOf("\r\n\r\n") + 4));
            assertThat(problem.get("detail").asString())
                    .as(path)
                    .contains("chunk size")
                    .doesNotContain("request line");
        }
        assertThat(new TestHttp(port).get("/actuator/health").statusCode()).isEqualTo(200);
    }

    private String rawExchange(String request) throws IOException {
        try (Socket s = new Socket()) {
            s.setSoTimeout(10_000);
            s.connect(new InetSocketAddress("127.0.0.1", port), 5000);
            s.getOutputStream().write(request.getBytes(StandardCharsets.US_ASCII));
            return new String(s.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        }
    }
}
