package dev.bnserve;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.annotation.DirtiesContext;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import tools.jackson.databind.JsonNode;

/**
 * Prediction under load while the model set changes: 8 client threads predict (single rows and batches, by path
 * and by body) against three ready models for 20 s, while another thread keeps training, awaiting and deleting
 * small models and, midway, deletes one of the three. Every answer must equal the sequential baseline byte for
 * byte, there must be no 5xx, and a 404 may only come for the deleted model after its DELETE was issued.
 */
@SpringBootTest(
        webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
        properties = {"bnserve.training.concurrency=1", "bnserve.training.queue-capacity=8"})
@DirtiesContext
class ConcurrencyTest {

    static final Duration RUN = Duration.ofSeconds(20);
    static final int CLIENTS = 8;
    static final long SEED = 20261121L;

    @DynamicPropertySource
    static void properties(DynamicPropertyRegistry registry) {
        String dir = TestHttp.tempDir("bnserve-concurrency").toString();
        registry.add("bnserve.data-dir", () -> dir);
    }

    @LocalServerPort
    int port;

    /** One prediction request with its sequential answer. */
    record Probe(String model, String path, String body, String expected) {}

    static final double[][] ROWS = {
        {5.1, 3.5, 1.4, 0.2},
        {7.0, 3.2, 4.7, 1.4},
        {6.3, 3.3, 6.0, 2.5},
        {5.9, 3.0, 5.1, 1.8},
        {4.9, 3.0, 1.4, 0.2},
        {6.0, 2.2, 5.0, 1.5},
        {0.0, -1e-300, 100.0, 4.9e-324},
        {-2.5, 17.0, 0.125, 3.0}
    };
    static final String[] FEATURES = TestHttp.IRIS_FEATURES;

