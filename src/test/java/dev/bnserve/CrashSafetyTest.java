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
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import tools.jackson.databind.JsonNode;

/**
 * SIGKILL the service (a separate JVM) in the middle of training and in the middle of a storm of model writes;
 * every restart on the same data directory must find only whole documents, every acknowledged model, and identical
 * answers from every ready model. Interrupted jobs come back failed.
 */
@Timeout(value = 150)
class CrashSafetyTest {

    static final String ROWS =
            "{\"instances\": [[5.1, 3.5, 1.4, 0.2], [7.0, 3.2, 4.7, 1.4], [6.3, 3.3, 6.0, 2.5], [0.0, -1e-300, 100.0, 4.9e-324]]}";
    static final long SEED = 20261121L;

    @Test
    void killedServiceRestartsWithEveryModelIntactAndInterruptedJobsFailed() throws Exception {
        Path dataDir = TestHttp.tempDir("bnserve-crash");
        Random random = new Random(SEED);
        int crashes = 0;

        String iris;
        String model;
        String layers;
        JsonNode answers;
        String exported;
        String interrupted;

        ServiceProcess first = ServiceProcess.start(dataDir);
        try {
            TestHttp http = first.http;
            iris = http.upload("iris", TestHttp.resource("iris"));
            model = http.train(
                    "{\"dataset\": \"" + iris + "\", \"label\": \"species\", \"hidden\": [8], \"epochs\": 5}");
            layers = http.awaitReady(model).get("layers").toString();
            answers = predictions(http, model);
            HttpResponse<String> ex = http.get("/models/" + model + "/export");
            assertThat(ex.statusCode()).as(ex.body()).isEqualTo(200);
            exported = ex.body();

            String digits = http.upload("digits", TestHttp.resource("digits"));
            interrupted = http.train("{\"dataset\": \"" + digits
                    + "\", \"label\": \"digit\", \"task\": \"classification\", \"epochs\": 2000}");
            long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
            while (true) {
                JsonNode m = TestHttp.json(http.get("/models/" + interrupted));
                String status = m.get("status").asString();
                assertThat(status).as(m.toString()).isIn("queued", "training");
                if (status.equals("training") && m.get("history").size() >= 1) break;
                assertThat(System.nanoTime())
                        .as("digits job never reached its first epoch")
                        .isLessThan(deadline);
                Thread.sleep(20);
            }
        } finally {
            first.kill();
        }
        assertThat(first.process.isAlive()).isFalse();
        crashes++;
        assertEveryModelFileParses(dataDir);

        ServiceProcess current = ServiceProcess.start(dataDir);
        try {
            TestHttp http = current.http;
            JsonNode list = TestHttp.json(http.get("/models"));
            assertThat(list.findValuesAsString("id")).contains(model, interrupted);
            JsonNode m = TestHttp.json(http.get("/models/" + model));
            assertThat(m.get("status").asString()).isEqualTo("ready");
            assertThat(m.get("layers").toString()).isEqualTo(layers);
            assertThat(predictions(http, model)).isEqualTo(answers);
            JsonNode failed = TestHttp.json(http.get("/models/" + interrupted));
            assertThat(failed.get("status").asString()).isEqualTo("failed");
            assertThat(failed.get("error").asString()).contains("interrupted");
            assertNoTmpFiles(dataDir);
            assertEveryModelFileParses(dataDir);

            // Second kind of crash: SIGKILL at a seeded random moment while models are being written.
            for (int cycle = 1; cycle <= 3; cycle++) {
                Storm storm = new Storm(current.http, exported, iris);
                storm.start();
                storm.awaitFirstAck();
                long delay = 50 + random.nextInt(700);
                Thread.sleep(delay);
                current.kill();
                storm.stop();
                crashes++;
                System.out.printf(
                        "crash %d: SIGKILL %d ms into the write storm; %d imports and %d trainings acknowledged%n",
                        crashes, delay, storm.imports.size(), storm.trainings.size());
                // before anyone cleans up: every committed document is whole
                assertEveryModelFileParses(dataDir);

                current = ServiceProcess.start(dataDir);
                http = current.http;
                assertNoTmpFiles(dataDir);
                Set<String> onDisk = assertEveryModelFileParses(dataDir);
                JsonNode all = TestHttp.json(http.get("/models"));
                Set<String> listed = new HashSet<>(all.findValuesAsString("id"));
                assertThat(listed).as("the store loads every file on disk").isEqualTo(onDisk);
                assertThat(listed).as("every acknowledged import survives").containsAll(storm.imports);
                assertThat(listed).as("every acknowledged training survives").containsAll(storm.trainings);
                int ready = 0;
                for (JsonNode entry : all) {
                    String id = entry.get("id").asString();
                    JsonNode doc = TestHttp.json(http.get("/models/" + id));
                    String status = doc.get("status").asString();
                    assertThat(status).as(doc.toString()).isIn("ready", "failed", "cancelled");
                    if (status.equals("failed"))
                        assertThat(doc.get("error").asString()).contains("interrupted");
                    if (!status.equals("ready")) continue;
                    ready++;
                    JsonNode p = predictions(http, id);
                    if (storm.imports.contains(id) || id.equals(model)) {
                        assertThat(doc.get("layers").toString()).as(id).isEqualTo(layers);
                        assertThat(p).as(id).isEqualTo(answers);
                    } else {
                        for (JsonNode row : p) {
                            assertThat(row.get("prediction").asString()).isIn("setosa", "versicolor", "virginica");
                            row.get("probabilities")
                                    .forEach(v -> assertThat(Double.isFinite(v.asDouble()))
                                            .isTrue());
                        }
                    }
                }
                System.out.printf("restart %d: %d models on disk, %d ready, all intact%n", cycle, onDisk.size(), ready);
            }
        } finally {
            current.close();
        }
        System.out.println("CrashSafetyTest: crashes survived = " + crashes);
        assertThat(crashes).isEqualTo(4);
    }

