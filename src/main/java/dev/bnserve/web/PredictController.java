package dev.bnserve.web;

import dev.bnserve.predict.PredictionService;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RestController;

/**
 * Stateless prediction: {@code POST /models/{id}/predict}, and {@code POST /predict} (model from the body's
 * {@code model}, else the latest ready one). Bodies are read and answered as bytes in one streaming pass.
 */
@RestController
class PredictController {
    private final PredictionService predictions;

    PredictController(PredictionService predictions) {
        this.predictions = predictions;
    }

    @PostMapping(
            path = "/models/{id}/predict",
            consumes = MediaType.APPLICATION_JSON_VALUE,
            produces = MediaType.APPLICATION_JSON_VALUE)
    ResponseEntity<byte[]> predict(@PathVariable String id, @RequestBody byte[] body) {
        return json(predictions.predict(id, body));
    }

    @PostMapping(
            path = "/predict",
            consumes = MediaType.APPLICATION_JSON_VALUE,
            produces = MediaType.APPLICATION_JSON_VALUE)
    ResponseEntity<byte[]> predictDefault(@RequestBody byte[] body) {
        return json(predictions.predict(null, body));
    }

    private static ResponseEntity<byte[]> json(byte[] answer) {
        return ResponseEntity.ok().contentType(MediaType.APPLICATION_JSON).body(answer);
    }
}