    @Test
    void predictionsStayExactWhileModelsComeAndGo() throws Exception {
        TestHttp http = new TestHttp(port);
        String iris = http.upload("iris", TestHttp.resource("iris"));
        List<String> models = List.of(
                http.train("{\"dataset\": \"" + iris
                        + "\", \"label\": \"species\", \"epochs\": 4, \"hidden\": [16, 16], \"seed\": 1}"),
                http.train(
                        "{\"dataset\": \"" + iris
                                + "\", \"label\": \"petal_width\", \"features\": [\"sepal_length\", \"sepal_width\", \"petal_length\"], \"epochs\": 4, \"hidden\": [8], \"seed\": 2}"),
                http.train(
                        "{\"dataset\": \"" + iris
                                + "\", \"label\": \"species\", \"epochs\": 4, \"hidden\": [8], \"activation\": \"tanh\", \"seed\": 3}"));
        Map<String, Integer> arity = new LinkedHashMap<>();
        for (String m : models) arity.put(m, http.awaitReady(m).get("inputs").size());
        String doomed = models.get(2);

        // sequential baseline
        List<Probe> probes = new ArrayList<>();
        for (String m : models) {
            int d = arity.get(m);
            StringBuilder batch = new StringBuilder("{\"instances\": [");
            for (int r = 0; r < ROWS.length; r++) {
                String row = r % 2 == 0 ? TestHttp.jsonArray(ROWS[r], d) : TestHttp.jsonObject(FEATURES, ROWS[r], d);
                batch.append(r == 0 ? "" : ", ").append(row);
                probes.add(probe(http, m, "/models/" + m + "/predict", "{\"features\": " + row + "}"));
                probes.add(probe(http, m, "/predict", "{\"model\": \"" + m + "\", \"features\": " + row + "}"));
            }
            probes.add(probe(http, m, "/models/" + m + "/predict", batch + "]}"));
            probes.add(probe(http, m, "/predict", batch + "], \"model\": \"" + m + "\"}"));
            probes.add(probe(
                    http,
                    m,
                    "/models/" + m + "/predict",
                    "{\"instances\": [" + TestHttp.jsonArray(ROWS[3], d) + ", " + TestHttp.jsonArray(ROWS[3], d)
                            + "]}"));
        }

        AtomicLong deleteIssued = new AtomicLong(Long.MAX_VALUE); // nanoTime when the DELETE of 'doomed' was sent
        AtomicLong deleteDone = new AtomicLong(Long.MAX_VALUE); // nanoTime when it was answered
        List<String> failures = Collections.synchronizedList(new ArrayList<>());
        long start = System.nanoTime();
        long end = start + RUN.toNanos();

        ExecutorService pool = Executors.newFixedThreadPool(CLIENTS + 1);
        List<Future<long[]>> clients = new ArrayList<>();
        for (int t = 0; t < CLIENTS; t++) {
            SplittableRandom rnd = new SplittableRandom(SEED + t);
            clients.add(pool.submit(() -> {
                TestHttp client = new TestHttp(port);
                long requests = 0, compared = 0, notFound = 0;
                while (System.nanoTime() < end && failures.size() < 20) {
                    Probe p = probes.get(rnd.nextInt(probes.size()));
                    long sent = System.nanoTime();
                    HttpResponse<String> r = client.postJson(p.path(), p.body());
                    long received = System.nanoTime();
                    requests++;
                    int s = r.statusCode();
                    if (s == 200) {
                        if (p.model().equals(doomed) && sent > deleteDone.get()) {
                            failures.add("200 for " + p.path() + " sent after the model's DELETE was answered");
                        } else if (!r.body().equals(p.expected())) {
                            failures.add("different answer for " + p.path() + " " + p.body() + ":\n  expected "
                                    + p.expected() + "\n  actual   " + r.body());
                        } else {
                            compared++;
                        }
                    } else if (s == 404 && p.model().equals(doomed) && received > deleteIssued.get()) {
                        notFound++;
                        if (!r.headers().firstValue("Content-Type").orElse("").startsWith(TestHttp.PROBLEM))
                            failures.add("404 without problem+json");
                    } else {
                        failures.add(s + " for " + p.path() + " " + p.body() + " (doomed="
                                + p.model().equals(doomed) + ", after delete issued=" + (received > deleteIssued.get())
                                + "): " + r.body());
                    }
                }
                return new long[] {requests, compared, notFound};
            }));
        }
        Future<long[]> trainer = pool.submit(() -> {
            TestHttp client = new TestHttp(port);
            long submitted = 0, trained = 0, deleted = 0, refused = 0;
            boolean doomedDeleted = false;
            int k = 0;
            while (System.nanoTime() < end - Duration.ofSeconds(1).toNanos() && failures.size() < 20) {
                if (!doomedDeleted && System.nanoTime() > start + RUN.toNanos() / 2) {
                    deleteIssued.set(System.nanoTime());
                    HttpResponse<String> d = client.delete("/models/" + doomed);
                    deleteDone.set(System.nanoTime());
                    if (d.statusCode() != 204)
                        failures.add("DELETE of " + doomed + " answered " + d.statusCode() + " " + d.body());
                    doomedDeleted = true;
                }
                k++;
                String label = k % 3 == 0 ? "petal_width" : "species";
                HttpResponse<String> r = client.postJson(
                        "/models",
                        "{\"dataset\": \"" + iris + "\", \"label\": \"" + label
                                + "\", \"epochs\": 2, \"hidden\": [4], \"seed\": " + k + "}");
                if (r.statusCode() == 429) {
                    refused++;
                    Thread.sleep(50);
                    continue;
                }
                if (r.statusCode() != 202) {
                    failures.add("training submit answered " + r.statusCode() + " " + r.body());
                    continue;
                }
                submitted++;
                String id = TestHttp.json(r).get("id").asString();
                if (k % 4 == 1) { // cancel some while queued or training
                    if (client.delete("/models/" + id).statusCode() != 204) failures.add("cancel of " + id + " failed");
                    deleted++;
                    // the job may have finished before the DELETE (which then removed it); else it is now cancelled
                    if (client.get("/models/" + id).statusCode() == 200) {
                        JsonNode c = client.awaitTerminal(id, null);
                        if (c.get("status").asString().equals("training"))
                            failures.add("cancelled " + id + " still training");
                        if (client.delete("/models/" + id).statusCode() != 204)
                            failures.add("delete of cancelled " + id + " failed");
                    }
                    continue;
                }
                JsonNode m = client.awaitReady(id);
                trained++;
                // a freshly trained model answers too (not part of the baseline)
                String row = m.get("inputs").size() == 4 ? "[5.1, 3.5, 1.4, 0.2]" : "[5.1, 3.5, 1.4]";
                HttpResponse<String> p = client.postJson("/models/" + id + "/predict", "{\"features\": " + row + "}");
                if (p.statusCode() != 200)
                    failures.add("new model " + id + " answered " + p.statusCode() + " " + p.body());
                if (k % 2 == 0) {
                    if (client.delete("/models/" + id).statusCode() != 204) failures.add("delete of " + id + " failed");
                    deleted++;
                }
            }
            if (!doomedDeleted) failures.add("the doomed model was never deleted");
            return new long[] {submitted, trained, deleted, refused};
        });

        long requests = 0, compared = 0, notFound = 0;
        for (Future<long[]> f : clients) {
            long[] c = f.get();
            requests += c[0];
            compared += c[1];
            notFound += c[2];
        }
        long[] t = trainer.get();
        pool.shutdown();

        System.out.printf(
                "ConcurrencyTest: %d prediction requests from %d threads in %.1f s, %d answers compared bit for bit with the "
                        + "sequential baseline (%d probes), %d 404s for the model deleted midway; trainer: %d jobs submitted, %d trained, "
                        + "%d cancelled/deleted, %d refused with 429; %d failures%n",
                requests,
                CLIENTS,
                (System.nanoTime() - start) / 1e9,
                compared,
                probes.size(),
                notFound,
                t[0],
                t[1],
                t[2],
                t[3],
                failures.size());
        failures.stream().limit(20).forEach(f -> System.out.println("FAILURE " + f));
        assertThat(failures).isEmpty();
        assertThat(compared).isPositive();
        assertThat(notFound)
                .as("the deleted model was asked for after its deletion")
                .isPositive();
        assertThat(t[1]).as("models trained meanwhile").isPositive();

        // the survivors still answer exactly, and the deleted one is gone
        for (Probe p : probes) {
            HttpResponse<String> r = http.postJson(p.path(), p.body());
            if (p.model().equals(doomed)) {
                assertThat(r.statusCode()).isEqualTo(404);
            } else {
                assertThat(r.statusCode()).isEqualTo(200);
                assertThat(r.body()).isEqualTo(p.expected());
            }
        }
        assertThat(http.get("/models/" + doomed).statusCode()).isEqualTo(404);
    }

    private static Probe probe(TestHttp http, String model, String path, String body) throws Exception {
        HttpResponse<String> r = http.postJson(path, body);
        assertThat(r.statusCode()).as(path + " " + body + " -> " + r.body()).isEqualTo(200);
        return new Probe(model, path, body, r.body());
    }
}
