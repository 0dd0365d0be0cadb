package dev.bnserve.web;

import dev.bnserve.predict.PredictionService;
import org.springframework.http.MediaType;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RestController;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

/** Stateless prediction: {@code POST /models/{id}/predict}, and {@code POST /predict} (body {@code model}, default the latest ready). */
@RestController
class PredictController {
    private final PredictionService predictions;

    PredictController(PredictionService predictions) {
        this.predictions = predictions;
    }

    @PostMapping(path = "/models/{id}/predict", consumes = MediaType.APPLICATION_JSON_VALUE)
    ObjectNode predict(@PathVariable String id, @RequestBody JsonNode body) {
        return predictions.predict(id, body);
    }

    @PostMapping(path = "/predict", consumes = MediaType.APPLICATION_JSON_VALUE)
    ObjectNode predictDefault(@RequestBody JsonNode body) {
        JsonNode model = body == null ? null : body.get("model");
        if (model != null && !model.isNull() && !model.isString()) {
            throw ApiException.badRequest("'model' must be a model id string.", FieldError.ofField("model", "must be a string"));
        }
        if (model != null && model.isString() && body instanceof ObjectNode o) {
            o.remove("model");
            return predictions.predict(model.stringValue(), o);
        }
        return predictions.predict(null, body);
    }
}
