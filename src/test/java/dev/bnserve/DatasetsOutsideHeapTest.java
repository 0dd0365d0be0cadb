package dev.bnserve;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

/**
 * Issue 16, "everything lives in the heap": stored datasets are read through memory-mapped columns, so what they take
 * is not bounded by the heap. Under {@code -Xmx256m}, five uploads whose decoded columns take 400 MB together (80 MB
 * each: 500,000 rows x 20 columns of doubles) all answer 201, stay listed, survive a restart and train; before, the
 * third or fourth ran the heap out and answered 500.
 */
class DatasetsOutsideHeapTest {

    static final int ROWS = 500_000;
    static final int COLUMNS = 20;
    static final int UPLOADS = 5;

    /** 500,000 rows of 20 one-digit numbers: a 20 MB CSV that decodes into 80 MB of doubles. */
    static byte[] csv() {
        StringBuilder b = new StringBuilder(ROWS * COLUMNS * 2 + 200);
        for (int c = 0; c < COLUMNS; c++)
            b.append(c == 0 ? "" : ",").append('c').append(c);
        b.append('\n');
        Random random = new Random(16);
        for (int r = 0; r < ROWS; r++) {
            for (int c = 0; c < COLUMNS; c++) b.append(c == 0 ? "" : ",").append((char) ('0' + random.nextInt(10)));
            b.append('\n');
        }
        return b.toString().getBytes(StandardCharsets.US_ASCII);
    }

    @Test
    void uploadsWhoseColumnsExceedTheHeapAllSucceedAndTrain() throws Exception {
        Path dataDir = TestHttp.tempDir("bnserve-outside-heap");
        byte[] csv = csv();
        String last;
        try (ServiceProcess service = ServiceProcess.start(dataDir, List.of("-Xmx256m"))) {
            String id = null;
            for (int i = 0; i < UPLOADS; i++) {
                HttpResponse<String> r = service.http.postCsv("/datasets?name=wide" + i, csv);
                assertThat(r.statusCode())
                        .as("upload %d of %d under -Xmx256m: %s\n%s", i + 1, UPLOADS, r.body(), service.logTail())
                        .isEqualTo(201);
                id = TestHttp.json(r).get("id").asString();
            }
            last = id;
            assertListed(service.http);
        }
        // after a restart (every dataset mapped again, none decoded into the heap) they are all there and train
        try (ServiceProcess service = ServiceProcess.start(dataDir, List.of("-Xmx256m"))) {
            assertListed(service.http);
            String model = service.http.train("{\"dataset\": \"" + last + "\", \"label\": \"c19\", \"task\":"
                    + " \"regression\", \"features\": [\"c0\", \"c1\", \"c2\"], \"hidden\": [4], \"epochs\": 1}");
            JsonNode ready = service.http.awaitReady(model);
            assertThat(ready.get("status").asString()).isEqualTo("ready");
            HttpResponse<String> summary = service.http.get("/datasets/" + last);
            assertThat(summary.statusCode()).isEqualTo(200);
            assertThat(TestHttp.json(summary).get("rows").asInt()).isEqualTo(ROWS);
        }
    }

    static void assertListed(TestHttp http) throws Exception {
        JsonNode list = TestHttp.json(http.get("/datasets"));
        assertThat(list.size()).isEqualTo(UPLOADS);
        for (JsonNode d : list) assertThat(d.get("rows").asInt()).isEqualTo(ROWS);
    }
}
