package dev.bnserve.web;

import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

/**
 * Stateless prediction: {@code POST /models/{id}/predict}, and {@code POST /predict} (model from the body's
 * {@code model}, else the latest ready one). {@link PredictFastPath} answers most of these requests before they get
 * here, through the same {@link PredictionCodec}.
 */
@RestController
class PredictController {
    private final PredictionCodec codec;
    private final CsvScoring csv;

    PredictController(PredictionCodec codec, CsvScoring csv) {
        this.codec = codec;
        this.csv = csv;
    }

    /** One row through the unfolded network, every BatchNorm's statistics shown (see {@link PredictionCodec#trace}). */
    @PostMapping(
            path = "/models/{id}/trace",
            consumes = MediaType.APPLICATION_JSON_VALUE,
            produces = MediaType.APPLICATION_JSON_VALUE)
    ResponseEntity<byte[]> trace(@PathVariable String id, HttpServletRequest request) throws IOException {
        return json(codec.trace(id, PredictionCodec.body(request)));
    }

    /** One row encoded as the network's (and the ONNX export's) input (see {@link PredictionCodec#encode}). */
    @PostMapping(
            path = "/models/{id}/encode",
            consumes = MediaType.APPLICATION_JSON_VALUE,
            produces = MediaType.APPLICATION_JSON_VALUE)
    ResponseEntity<byte[]> encode(@PathVariable String id, HttpServletRequest request) throws IOException {
        return json(codec.encode(id, PredictionCodec.body(request)));
    }

    /** Scores a CSV file: {@code text/csv} in, {@code text/csv} out (see {@link CsvScoring}). */
    @PostMapping(path = "/models/{id}/predict", consumes = CsvScoring.TEXT_CSV, produces = CsvScoring.TEXT_CSV)
    void score(
            @PathVariable String id,
            @RequestParam(required = false) String keep,
            HttpServletRequest request,
            HttpServletResponse response)
            throws IOException {
        csv.score(id, keep, request, response);
    }

    @PostMapping(
            path = "/models/{id}/predict",
            consumes = MediaType.APPLICATION_JSON_VALUE,
            produces = MediaType.APPLICATION_JSON_VALUE)
    ResponseEntity<byte[]> predict(@PathVariable String id, HttpServletRequest request) throws IOException {
        return json(codec.answer(id, PredictionCodec.body(request)));
    }

    @PostMapping(
            path = "/predict",
            consumes = MediaType.APPLICATION_JSON_VALUE,
            produces = MediaType.APPLICATION_JSON_VALUE)
    ResponseEntity<byte[]> predictDefault(HttpServletRequest request) throws IOException {
        return json(codec.answer(null, PredictionCodec.body(request)));
    }

    private static ResponseEntity<byte[]> json(byte[] answer) {
        return ResponseEntity.ok().contentType(MediaType.APPLICATION_JSON).body(answer);
    }
}
