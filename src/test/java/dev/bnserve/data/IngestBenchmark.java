package dev.bnserve.data;

import java.io.BufferedInputStream;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Parses a CSV file in process (no HTTP) with the byte path and, with {@code --legacy true}, the character path,
 * and writes it in the store's encoding: where ingest time goes. Not a test.
 * {@code java -cp … dev.bnserve.data.IngestBenchmark FILE [runs] [legacy]}
 */
public final class IngestBenchmark {
    private IngestBenchmark() {}

    public static void main(String[] args) throws Exception {
        Path file = Path.of(args[0]);
        int runs = args.length > 1 ? Integer.parseInt(args[1]) : 3;
        boolean legacy = args.length > 2 && Boolean.parseBoolean(args[2]);
        CsvParser parser =
                new CsvParser(CsvLimits.unlimited(), legacy, CsvParser.CHUNK_BYTES, CsvParser.MAX_RECORD_BYTES);
        double mb = Files.size(file) / 1e6;
        if (args.length > 3) { // one thread, in memory, CPU time: the chunk parser alone
            byte[] all = Files.readAllBytes(file);
            int start = 0;
            while (all[start++] != '\n') {}
            java.lang.management.ThreadMXBean mx = java.lang.management.ManagementFactory.getThreadMXBean();
            for (int r = 0; r < runs; r++) {
                long c0 = mx.getCurrentThreadCpuTime();
                long t0 = System.nanoTime();
                int p = start;
                int rows = 0;
                while (p < all.length) {
                    int to = Math.min(all.length, p + CsvParser.CHUNK_BYTES);
                    to = to == all.length
                            ? to
                            : CsvBytes.lastBoundary(java.util.Arrays.copyOfRange(all, p, to), to - p, (byte) ',') + p;
                    rows += CsvBytes.parse(all, p, to, 33, (byte) ',', StandardCharsets.UTF_8, MissingTokens.DEFAULT)
                            .rows;
                    p = to;
                }
                long c1 = mx.getCurrentThreadCpuTime();
                long t1 = System.nanoTime();
                System.out.printf(
                        "chunk parser, one thread: %d rows, cpu %.3f s = %.0f MB/s per core (wall %.3f s)%n",
                        rows, (c1 - c0) / 1e9, mb / ((c1 - c0) / 1e9), (t1 - t0) / 1e9);
            }
            return;
        }
        for (int r = 0; r < runs; r++) {
            long t0 = System.nanoTime();
            Dataset d;
            try (InputStream in = new BufferedInputStream(Files.newInputStream(file), 1 << 16)) {
                d = parser.parse(in, StandardCharsets.UTF_8, "bench");
            }
            long t1 = System.nanoTime();
            try (OutputStream out = OutputStream.nullOutputStream()) {
                DatasetCodec.write(d, out);
            }
            long t2 = System.nanoTime();
            System.out.printf(
                    "%s parse %.3f s = %.0f MB/s (%d rows), encode %.3f s%n",
                    legacy ? "character" : "byte", (t1 - t0) / 1e9, mb / ((t1 - t0) / 1e9), d.rows(), (t2 - t1) / 1e9);
        }
    }
}
