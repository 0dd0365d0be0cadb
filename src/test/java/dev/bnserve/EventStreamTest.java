package dev.bnserve;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.annotation.DirtiesContext;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import tools.jackson.databind.JsonNode;

/**
 * Issue 16, bugs 1 and 2: server-sent events never slow training. A subscriber that never reads (a 1 KB receive
 * buffer) used to stall the training thread for ~60 s per client, and every event repeated the whole history (a
 * 3,000-epoch job sent 482 MB to one subscriber). Now the training thread only hands the latest state to a
 * subscriber's one-slot buffer; a sender writes without blocking, coalescing whatever epochs are pending into one
 * event, and drops subscribers that stay unwritable.
 */
@SpringBootTest(
        webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
        properties = {
            "bnserve.training.concurrency=1",
            "bnserve.events.stall-timeout=2s",
            "bnserve.limits.max-connections-per-address=2000"
        })
@DirtiesContext
class EventStreamTest {

    static final int EPOCHS = 3000;

    @DynamicPropertySource
    static void properties(DynamicPropertyRegistry registry) {
        String dir = TestHttp.tempDir("bnserve-events").toString();
        registry.add("bnserve.data-dir", () -> dir);
    }

    @LocalServerPort
    int port;

    TestHttp http;
    String iris;

    @BeforeEach
    void setUp() throws Exception {
        http = new TestHttp(port);
        if (iris == null) iris = http.upload("iris", TestHttp.resource("iris"));
    }

    String job(int epochs) throws Exception {
        return http.train("{\"dataset\": \"" + iris + "\", \"label\": \"species\", \"epochs\": " + epochs + "}");
    }

    /** A subscriber that sends its request and never reads, with a 1 KB receive buffer. */
    Socket stalledSubscriber(String id) throws IOException {
        Socket s = new Socket();
        s.setReceiveBufferSize(1024);
        s.connect(new InetSocketAddress("localhost", port), 5000);
        OutputStream out = s.getOutputStream();
        out.write(("GET /models/" + id + "/events HTTP/1.1\r\nHost: localhost\r\nAccept: text/event-stream\r\n\r\n")
                .getBytes(StandardCharsets.US_ASCII));
        out.flush();
        return s;
    }

    /** Training seconds of a 3,000-epoch iris job watched by {@code stalled} subscribers that never read. */
    double trainingSeconds(int stalled) throws Exception {
        String id = job(EPOCHS);
        List<Socket> sockets = new ArrayList<>();
        for (int i = 0; i < stalled; i++) sockets.add(stalledSubscriber(id));
        JsonNode m = http.awaitReady(id);
        for (Socket s : sockets) s.close();
        return m.at("/metrics/trainingSeconds").asDouble();
    }

    @Test
    void subscribersThatNeverReadLeaveTrainingSpeedUnchanged() throws Exception {
        trainingSeconds(0); // warm-up
        // alternated and compared by their fastest run: other work on the machine only ever adds time
        double unwatched = Double.MAX_VALUE;
        double watched = Double.MAX_VALUE;
        List<String> runs = new ArrayList<>();
        for (int i = 0; i < 2; i++) {
            double u = trainingSeconds(0);
            double w = trainingSeconds(3);
            runs.add(String.format("%.3f s unwatched, %.3f s with 3 stalled subscribers", u, w));
            unwatched = Math.min(unwatched, u);
            watched = Math.min(watched, w);
        }
        System.out.println("3,000 iris epochs: " + String.join("; ", runs));
        assertThat(watched).as("watched by 3 stalled subscribers").isLessThanOrEqualTo(1.2 * unwatched);
    }

    @Test
    void aDeleteStopsAWatchedJobAtOnce() throws Exception {
        String id = job(10_000);
        List<Socket> sockets = new ArrayList<>();
        for (int i = 0; i < 3; i++) sockets.add(stalledSubscriber(id));
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (http.json(http.get("/models/" + id)).at("/progress/epoch").asInt() < 100) {
            assertThat(System.nanoTime()).as("training started").isLessThan(deadline);
            Thread.sleep(10);
        }
        long t0 = System.nanoTime();
        assertThat(http.delete("/models/" + id).statusCode()).isEqualTo(204);
        double seconds = (System.nanoTime() - t0) / 1e9;
        JsonNode m = http.json(http.get("/models/" + id));
        for (Socket s : sockets) s.close();
        System.out.printf("DELETE of a job watched by 3 stalled subscribers took %.3f s%n", seconds);
        assertThat(m.get("status").asString()).isEqualTo("cancelled");
        assertThat(seconds).isLessThan(2.0);
    }

