package dev.bnserve.web;

import dev.bnserve.config.BnserveProperties;
import dev.bnserve.data.CsvRows;
import dev.bnserve.model.Task;
import dev.bnserve.predict.PredictRequest;
import dev.bnserve.predict.PredictionService;
import dev.bnserve.problem.Problem;
import dev.bnserve.problem.Violation;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.io.Reader;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.springframework.stereotype.Component;
import tools.jackson.core.io.NumberOutput;

/**
 * Scores a CSV file with a model, row by row as the request streams in: {@code POST /models/{id}/predict} with
 * {@code Content-Type: text/csv}. The header must name the model's inputs (in any order; other columns are allowed);
 * the answer is {@code text/csv} with the {@code ?keep=} columns copied through, then {@code prediction}, then
 * {@code p_<class>} per class. Each row's numbers are those of the JSON answer for the same row (one scoring path,
 * {@link PredictionService.Scorer}).
 *
 * <p>The answer is written to a temporary file while the request is read, and sent once every row is scored: a bad
 * row anywhere is a 422 naming its line, never a half-sent answer, and memory stays bounded by one row. The body is
 * bounded by {@code bnserve.limits.max-upload-bytes}, not {@code max-instances}.
 */
@Component
class CsvScoring {
    static final String TEXT_CSV = "text/csv";
    private static final int MAX_FIELD_CHARS = 1 << 20;

    private final PredictionService predictions;

    CsvScoring(PredictionService predictions, BnserveProperties properties) {
        this.predictions = predictions;
    }

    void score(String id, String keep, HttpServletRequest request, HttpServletResponse response) throws IOException {
        PredictionService.Scorer scorer = predictions.scorer(id);
        Path out = Files.createTempFile("bnserve-score", ".csv");
        try {
            try (Reader in = new InputStreamReader(request.getInputStream(), StandardCharsets.UTF_8);
                    BufferedWriter w = Files.newBufferedWriter(out, StandardCharsets.UTF_8)) {
                score(scorer, keep, CsvRows.open(in, MAX_FIELD_CHARS), w);
            }
            response.setStatus(200);
            response.setContentType(TEXT_CSV + ";charset=UTF-8");
            response.setContentLengthLong(Files.size(out));
            try (OutputStream o = response.getOutputStream()) {
                Files.copy(out, o);
            }
        } finally {
            Files.deleteIfExists(out);
        }
    }

    private static void score(PredictionService.Scorer scorer, String keep, CsvRows rows, BufferedWriter w)
            throws IOException {
        List<String> header = rows.header();
        Map<String, Integer> column = new HashMap<>();
        for (int c = 0; c < header.size(); c++) column.putIfAbsent(header.get(c), c);
        List<String> inputs = scorer.inputs();
        int d = inputs.size();
        int[] from = new int[d];
        boolean[] numeric = new boolean[d];
        List<Violation> lacking = new ArrayList<>();
        for (int i = 0; i < d; i++) {
            Integer c = column.get(inputs.get(i));
            if (c == null) lacking.add(Violation.cell(1, inputs.get(i), "the model's input is not a column"));
            else from[i] = c;
            numeric[i] = scorer.inputType(i).equals("numeric");
        }
        if (!lacking.isEmpty()) {
            throw PredictionService.invalid(
                    "The CSV lacks " + lacking.size() + " of the model's inputs " + inputs + ": "
                            + lacking.stream().map(Violation::column).toList() + ".",
                    lacking);
        }
        List<Integer> kept = new ArrayList<>();
        if (keep != null && !keep.isBlank()) {
            for (String k : keep.split(",")) {
                Integer c = column.get(k.strip());
                if (c == null) {
                    throw Problem.malformed(
                            "'keep' names a column the CSV does not have: '" + Problem.shown(k.strip()) + "'.",
                            Violation.field("keep", "unknown column '" + Problem.shown(k.strip()) + "'"));
                }
                kept.add(c);
            }
        }
        boolean classify = scorer.task() == Task.CLASSIFICATION;
        for (int c : kept) {
            w.write(escape(header.get(c)));
            w.write(',');
        }
        w.write("prediction");
        if (classify) {
            for (String cls : scorer.classes()) {
                w.write(',');
                w.write(escape("p_" + cls));
            }
        }
        w.write('\n');
        // Rows are read here and scored on another thread, a block at a time, so reading the text and the
        // arithmetic overlap; problems are raised in row order whichever side meets them.
        BlockingQueue<Block> queue = new ArrayBlockingQueue<>(4);
        Future<Problem> scoring = SCORERS.submit(() -> scoreBlocks(scorer, queue, w));
        try {
            reading:
            while (true) {
                Block block = new Block(d, kept.size());
                while (block.m < BLOCK_ROWS) {
                    int line;
                    try {
                        if (!rows.next()) {
                            block.last = true;
                            break;
                        }
                        line = rows.line();
                        double[] values = new double[d];
                        String[] texts = null;
                        for (int i = 0; i < d; i++) {
                            String cell = rows.field(from[i]);
                            if (CsvRows.isMissing(cell)) {
                                values[i] = Double.NaN;
                            } else if (numeric[i]) {
                                values[i] = number(cell, line, inputs.get(i));
                            } else {
                                if (texts == null) texts = new String[d];
                                texts[i] = cell;
                                values[i] = Double.NaN;
                            }
                        }
                        block.rows[block.m] = new PredictRequest.Row(line, null, values, texts);
                    } catch (Problem p) {
                        block.pending = p;
                        block.last = true;
                        break;
                    }
                    String[] keptCells = block.kept[block.m];
                    for (int j = 0; j < keptCells.length; j++) keptCells[j] = rows.field(kept.get(j));
                    block.lines[block.m++] = line;
                }
                while (!queue.offer(block, 50, TimeUnit.MILLISECONDS)) {
                    if (scoring.isDone()) break reading; // it stopped at a problem in an earlier row
                }
                if (block.last) break;
            }
            Problem problem = scoring.get();
            if (problem != null) throw problem;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while scoring", e);
        } catch (ExecutionException e) {
            Throwable cause = e.getCause();
            if (cause instanceof IOException io) throw io;
            if (cause instanceof RuntimeException r) throw r;
            throw new IOException(cause);
        } finally {
            if (!scoring.isDone()) {
                queue.clear();
                queue.offer(Block.STOP);
            }
        }
    }

