package dev.bnserve;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.ConnectException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import tools.jackson.databind.JsonNode;

/**
 * SIGTERM to a separate JVM while predictions are being computed. Large batch predictions that the server is
 * provably working on when the signal arrives (their bodies were sent, each takes longer than the wait) must all
 * complete with whole, correct answers; a burst of small predictions racing the signal may be refused (no connection,
 * a closed connection, or a problem+json refusal from the stopping container), but every 200 it gets is whole and
 * identical to the sequential answer; the JVM exits within 30 s.
 */
@Timeout(150)
class GracefulShutdownTest {

    static final int BIG_REQUESTS = 4;
    static final int BIG_ROWS = 60_000;
    static final int SMALL_REQUESTS = 200;
    static final String SMALL = "{\"features\": [5.1, 3.5, 1.4, 0.2]}";

    @Test
    void sigtermLetsInFlightPredictionsFinish() throws Exception {
        Path dataDir = TestHttp.tempDir("bnserve-graceful");
        ServiceProcess service = ServiceProcess.start(dataDir, "--bnserve.limits.max-instances=" + BIG_ROWS);
        ExecutorService pool = Executors.newFixedThreadPool(16);
        try {
            TestHttp http = service.http;
            String iris = http.upload("iris", TestHttp.resource("iris"));
            String model = http.train(
                    "{\"dataset\": \"" + iris + "\", \"label\": \"species\", \"hidden\": [16], \"epochs\": 3}");
            http.awaitReady(model);

            String big = bigBatch();
            HttpResponse<String> warm = http.postJson("/models/" + model + "/predict", big); // warms the JIT, too
            assertThat(warm.statusCode()).as(warm.body()).isEqualTo(200);
            long t0 = System.nanoTime();
            JsonNode bigExpected = TestHttp.json(http.postJson("/models/" + model + "/predict", big));
            long bigMillis = (System.nanoTime() - t0) / 1_000_000;
            JsonNode smallExpected = TestHttp.json(http.postJson("/models/" + model + "/predict", SMALL));

            HttpClient client = HttpClient.newBuilder()
                    .executor(pool)
                    .version(HttpClient.Version.HTTP_1_1)
                    .connectTimeout(Duration.ofSeconds(5))
                    .build();

            // Phase 1: big requests in flight. Each alone takes bigMillis; BIG_REQUESTS of them share two cores, so
            // after bigMillis / 2 every one has been read and is still being computed or written.
            List<CompletableFuture<HttpResponse<String>>> bigs = new ArrayList<>();
            for (int i = 0; i < BIG_REQUESTS; i++) {
                bigs.add(client.sendAsync(post(http, model, big), HttpResponse.BodyHandlers.ofString()));
            }
            Thread.sleep(Math.max(20, bigMillis / 2));
            long termAt = System.nanoTime();
            service.process.destroy(); // SIGTERM

            // Phase 2: a burst of small requests racing the shutdown.
            Map<String, AtomicInteger> outcomes = new ConcurrentHashMap<>();
            List<String> bad = Collections.synchronizedList(new ArrayList<>());
            List<CompletableFuture<Void>> smalls = new ArrayList<>();
            for (int i = 0; i < SMALL_REQUESTS; i++) {
                smalls.add(client.sendAsync(post(http, model, SMALL), HttpResponse.BodyHandlers.ofString())
                        .handle((r, e) -> {
                            String outcome;
                            if (r != null) {
                                outcome = "HTTP " + r.statusCode();
                                if (r.statusCode() == 200) {
                                    if (!TestHttp.JSON.readTree(r.body()).equals(smallExpected))
                                        bad.add("different body: " + r.body());
                                } else if (!r.headers()
                                        .firstValue("Content-Type")
                                        .orElse("")
                                        .startsWith(TestHttp.PROBLEM)) {
                                    bad.add("a refusal that is not a problem: " + r.statusCode() + " " + r.body());
                                }
                            } else {
                                Throwable c =
                                        e instanceof CompletionException && e.getCause() != null ? e.getCause() : e;
                                outcome = (c instanceof ConnectException ? "refused: " : "not accepted: ")
                                        + c.getClass().getSimpleName();
                            }
                            outcomes.computeIfAbsent(outcome, k -> new AtomicInteger())
                                    .incrementAndGet();
                            return null;
                        }));
            }

            int bigAnswered = 0;
            for (CompletableFuture<HttpResponse<String>> f : bigs) {
                HttpResponse<String> r = f.get(60, TimeUnit.SECONDS);
                assertThat(r.statusCode())
                        .as(r.body().length() > 300 ? r.body().substring(0, 300) : r.body())
                        .isEqualTo(200);
                assertThat(TestHttp.json(r)).as("a whole, identical answer").isEqualTo(bigExpected);
                bigAnswered++;
            }
            CompletableFuture.allOf(smalls.toArray(CompletableFuture[]::new)).get(60, TimeUnit.SECONDS);
            boolean exited = service.process.waitFor(30, TimeUnit.SECONDS);
            long exitMillis = (System.nanoTime() - termAt) / 1_000_000;
            System.out.printf(
                    Locale.ROOT,
                    "GracefulShutdownTest: %d big predictions (%d rows, %d ms each alone) in flight at SIGTERM, %d answered whole; "
                            + "%d small requests around it: %s; exit after %d ms%n",
                    BIG_REQUESTS,
                    BIG_ROWS,
                    bigMillis,
                    bigAnswered,
                    SMALL_REQUESTS,
                    outcomes,
                    exitMillis);

            assertThat(bad)
                    .as("wrong answers or refusals that are not problems")
                    .isEmpty();
            assertThat(exited)
                    .as("process exits within 30 s of SIGTERM\n" + service.logTail())
                    .isTrue();
            assertThat(service.process.exitValue()).as(service.logTail()).isIn(0, 143);
            assertThat(service.logTail()).contains("Graceful shutdown complete").doesNotContain("Exception");
        } finally {
            pool.shutdownNow();
            service.close();
        }
    }

    static HttpRequest post(TestHttp http, String model, String body) {
        return HttpRequest.newBuilder(http.uri("/models/" + model + "/predict"))
                .timeout(Duration.ofSeconds(60))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body))
                .build();
    }

    static String bigBatch() {
        Random r = new Random(5);
        StringBuilder sb = new StringBuilder(BIG_ROWS * 40).append("{\"instances\": [");
        for (int i = 0; i < BIG_ROWS; i++) {
            if (i > 0) sb.append(',');
            sb.append(String.format(
                    Locale.ROOT,
                    "[%.3f,%.3f,%.3f,%.3f]",
                    4 + 4 * r.nextDouble(),
                    2 + 2.5 * r.nextDouble(),
                    1 + 6 * r.nextDouble(),
                    0.1 + 2.4 * r.nextDouble()));
        }
        return sb.append("]}").toString();
    }
}