    /** The event names and data of one stream, read to its end. */
    record Stream(List<String> names, List<JsonNode> data, long bytes) {}

    static Stream parse(String body) {
        List<String> names = new ArrayList<>();
        List<JsonNode> data = new ArrayList<>();
        for (String line : body.split("\n")) {
            if (line.startsWith("event:")) names.add(line.substring(6).trim());
            else if (line.startsWith("data:")) data.add(TestHttp.JSON.readTree(line.substring(5)));
        }
        return new Stream(names, data, body.getBytes(StandardCharsets.UTF_8).length);
    }

    /** Progress events carry only new epochs: concatenated they are 1..epochs once each; the status event once. */
    static void assertDeltas(Stream s, String id, int epochs) {
        assertThat(s.names()).isNotEmpty();
        assertThat(s.names().get(s.names().size() - 1)).isEqualTo("status");
        assertThat(s.names().stream().filter("status"::equals).count()).isEqualTo(1);
        List<Integer> seen = new ArrayList<>();
        for (int i = 0; i < s.data().size() - 1; i++) {
            JsonNode e = s.data().get(i);
            assertThat(e.get("id").asString()).isEqualTo(id);
            assertThat(e.has("layers")).isFalse();
            for (JsonNode h : e.get("history")) seen.add(h.get("epoch").asInt());
        }
        // every epoch sent at most once, in order (a subscriber may miss none before the status event)
        for (int i = 1; i < seen.size(); i++) assertThat(seen.get(i)).isEqualTo(seen.get(i - 1) + 1);
        JsonNode last = s.data().get(s.data().size() - 1);
        assertThat(last.get("status").asString()).isEqualTo("ready");
        assertThat(last.get("history").size()).isEqualTo(epochs);
        assertThat(last.has("layers")).isFalse();
    }

    @Test
    void progressEventsCarryOnlyTheNewEpochs() throws Exception {
        String id = job(EPOCHS);
        HttpClient client =
                HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
        HttpResponse<String> r = client.send(
                HttpRequest.newBuilder(http.uri("/models/" + id + "/events"))
                        .header("Accept", "text/event-stream")
                        .timeout(Duration.ofSeconds(60))
                        .build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).isEqualTo(200);
        Stream s = parse(r.body());
        System.out.printf(
                "one subscriber of a %,d-epoch job: %,d bytes in %,d events%n",
                EPOCHS, s.bytes(), s.names().size());
        assertDeltas(s, id, EPOCHS);
        // each epoch once in progress and once in the status event: ~100 bytes each, so well under 2 MB (was 482 MB)
        assertThat(s.bytes()).isLessThan(2_000_000);
    }

    @Test
    void fiveHundredSubscribers() throws Exception {
        int subscribers = 500;
        int epochs = 1000;
        double unwatched;
        {
            String id = job(epochs);
            unwatched = http.awaitReady(id).at("/metrics/trainingSeconds").asDouble();
        }
        // a blocker keeps the watched job queued until every subscriber is connected
        String blocker = job(100_000 / 10);
        String id = job(epochs);
        HttpClient client =
                HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
        List<CompletableFuture<HttpResponse<String>>> streams = new ArrayList<>();
        for (int i = 0; i < subscribers; i++) {
            streams.add(client.sendAsync(
                    HttpRequest.newBuilder(http.uri("/models/" + id + "/events"))
                            .header("Accept", "text/event-stream")
                            .timeout(Duration.ofSeconds(120))
                            .build(),
                    HttpResponse.BodyHandlers.ofString()));
        }
        Thread.sleep(2000); // let the connections open
        assertThat(http.delete("/models/" + blocker).statusCode()).isEqualTo(204);
        long total = 0;
        for (CompletableFuture<HttpResponse<String>> f : streams) {
            HttpResponse<String> r = f.get(120, TimeUnit.SECONDS);
            assertThat(r.statusCode()).isEqualTo(200);
            Stream s = parse(r.body());
            assertDeltas(s, id, epochs);
            total += s.bytes();
        }
        double watched = http.awaitReady(id).at("/metrics/trainingSeconds").asDouble();
        System.out.printf(
                "%d subscribers of a %,d-epoch job: %,d bytes in all; training %.3f s watched, %.3f s unwatched%n",
                subscribers, epochs, total, watched, unwatched);
        // per subscriber: the epochs once as progress and once in the status event (~100 bytes each)
        assertThat(total).isLessThan(subscribers * 400_000L);
        assertThat(watched).isLessThan(3 * unwatched + 1);
    }
}
