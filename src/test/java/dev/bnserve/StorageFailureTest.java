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
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.annotation.DirtiesContext;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import tools.jackson.databind.JsonNode;

/**
 * Issue 16, bugs 3 and 4 and the storage errors, on a tmpfs this test mounts (as root; CI runs as root) and remounts
 * read-only or fills: a failed save never leaves a job stuck, a failed delete changes nothing, a read-only data dir
 * answers 503 and a full one 507 (problem+json), health turns OUT_OF_SERVICE or DOWN.
 */
@SpringBootTest(
        webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
        properties = {"bnserve.training.concurrency=1"})
@DirtiesContext
class StorageFailureTest {

    static Path mount;

    static void run(String... cmd) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes());
        if (p.waitFor() != 0) throw new IOException(String.join(" ", cmd) + ": " + out.trim());
    }

    /** A fresh 64 MB tmpfs, or null (with the reason printed) where this process cannot mount one. */
    static Path mountTmpfs(String prefix) throws IOException, InterruptedException {
        Path dir = Files.createTempDirectory(prefix);
        try {
            run("mount", "-t", "tmpfs", "-o", "size=64m", "tmpfs", dir.toString());
            return dir;
        } catch (IOException e) {
            System.out.println("cannot mount a tmpfs (needs root): " + e.getMessage());
            Files.deleteIfExists(dir);
            return null;
        }
    }

    static void readOnly(Path dir, boolean ro) throws IOException, InterruptedException {
        run("mount", "-o", "remount," + (ro ? "ro" : "rw"), dir.toString());
    }

    @BeforeAll
    static void mountDataDir() throws Exception {
        mount = mountTmpfs("bnserve-tmpfs");
        Assumptions.assumeTrue(mount != null, "skipped: cannot mount a tmpfs here (the test needs root, as in CI)");
    }

    @AfterAll
    static void unmount() throws Exception {
        if (mount != null) run("umount", "-l", mount.toString());
    }

    @DynamicPropertySource
    static void properties(DynamicPropertyRegistry registry) {
        registry.add("bnserve.data-dir", () -> mount.toString());
    }

    @LocalServerPort
    int port;

    TestHttp http;
    String iris;

    @BeforeEach
    void setUp() throws Exception {
        http = new TestHttp(port);
        iris = http.upload("iris", TestHttp.resource("iris"));
    }

    @AfterEach
    void writable() throws Exception {
        readOnly(mount, false);
        Files.deleteIfExists(mount.resolve("filler"));
    }

    String train(int epochs) throws Exception {
        return http.train("{\"dataset\": \"" + iris + "\", \"label\": \"species\", \"epochs\": " + epochs + "}");
    }

    double jobsGauge() throws Exception {
        HttpResponse<String> r = http.get("/actuator/metrics/bnserve.training.jobs");
        assertThat(r.statusCode()).isEqualTo(200);
        return TestHttp.json(r).at("/measurements/0/value").asDouble();
    }

    void expectStorageProblem(HttpResponse<String> r, int status, String type) {
        assertThat(r.statusCode()).as(r.body()).isEqualTo(status);
        assertThat(r.headers().firstValue("Content-Type").orElse("")).startsWith(TestHttp.PROBLEM);
        assertThat(TestHttp.json(r).get("type").asString()).endsWith("/problems/" + type);
        assertThat(TestHttp.json(r).get("detail").asString()).contains("nothing was changed");
    }

    String health() throws Exception {
        return TestHttp.json(http.get("/actuator/health")).get("status").asString();
    }

    @Test
    void aDeleteOnAReadOnlyDataDirChangesNothing() throws Exception {
        String model = train(30);
        http.awaitReady(model);
        String predict = "{\"features\": [5.1, 3.5, 1.4, 0.2]}";
        readOnly(mount, true);
        Thread.sleep(1100); // health caches its probe for a second

        // the model: 503, and still there for GET, the listing, predict and /predict
        expectStorageProblem(http.delete("/models/" + model), 503, "storage-read-only");
        assertThat(http.delete("/models/" + model).headers().firstValue("Retry-After"))
                .isPresent();
        assertThat(http.get("/models/" + model).statusCode()).isEqualTo(200);
        assertThat(http.get("/models").body()).contains(model);
        assertThat(http.postJson("/models/" + model + "/predict", predict).statusCode())
                .isEqualTo(200);
        assertThat(TestHttp.json(http.postJson("/predict", predict))
                        .get("model")
                        .asString())
                .isEqualTo(model);
        // the dataset likewise
        expectStorageProblem(http.delete("/datasets/" + iris), 503, "storage-read-only");
        assertThat(http.get("/datasets/" + iris).statusCode()).isEqualTo(200);
        assertThat(http.get("/datasets").body()).contains(iris);
        // writes are refused, nothing is queued
        int models = TestHttp.json(http.get("/models")).size();
        expectStorageProblem(http.postCsv("/datasets?name=more", TestHttp.resource("iris")), 503, "storage-read-only");
        expectStorageProblem(
                http.postJson("/models", "{\"dataset\": \"" + iris + "\", \"label\": \"species\"}"),
                503,
                "storage-read-only");
        assertThat(TestHttp.json(http.get("/models")).size()).isEqualTo(models);
        assertThat(jobsGauge()).isZero();
        HttpResponse<String> h = http.get("/actuator/health");
        assertThat(h.statusCode()).isEqualTo(503);
        assertThat(health()).isEqualTo("OUT_OF_SERVICE");

        // writable again: the delete goes through everywhere
        readOnly(mount, false);
        Thread.sleep(1100);
        assertThat(health()).isEqualTo("UP");
        assertThat(http.delete("/models/" + model).statusCode()).isEqualTo(204);
        assertThat(http.get("/models/" + model).statusCode()).isEqualTo(404);
        assertThat(http.postJson("/models/" + model + "/predict", predict).statusCode())
                .isEqualTo(404);
        assertThat(http.delete("/datasets/" + iris).statusCode()).isEqualTo(204);
    }

    @Test
    void aReadOnlyRemountMidJobEndsItAndTheNextFailedAndFreesTheSlot() throws Exception {
        String running = train(10_000);
        String queued = train(30);
        HttpClient client =
                HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
        CompletableFuture<HttpResponse<String>> events = client.sendAsync(
                HttpRequest.newBuilder(http.uri("/models/" + queued + "/events"))
                        .header("Accept", "text/event-stream")
                        .timeout(Duration.ofSeconds(60))
                        .build(),
                HttpResponse.BodyHandlers.ofString());
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (TestHttp.json(http.get("/models/" + running))
                        .at("/progress/epoch")
                        .asInt()
                < 50) {
            assertThat(System.nanoTime()).as("training started").isLessThan(deadline);
            Thread.sleep(10);
        }
        readOnly(mount, true);
        // the running job cannot save its end: failed, saying why; the next cannot save its start: failed too
        JsonNode first = http.awaitTerminal(running, "failed");
        assertThat(first.get("error").asString()).contains("read-only");
        JsonNode next = http.awaitTerminal(queued, "failed");
        assertThat(next.get("error").asString()).contains("read-only");
        // its stream ends with the status event
        String stream = events.get(10, TimeUnit.SECONDS).body();
        assertThat(stream).contains("event:status");
        assertThat(jobsGauge()).isZero();
        long t0 = System.nanoTime();
        expectStorageProblem(http.delete("/models/" + queued), 503, "storage-read-only");
        assertThat((System.nanoTime() - t0) / 1e9).isLessThan(2.0);
        assertThat(http.get("/models/" + queued).statusCode()).isEqualTo(200);

        // the slot is free: once writable, the next job trains
        readOnly(mount, false);
        http.awaitReady(train(5));
        assertThat(jobsGauge()).isZero();
    }

    @Test
    void aFullDataDirAnswers507AndStoresNothing() throws Exception {
        int datasets = TestHttp.json(http.get("/datasets")).size();
        int models = TestHttp.json(http.get("/models")).size();
        try (OutputStream out = Files.newOutputStream(mount.resolve("filler"))) {
            byte[] block = new byte[1 << 20];
            while (true) out.write(block);
        } catch (IOException full) {
            assertThat(full.getMessage()).contains("No space left on device");
        }
        Thread.sleep(1100);
        expectStorageProblem(http.postCsv("/datasets?name=more", TestHttp.resource("iris")), 507, "storage-full");
        expectStorageProblem(
                http.send(
                        "POST",
                        "/datasets",
                        "multipart/form-data; boundary=b",
                        TestHttp.multipartBody("b", "file", "iris.csv", "text/csv", TestHttp.resource("iris")),
                        Map.of()),
                507,
                "storage-full");
        expectStorageProblem(
                http.postJson("/models", "{\"dataset\": \"" + iris + "\", \"label\": \"species\"}"),
                507,
                "storage-full");
        assertThat(TestHttp.json(http.get("/datasets")).size()).isEqualTo(datasets);
        assertThat(TestHttp.json(http.get("/models")).size()).isEqualTo(models);
        assertThat(jobsGauge()).isZero();
        assertThat(http.get("/actuator/health").statusCode()).isEqualTo(503);
        assertThat(health()).isEqualTo("DOWN");
        // leftovers of the failed writes are gone: freeing the filler is enough to upload again
        Files.delete(mount.resolve("filler"));
        Thread.sleep(1100);
        assertThat(health()).isEqualTo("UP");
        http.upload("more", TestHttp.resource("iris"));
    }

    @Test
    void startUpSaysTheDataDirIsNotWritable() throws Exception {
        Path dir = mountTmpfs("bnserve-tmpfs-ro");
        Assumptions.assumeTrue(dir != null, "skipped: cannot mount a tmpfs here");
        try {
            Files.createDirectories(dir.resolve("datasets"));
            Files.createDirectories(dir.resolve("models"));
            readOnly(dir, true);
            try (ServiceProcess p = ServiceProcess.start(dir)) {
                String expected = "The data dir " + dir + " is not writable: the data dir is read-only";
                String log = Files.readString(p.log);
                for (int i = 0; i < 100 && !log.contains(expected); i++) { // logged once ready
                    Thread.sleep(100);
                    log = Files.readString(p.log);
                }
                assertThat(log).contains("The data dir " + dir + " is not writable: the data dir is read-only");
                assertThat(p.http.get("/actuator/health").statusCode()).isEqualTo(503);
            }
        } finally {
            run("umount", "-l", dir.toString());
        }
    }
}