    /** Rows read before they are scored together. */
    static final int BLOCK_ROWS = 1024;

    private static final ExecutorService SCORERS = Executors.newCachedThreadPool(r -> {
        Thread t = new Thread(r, "bnserve-score");
        t.setDaemon(true);
        return t;
    });

    /** Rows read from the CSV, with the cells {@code keep} copies and each row's line; the reader's problem last. */
    private static final class Block {
        static final Block STOP = new Block(0, 0);
        final PredictRequest.Row[] rows;
        final String[][] kept;
        final int[] lines;
        int m;
        Problem pending;
        boolean last;

        Block(int d, int keep) {
            rows = new PredictRequest.Row[d == 0 ? 0 : BLOCK_ROWS];
            kept = new String[d == 0 ? 0 : BLOCK_ROWS][keep];
            lines = new int[d == 0 ? 0 : BLOCK_ROWS];
            last = d == 0;
        }
    }

    /** Scores and writes blocks until the last; returns the first problem in row order, else null. */
    private static Problem scoreBlocks(PredictionService.Scorer scorer, BlockingQueue<Block> queue, Writer w)
            throws IOException, InterruptedException {
        boolean classify = scorer.task() == Task.CLASSIFICATION;
        int k = scorer.width();
        double[] out = new double[BLOCK_ROWS * k];
        int[] best = new int[BLOCK_ROWS];
        List<String> classes =
                classify ? scorer.classes().stream().map(CsvScoring::escape).toList() : null;
        StringBuilder text = new StringBuilder(1 << 16);
        while (true) {
            Block block = queue.take();
            if (block == Block.STOP) return null;
            scorer.admit(block.m);
            int ok = block.m == 0 ? 0 : scorer.scoreBlock(block.rows, block.m, out, best);
            text.setLength(0);
            for (int r = 0; r < ok; r++) {
                for (String cell : block.kept[r]) text.append(escape(cell)).append(',');
                if (classify) {
                    text.append(classes.get(best[r]));
                    for (int j = 0; j < k; j++) text.append(',').append(NumberOutput.toString(out[r * k + j], true));
                } else {
                    text.append(NumberOutput.toString(out[r * k], true));
                }
                text.append('\n');
            }
            w.append(text);
            if (ok < block.m) {
                Problem p = scorer.failure();
                int line = block.lines[ok];
                Violation v = p.violations().isEmpty() ? null : p.violations().get(0);
                return PredictionService.invalid(
                        "Line " + line + ": " + p.detail(),
                        List.of(Violation.cell(
                                line, v == null ? null : v.field(), v == null ? p.detail() : v.message())));
            }
            if (block.last) return block.pending;
        }
    }

    private static double number(String cell, int line, String input) {
        try {
            double v = Double.parseDouble(cell.strip());
            if (Double.isFinite(v)) return v;
        } catch (NumberFormatException e) {
            // reported below
        }
        throw CsvRows.malformed(line, input, "'" + Problem.shown(cell) + "' is not a finite number");
    }

    /** A CSV field, quoted when it must be (RFC 4180). */
    static String escape(String s) {
        boolean quote = false;
        for (int i = 0; i < s.length() && !quote; i++) {
            char c = s.charAt(i);
            quote = c == ',' || c == '"' || c == '\n' || c == '\r';
        }
        return quote ? '"' + s.replace("\"", "\"\"") + '"' : s;
    }
}
