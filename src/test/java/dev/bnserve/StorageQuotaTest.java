package dev.bnserve;

import static org.assertj.core.api.Assertions.assertThat;

import dev.bnserve.data.CsvLimits;
import dev.bnserve.data.CsvParser;
import dev.bnserve.problem.Problem;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.annotation.DirtiesContext;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import tools.jackson.databind.JsonNode;

/**
 * Issue 16, the storage quota ({@code bnserve.limits.max-storage}) over real HTTP: under it an upload is a 201; one
 * that would go past it a 507 problem naming the setting, with nothing stored (the listing unchanged, no file left in
 * the data dir); an import likewise; a training job whose result does not fit ends failed saying so; health stays UP;
 * deleting frees the quota.
 */
@SpringBootTest(
        webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
        properties = {"bnserve.limits.max-storage=" + StorageQuotaTest.QUOTA, "bnserve.training.concurrency=1"})
@DirtiesContext
class StorageQuotaTest {

    /** Room for one iris dataset (about 6 KB stored) and a queued job, not for two datasets. */
    static final int QUOTA = 10_000;

    static final Path DATA_DIR = TestHttp.tempDir("bnserve-quota");

    @DynamicPropertySource
    static void properties(DynamicPropertyRegistry registry) {
        registry.add("bnserve.data-dir", DATA_DIR::toString);
    }

    @LocalServerPort
    int port;

    static List<String> files() throws IOException {
        try (Stream<Path> walk = Files.walk(DATA_DIR)) {
            return walk.filter(Files::isRegularFile)
                    .map(p -> DATA_DIR.relativize(p).toString())
                    .filter(p -> p.startsWith("datasets") || p.startsWith("models"))
                    .sorted()
                    .toList();
        }
    }

    static long stored() throws IOException {
        long total = 0;
        try (Stream<Path> walk = Files.walk(DATA_DIR)) {
            for (Path p : walk.filter(Files::isRegularFile).toList()) {
                String rel = DATA_DIR.relativize(p).toString();
                if (rel.startsWith("datasets") || rel.startsWith("models")) total += Files.size(p);
            }
        }
        return total;
    }

    static void expectQuotaProblem(HttpResponse<String> r) {
        assertThat(r.statusCode()).as(r.body()).isEqualTo(507);
        assertThat(r.headers().firstValue("Content-Type").orElse("")).startsWith(TestHttp.PROBLEM);
        JsonNode p = TestHttp.json(r);
        assertThat(p.get("type").asString()).endsWith("/problems/storage-full");
        assertThat(p.get("detail").asString()).contains("bnserve.limits.max-storage", String.valueOf(QUOTA));
    }

    @Test
    void uploadsImportsAndTrainingStayWithinTheQuota() throws Exception {
        TestHttp http = new TestHttp(port);
        byte[] iris = TestHttp.resource("iris");
        String first = http.upload("iris", iris);
        long one = stored();
        assertThat(one).as("one stored iris").isLessThan(QUOTA).isGreaterThan(QUOTA / 2);

        String listing = http.get("/datasets").body();
        List<String> before = files();
        // raw and multipart: 507 naming the limit, nothing stored
        expectQuotaProblem(http.postCsv("/datasets?name=second", iris));
        expectQuotaProblem(http.multipart("/datasets?name=third", "iris.csv", iris));
        assertThat(http.get("/datasets").body()).isEqualTo(listing);
        assertThat(files()).isEqualTo(before);

        // a much larger upload is stopped while it streams: it says so
        HttpResponse<String> big = http.postCsv("/datasets?name=big", numbers(200_000));
        expectQuotaProblem(big);
        assertThat(TestHttp.json(big).get("detail").asString()).contains("reading stopped");
        assertThat(files()).isEqualTo(before);

        // an import that does not fit: 507, nothing stored
        byte[] model;
        try (InputStream in = getClass().getResourceAsStream("/models/v2-cars-model.json")) {
            model = in.readAllBytes();
        }
        expectQuotaProblem(http.postJson("/models/import", new String(model, StandardCharsets.UTF_8)));
        assertThat(http.get("/models").body()).isEqualTo("[]");
        assertThat(files()).isEqualTo(before);

        // a job whose result does not fit ends failed, naming the quota; its small record stays
        String job = http.train(
                "{\"dataset\": \"" + first + "\", \"label\": \"species\", \"hidden\": [64, 64]," + " \"epochs\": 3}");
        JsonNode failed = http.awaitTerminal(job, "failed");
        assertThat(failed.get("error").asString()).contains("bnserve.limits.max-storage");
        assertThat(TestHttp.json(http.get("/actuator/health")).get("status").asString())
                .isEqualTo("UP");
        assertThat(http.delete("/models/" + job).statusCode()).isEqualTo(204);

        // deleting frees the quota
        assertThat(http.delete("/datasets/" + first).statusCode()).isEqualTo(204);
        String again = http.upload("again", iris);
        assertThat(http.get("/datasets/" + again).statusCode()).isEqualTo(200);
        assertThat(stored()).isBetween(one - 16, one + 16); // the name differs
    }

    /** Parsing stops once the rows read could not be stored: of an 80 MB body, a few chunks are read. */
    @Test
    void anUploadOverTheQuotaStopsWhileItStreams() {
        long rows = 10_000_000;
        byte[] line = "1.5,2.5\n".getBytes(StandardCharsets.US_ASCII);
        long[] read = {0};
        InputStream endless = new InputStream() {
            long pos = -8; // the header first

            @Override
            public int read() {
                byte[] one = new byte[1];
                return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
            }

            @Override
            public int read(byte[] b, int off, int len) {
                if (pos >= rows * line.length) return -1;
                int n = 0;
                for (; n < len && pos < rows * line.length; n++, pos++) {
                    b[off + n] =
                            pos < 0 ? "a,b\n\n\n\n\n".getBytes()[(int) (pos + 8)] : line[(int) (pos % line.length)];
                }
                read[0] += n;
                return n;
            }
        };
        CsvParser parser = new CsvParser(new CsvLimits(0, 0, 0).withStorage(1 << 20, 1 << 20));
        try {
            parser.parse(endless, StandardCharsets.UTF_8, "endless");
            throw new AssertionError("parsed an upload over the quota");
        } catch (Problem p) {
            assertThat(p.kind()).isEqualTo(Problem.Kind.STORAGE_FULL);
            assertThat(p.detail()).contains("bnserve.limits.max-storage");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        assertThat(read[0]).as("bytes read of " + rows * line.length).isLessThan(16L << 20);
    }

    /** {@code rows} rows of two numbers, about 20 bytes each. */
    static byte[] numbers(int rows) {
        StringBuilder b = new StringBuilder("x,y\n");
        for (int i = 0; i < rows; i++) b.append(i).append(',').append(i * 0.5).append('\n');
        return b.toString().getBytes(StandardCharsets.US_ASCII);
    }
}
