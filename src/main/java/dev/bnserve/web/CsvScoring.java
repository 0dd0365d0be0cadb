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
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.springframework.stereotype.Component;

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
        double[] out = new double[scorer.width()];
        List<String> warnings = new ArrayList<>();
        while (rows.next()) {
            int line = rows.line();
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
            int best;
            try {
                best = scorer.score(new PredictRequest.Row(line, null, values, texts), out, warnings);
            } catch (Problem p) {
                Violation v = p.violations().isEmpty() ? null : p.violations().get(0);
                throw PredictionService.invalid(
                        "Line " + line + ": " + p.detail(),
                        List.of(Violation.cell(
                                line, v == null ? null : v.field(), v == null ? p.detail() : v.message())));
            }
            warnings.clear();
            for (int c : kept) {
                w.write(escape(rows.field(c)));
                w.write(',');
            }
            if (classify) {
                w.write(escape(scorer.classes().get(best)));
                for (double p : out) {
                    w.write(',');
                    w.write(Double.toString(p));
                }
            } else {
                w.write(Double.toString(out[0]));
            }
            w.write('\n');
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