    /** The {@code predictions} of a batch request (the model id left out, so copies compare equal). */
    static JsonNode predictions(TestHttp http, String id) throws IOException, InterruptedException {
        HttpResponse<String> r = http.postJson("/models/" + id + "/predict", ROWS);
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        return TestHttp.json(r).get("predictions");
    }

    static void assertNoTmpFiles(Path dataDir) throws IOException {
        try (Stream<Path> walk = Files.walk(dataDir)) {
            assertThat(walk.map(p -> dataDir.relativize(p).toString())).noneMatch(n -> n.endsWith(".tmp"));
        }
    }

    /** Every models/m-*.json parses as a JSON object naming its own id; returns the ids. */
    static Set<String> assertEveryModelFileParses(Path dataDir) throws IOException {
        Set<String> ids = new HashSet<>();
        Path dir = dataDir.resolve("models");
        if (!Files.isDirectory(dir)) return ids;
        try (Stream<Path> files = Files.list(dir)) {
            for (Path f : files.filter(p -> p.getFileName().toString().endsWith(".json"))
                    .toList()) {
                String name = f.getFileName().toString();
                String id = name.substring(0, name.length() - 5);
                JsonNode doc;
                try {
                    doc = TestHttp.JSON.readTree(Files.readString(f));
                } catch (RuntimeException e) {
                    fail("corrupt model file " + name + ": " + e.getMessage());
                    return ids;
                }
                assertThat(doc.isObject()).as(name).isTrue();
                assertThat(doc.get("id").asString()).as(name).isEqualTo(id);
                ids.add(id);
            }
        }
        return ids;
    }

    /** Two threads importing the exported model and one submitting tiny trainings, until stopped. */
    static final class Storm {
        final TestHttp http;
        final String exported;
        final String dataset;
        final Set<String> imports = ConcurrentHashMap.newKeySet();
        final Set<String> trainings = ConcurrentHashMap.newKeySet();
        final AtomicBoolean running = new AtomicBoolean(true);
        final AtomicInteger unexpected = new AtomicInteger();
        final List<Thread> threads = new ArrayList<>();
        final Map<String, String> errors = new HashMap<>();

        Storm(TestHttp http, String exported, String dataset) {
            this.http = http;
            this.exported = exported;
            this.dataset = dataset;
        }

        void start() {
            for (int i = 0; i < 2; i++) {
                threads.add(daemon(() -> loop(() -> {
                    HttpResponse<String> r = http.postJson("/models/import", exported);
                    if (r.statusCode() == 201)
                        imports.add(TestHttp.json(r).get("id").asString());
                    else unexpected.incrementAndGet();
                })));
            }
            threads.add(daemon(() -> loop(() -> {
                HttpResponse<String> r = http.postJson(
                        "/models",
                        "{\"dataset\": \"" + dataset
                                + "\", \"label\": \"species\", \"hidden\": [4], \"epochs\": 2, \"validationSplit\": 0}");
                if (r.statusCode() == 202)
                    trainings.add(TestHttp.json(r).get("id").asString());
                else if (r.statusCode() == 429) Thread.sleep(20);
                else unexpected.incrementAndGet();
            })));
        }

        private static Thread daemon(Runnable r) {
            Thread t = new Thread(r, "storm");
            t.setDaemon(true);
            t.start();
            return t;
        }

        interface Step {
            void run() throws Exception;
        }

        private void loop(Step step) {
            while (running.get()) {
                try {
                    step.run();
                } catch (Exception e) {
                    return; // the process was killed under us
                }
            }
        }

        void awaitFirstAck() throws InterruptedException {
            long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
            while (imports.isEmpty() || trainings.isEmpty()) {
                assertThat(System.nanoTime()).as("no write acknowledged").isLessThan(deadline);
                Thread.sleep(5);
            }
        }

        void stop() throws InterruptedException {
            running.set(false);
            for (Thread t : threads) t.join(35_000);
            assertThat(unexpected.get())
                    .as("unexpected statuses during the storm")
                    .isZero();
        }
    }
}
