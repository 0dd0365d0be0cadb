package dev.bnserve;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import java.io.IOException;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.Timeout;
import tools.jackson.databind.JsonNode;

/**
 * Two service JVMs (replicas A and B, as {@link CrashSafetyTest} runs them) on one real PostgreSQL database: what one
 * replica does, the other serves, within the 2 s bound of the contract; every job is trained exactly once; a replica
 * killed while training has its job failed by the survivor once the lease (3 s here) runs out; and PostgreSQL going
 * away for a few seconds stops no prediction, refuses writes with 503 and loses nothing. The measured delays are
 * printed ("replicas:" lines).
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
@Timeout(300)
class ReplicasTest {
    static final Duration BOUND = Duration.ofSeconds(2);
    static final String ROW = "{\"features\": {\"sepal_length\": 5.1, \"sepal_width\": 3.5, \"petal_length\": 1.4,"
            + " \"petal_width\": 0.2}}";
    static final String ROWS = "{\"instances\": [[5.1, 3.5, 1.4, 0.2], [7.0, 3.2, 4.7, 1.4], [6.3, 3.3, 6.0, 2.5],"
            + " [0.0, -1e-300, 100.0, 4.9e-324]]}";

    String url;
    ServiceProcess a;
    ServiceProcess b;
    String iris;

    @BeforeAll
    void startTwoReplicas() throws Exception {
        url = TestPostgres.newDatabase("replicas");
        CompletableFuture<ServiceProcess> fa = CompletableFuture.supplyAsync(() -> replica("a"));
        CompletableFuture<ServiceProcess> fb = CompletableFuture.supplyAsync(() -> replica("b"));
        a = fa.join();
        b = fb.join();
        iris = a.http.upload("iris", TestHttp.resource("iris"));
    }

    private ServiceProcess replica(String name) {
        try {
            return ServiceProcess.start(
                    TestHttp.tempDir("bnserve-replica-" + name),
                    "--bnserve.store=postgres",
                    "--spring.datasource.url=" + url,
                    "--bnserve.instance-name=" + name,
                    "--bnserve.training.lease=3s",
                    "--bnserve.postgres.poll-interval=1s",
                    "--bnserve.training.queue-capacity=64",
                    "--bnserve.training.warmup=false");
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    @AfterAll
    void stopReplicas() throws Exception {
        if (a != null) a.close();
        if (b != null) b.close();
    }

    @Test
    @Order(1)
    void aModelTrainedOnAIsAnsweredByBBitForBitWithinTheBound() throws Exception {
        String model = a.http.train("{\"dataset\": \"" + iris
                + "\", \"label\": \"species\", \"hidden\": [8], \"epochs\": 40, \"name\": \"iris\"}");
        // B polls its answer while A is watched for ready: the gap is the propagation delay
        CompletableFuture<Long> bAnswers = CompletableFuture.supplyAsync(() -> firstTime(b, model, 200));
        long readyOnA = readyTime(a, model);
        long answeredByB = bAnswers.get();
        long delayMs = (answeredByB - readyOnA) / 1_000_000;
        System.out.println("replicas: ready on A -> answered by B after " + delayMs + " ms");
        assertThat(delayMs).isLessThan(BOUND.toMillis());

        HttpResponse<String> onA = a.http.postJson("/models/" + model + "/predict", ROWS);
        HttpResponse<String> onB = b.http.postJson("/models/" + model + "/predict", ROWS);
        assertThat(onA.statusCode()).as(onA.body()).isEqualTo(200);
        assertThat(onB.body()).isEqualTo(onA.body());
        assertThat(b.http.get("/models/" + model + "/export").body())
                .isEqualTo(a.http.get("/models/" + model + "/export").body());
        JsonNode m = TestHttp.json(b.http.get("/models/" + model));
        assertThat(m.get("trainedBy").asString()).isIn("a", "b");
        assertThat(TestHttp.json(b.http.get("/models/iris@1")).get("id").asString())
                .isEqualTo(model);
    }

    /** The event stream of a job works on both replicas, whichever trains it: progress, then the final status. */
    @Test
    @Order(2)
    void eventsOfAJobStreamOnBothReplicas() throws Exception {
        String model = a.http.train(
                "{\"dataset\": \"" + iris + "\", \"label\": \"species\", \"hidden\": [16], \"epochs\": 1500}");
        List<CompletableFuture<List<String>>> streams = new ArrayList<>();
        for (ServiceProcess p : List.of(a, b)) {
            java.net.http.HttpRequest req = java.net.http.HttpRequest.newBuilder(
                            p.http.uri("/models/" + model + "/events"))
                    .timeout(Duration.ofSeconds(120))
                    .build();
            streams.add(java.net.http.HttpClient.newHttpClient()
                    .sendAsync(req, HttpResponse.BodyHandlers.ofLines())
                    .thenApply(r -> r.body().filter(l -> l.startsWith("event:")).toList()));
        }
        for (int i = 0; i < 2; i++) {
            List<String> events = streams.get(i).get();
            System.out.println("replicas: event stream on " + (i == 0 ? "A" : "B") + ": "
                    + events.stream().filter(e -> e.contains("progress")).count() + " progress events, then "
                    + events.get(events.size() - 1));
            assertThat(events).as("replica " + i).contains("event:progress");
            assertThat(events.get(events.size() - 1)).isEqualTo("event:status");
        }
        assertThat(TestHttp.json(b.http.get("/models/" + model)).get("status").asString())
                .isEqualTo("ready");
    }

    @Test
    @Order(3)
    void aDeleteOnBIsSeenByAWithinTheBound() throws Exception {
        String model = b.http.train("{\"dataset\": \"" + iris + "\", \"label\": \"species\", \"epochs\": 10}");
        b.http.awaitReady(model);
        firstTime(a, model, 200);
        HttpResponse<String> del = b.http.delete("/models/" + model);
        long acknowledged = System.nanoTime();
        assertThat(del.statusCode()).as(del.body()).isEqualTo(204);
        long goneOnA = firstTime(a, model, 404);
        long delayMs = (goneOnA - acknowledged) / 1_000_000;
        System.out.println("replicas: delete acknowledged by B -> 404 on A after " + delayMs + " ms");
        assertThat(delayMs).isLessThan(BOUND.toMillis());
    }

    @Test
    @Order(4)
    void anAliasMovedOnAIsFollowedByBAtomically() throws Exception {
        String v2 = a.http.train("{\"dataset\": \"" + iris
                + "\", \"label\": \"species\", \"hidden\": [4], \"epochs\": 20, \"name\": \"iris\"}");
        a.http.awaitReady(v2);
        String v1 = TestHttp.json(a.http.get("/models/iris@1")).get("id").asString();
        put(a, "/aliases/iris/production", "{\"version\": 1}");
        awaitAnswer(b, "iris@production", v1);
        AtomicBoolean stop = new AtomicBoolean();
        List<String> wrong = new ArrayList<>();
        AtomicInteger answers = new AtomicInteger();
        Thread reader = new Thread(() -> {
            while (!stop.get()) {
                try {
                    HttpResponse<String> r = b.http.postJson("/models/iris@production/predict", ROW);
                    String used = r.statusCode() == 200
                            ? TestHttp.json(r).get("model").asString()
                            : null;
                    if (used == null || (!used.equals(v1) && !used.equals(v2)))
                        synchronized (wrong) {
                            wrong.add(r.statusCode() + " " + r.body());
                        }
                    answers.incrementAndGet();
                } catch (Exception e) {
                    synchronized (wrong) {
                        wrong.add(e.toString());
                    }
                }
            }
        });
        reader.start();
        try {
            for (int i = 0; i < 10; i++) {
                put(a, "/aliases/iris/production", "{\"version\": " + (i % 2 == 0 ? 2 : 1) + "}");
                long moved = System.nanoTime();
                awaitAnswer(b, "iris@production", i % 2 == 0 ? v2 : v1);
                assertThat(System.nanoTime() - moved).isLessThan(BOUND.toNanos());
            }
        } finally {
            stop.set(true);
            reader.join();
        }
        assertThat(wrong).isEmpty();
        assertThat(answers.get()).isGreaterThan(10);
        System.out.println("replicas: 10 alias moves on A followed by B, " + answers.get()
                + " predictions on B in between, none failed or from another model");
    }

    @Test
    @Order(5)
    void twentyJobsSubmittedAcrossBothAreEachTrainedExactlyOnce() throws Exception {
        List<String> ids = new ArrayList<>();
        for (int i = 0; i < 20; i++) {
            ServiceProcess to = i % 2 == 0 ? a : b;
            ids.add(to.http.train("{\"dataset\": \"" + iris + "\", \"label\": \"species\", \"hidden\": [4],"
                    + " \"epochs\": 15, \"seed\": " + i + "}"));
        }
        Map<String, Integer> byReplica = new HashMap<>();
        for (String id : ids) {
            JsonNode m = (ids.indexOf(id) % 2 == 0 ? b : a).http.awaitReady(id);
            byReplica.merge(m.get("trainedBy").asString(), 1, Integer::sum);
        }
        // each replica logs "model <id> ready" once per job it trained: across both logs, once per job
        Map<String, Integer> trained = new HashMap<>();
        for (ServiceProcess p : List.of(a, b)) {
            Matcher mm = Pattern.compile("model (m-[0-9a-v]+) ready").matcher(Files.readString(p.log));
            while (mm.find()) trained.merge(mm.group(1), 1, Integer::sum);
        }
        for (String id : ids) assertThat(trained.get(id)).as(id).isEqualTo(1);
        System.out.println("replicas: 20 jobs, each trained once; by replica " + byReplica);
        assertThat(byReplica.values().stream().mapToInt(Integer::intValue).sum())
                .isEqualTo(20);
    }

    @Test
    @Order(6)
    void postgresGoingAwayStopsNoPredictionRefusesWritesAndLosesNothing() throws Exception {
        String dir = System.getProperty(TestPostgres.DIR, "");
        if (dir.isBlank()) {
            String message = "the PostgreSQL outage test needs the cluster directory (-D" + TestPostgres.DIR + ")";
            if (Boolean.getBoolean("postgres.required")) fail(message);
            Assumptions.abort(message);
        }
        String model = TestHttp.json(a.http.get("/models/iris@1")).get("id").asString();
        List<String> before = ids(a, "/models");
        List<String> datasetsBefore = ids(a, "/datasets");
        String expected = a.http.postJson("/models/" + model + "/predict", ROWS).body();

        AtomicBoolean stop = new AtomicBoolean();
        AtomicInteger ok = new AtomicInteger();
        List<String> bad = new ArrayList<>();
        List<Thread> predictors = new ArrayList<>();
        for (ServiceProcess p : List.of(a, b)) {
            Thread t = new Thread(() -> {
                while (!stop.get()) {
                    try {
                        HttpResponse<String> r = p.http.postJson("/models/" + model + "/predict", ROWS);
                        if (r.statusCode() == 200 && r.body().equals(expected)) ok.incrementAndGet();
                        else
                            synchronized (bad) {
                                bad.add(r.statusCode() + " " + r.body());
                            }
                    } catch (Exception e) {
                        synchronized (bad) {
                            bad.add(e.toString());
                        }
                    }
                }
            });
            t.start();
            predictors.add(t);
        }
        Map<String, Integer> writesWhileDown = new ConcurrentHashMap<>();
        try {
            Thread.sleep(300);
            int okBefore = ok.get();
            pg("--stop", dir);
            long down = System.nanoTime();
            int okAtStop = ok.get();
            while (System.nanoTime() - down < Duration.ofSeconds(4).toNanos()) {
                for (ServiceProcess p : List.of(a, b)) {
                    HttpResponse<String> up = p.http.postCsv("/datasets?name=during", TestHttp.resource("iris"));
                    writesWhileDown.merge(
                            up.statusCode() + " "
                                    + up.headers().firstValue("Content-Type").orElse(""),
                            1,
                            Integer::sum);
                    HttpResponse<String> tr = p.http.postJson(
                            "/models", "{\"dataset\": \"" + iris + "\", \"label\": \"species\", \"epochs\": 5}");
                    writesWhileDown.merge("train " + tr.statusCode(), 1, Integer::sum);
                }
                HttpResponse<String> health = a.http.get("/actuator/health");
                writesWhileDown.merge(
                        "health " + health.statusCode() + " "
                                + TestHttp.json(health).get("status").asString(),
                        1,
                        Integer::sum);
            }
            int okWhileDown = ok.get() - okAtStop;
            pg("", dir);
            long back = System.nanoTime();
            // both replicas report the database again, and take writes
            for (ServiceProcess p : List.of(a, b)) {
                while (!TestHttp.json(p.http.get("/actuator/health"))
                        .get("status")
                        .asString()
                        .equals("UP")) {
                    assertThat(System.nanoTime() - back)
                            .isLessThan(Duration.ofSeconds(30).toNanos());
                    Thread.sleep(50);
                }
            }
            System.out.println("replicas: PostgreSQL stopped 4 s: " + okWhileDown + " predictions answered meanwhile"
                    + " (before: " + okBefore + "), writes and health " + writesWhileDown + "; healthy again "
                    + (System.nanoTime() - back) / 1_000_000 + " ms after the restart");
            assertThat(okWhileDown).isGreaterThan(20);
        } finally {
            stop.set(true);
            for (Thread t : predictors) t.join();
        }
        assertThat(bad).isEmpty();
        assertThat(writesWhileDown.keySet())
                .contains("503 application/problem+json", "train 503")
                .noneMatch(k -> k.startsWith("201") || k.startsWith("train 202"))
                .anyMatch(k -> k.startsWith("health 200 DEGRADED"));
        // nothing lost, nothing half-written, and everything works again
        assertThat(ids(b, "/models")).containsExactlyInAnyOrderElementsOf(before);
        assertThat(ids(b, "/datasets")).containsExactlyInAnyOrderElementsOf(datasetsBefore);
        HttpResponse<String> upload = b.http.postCsv("/datasets?name=after", TestHttp.resource("iris"));
        assertThat(upload.statusCode()).as(upload.body() + "\n" + b.logTail()).isEqualTo(201);
        String again = TestHttp.json(upload).get("id").asString();
        String trained = b.http.train("{\"dataset\": \"" + again + "\", \"label\": \"species\", \"epochs\": 5}");
        a.http.awaitReady(trained);
        assertThat(b.http.postJson("/models/" + model + "/predict", ROWS).body())
                .isEqualTo(expected);
    }

    @Test
    @Order(7)
    void theSurvivorFailsTheJobOfAKilledReplicaOnceItsLeaseExpires() throws Exception {
        String digits = a.http.upload("digits", TestHttp.resource("digits"));
        String model = a.http.train("{\"dataset\": \"" + digits
                + "\", \"label\": \"digit\", \"task\": \"classification\", \"epochs\": 5000}");
        String trainer;
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        while (true) {
            JsonNode m = TestHttp.json(a.http.get("/models/" + model));
            if (m.get("status").asString().equals("training") && m.hasNonNull("trainedBy")) {
                trainer = m.get("trainedBy").asString();
                break;
            }
            assertThat(System.nanoTime()).as(m.toString()).isLessThan(deadline);
            Thread.sleep(20);
        }
        ServiceProcess victim = trainer.equals("a") ? a : b;
        ServiceProcess survivor = victim == a ? b : a;
        victim.kill();
        long killed = System.nanoTime();
        JsonNode failed = survivor.http.awaitTerminal(model, "failed");
        long ms = (System.nanoTime() - killed) / 1_000_000;
        System.out.println("replicas: SIGKILL of the training replica '" + trainer + "' -> job failed by the survivor"
                + " after " + ms + " ms (lease 3 s, poll 1 s): "
                + failed.get("error").asString());
        assertThat(failed.get("error").asString()).contains("lease expired on " + trainer);
        assertThat(ms).isBetween(1000L, 10_000L);
        // the survivor trains on
        String next = survivor.http.train("{\"dataset\": \"" + iris + "\", \"label\": \"species\", \"epochs\": 5}");
        assertThat(survivor.http.awaitReady(next).get("trainedBy").asString()).isEqualTo(survivor == a ? "a" : "b");
    }

    // ---------------------------------------------------------------- helpers

    /** System.nanoTime() when {@code p} first answers a prediction with {@code model} by {@code status}. */
    private static long firstTime(ServiceProcess p, String model, int status) {
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        try {
            while (true) {
                HttpResponse<String> r = p.http.postJson("/models/" + model + "/predict", ROW);
                if (r.statusCode() == status) return System.nanoTime();
                assertThat(System.nanoTime()).as(r.body()).isLessThan(deadline);
                Thread.sleep(2);
            }
        } catch (IOException | InterruptedException e) {
            throw new IllegalStateException(e);
        }
    }

    private static long readyTime(ServiceProcess p, String model) throws Exception {
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        while (true) {
            JsonNode m = TestHttp.json(p.http.get("/models/" + model));
            if (m.get("status").asString().equals("ready")) return System.nanoTime();
            assertThat(m.get("status").asString()).isIn("queued", "training");
            assertThat(System.nanoTime()).isLessThan(deadline);
            Thread.sleep(2);
        }
    }

    private static void awaitAnswer(ServiceProcess p, String ref, String model) throws Exception {
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (true) {
            HttpResponse<String> r = p.http.postJson("/models/" + ref + "/predict", ROW);
            if (r.statusCode() == 200
                    && TestHttp.json(r).get("model").asString().equals(model)) return;
            assertThat(System.nanoTime()).as(r.body()).isLessThan(deadline);
            Thread.sleep(2);
        }
    }

    private static void put(ServiceProcess p, String path, String body) throws Exception {
        HttpResponse<String> r = p.http.send(
                "PUT", path, "application/json", body.getBytes(java.nio.charset.StandardCharsets.UTF_8), Map.of());
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
    }

    private static List<String> ids(ServiceProcess p, String path) throws Exception {
        List<String> out = new ArrayList<>();
        for (JsonNode n : TestHttp.json(p.http.get(path))) out.add(n.get("id").asString());
        return out;
    }

    /** Runs .ci/postgres.sh ({@code --stop DIR}, or DIR to start the cluster again on its port). */
    private static void pg(String flag, String dir) throws Exception {
        List<String> cmd =
                new ArrayList<>(List.of("bash", Path.of(".ci", "postgres.sh").toString()));
        if (!flag.isEmpty()) cmd.add(flag);
        cmd.add(dir);
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes());
        assertThat(p.waitFor()).as(out).isZero();
    }
}
