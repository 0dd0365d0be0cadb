package dev.bnserve.web;

import dev.bnserve.problem.Problem;
import java.util.Map;
import org.springframework.http.MediaType;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.RestController;

/** The documentation a problem's {@code type} URI dereferences to (RFC 9457 §3.1.1): what it means, what to do. */
@RestController
class ProblemTypeController {
    /** Every problem type the service sends, by slug. */
    static final Map<String, String> TYPES = Map.ofEntries(
            Map.entry(
                    "storage-full",
                    "The data dir is full (no space left on device) or bnserve.limits.max-storage (the storage quota"
                            + " of the stored datasets and models) would be exceeded, so the upload, training or import"
                            + " changed nothing (507). Free space, delete datasets or models, or raise the quota."),
            Map.entry(
                    "storage-read-only",
                    "The data dir is read-only, so the write changed nothing (503, with Retry-After); reads and"
                            + " predictions still work and health reports OUT_OF_SERVICE."),
            Map.entry(
                    "heap-shortage",
                    "Not enough memory now (503, with Retry-After): live models and datasets plus the requests in"
                            + " progress leave too little of bnserve.limits.heap-budget for this one's estimate, or it"
                            + " ran short of memory anyway. Nothing was changed; retry later or send a smaller request."),
            Map.entry(
                    "no-batchnorm",
                    "The model has no BatchNorm layer, so there are no running statistics to recalibrate."),
            Map.entry(
                    "training-data-gone",
                    "The dataset the model was trained on has been deleted, so its training split cannot be measured;"
                            + " pass ?dataset= to measure on another dataset with the model's inputs."),
            Map.entry(
                    "dataset-lacks-inputs",
                    "The dataset lacks some of the model's input columns, or has them with another type; 'errors'"
                            + " names each."),
            Map.entry(
                    "invalid-csv",
                    "The uploaded file is not a CSV the service can read. 'errors' lists each problem with its line (row) and"
                            + " column; fix those and upload again."),
            Map.entry(
                    "invalid-training-request",
                    "The training request is readable but names something the dataset lacks or a value outside its range or"
                            + " a configured limit. 'errors' names each field."),
            Map.entry(
                    "invalid-prediction-request",
                    "The rows do not fit the model: wrong arity, unknown or missing feature names, or values that are not"
                            + " finite numbers. 'errors' names each place."),
            Map.entry(
                    "invalid-export-request",
                    "The export's query names an unknown format (json or onnx) or a fold value other than true or false"
                            + " (fold applies to format=onnx). 'errors' names the parameter."),
            Map.entry(
                    "invalid-model-document",
                    "The model document cannot be imported: 'errors' names the field at fault. Export a ready model with"
                            + " GET /models/{id}/export to get a valid one."),
            Map.entry(
                    "model-not-ready",
                    "The model is queued, training, failed or cancelled; only ready models predict or export. Poll"
                            + " GET /models/{id} or stream /models/{id}/events."),
            Map.entry(
                    "ambiguous-dataset-name",
                    "Several datasets share the name used as a reference, so it names none of them: the detail lists"
                            + " their ids. Refer to one by id, or delete the others."),
            Map.entry(
                    "model-aliased",
                    "An alias points to the model version being deleted: the detail names it. Move the alias"
                            + " (PUT /aliases/{name}/{alias}) or delete it first."),
            Map.entry(
                    "invalid-alias",
                    "The alias cannot be set: a name or alias that does not match its syntax (an alias starts with a"
                            + " letter), an unknown field, or a target that is not a ready version of that name."
                            + " 'errors' names the field."),
            Map.entry(
                    "invalid-model-name",
                    "GET /models?name= takes a model name: lower-case letters, digits, '.', '_' and '-', at most 64."),
            Map.entry(
                    "no-model-ready",
                    "POST /predict without a model uses the latest ready one, and there is none yet: train one with"
                            + " POST /models."));

    @GetMapping(path = ProblemWriter.TYPE_BASE + "{slug}", produces = MediaType.TEXT_PLAIN_VALUE)
    String describe(@PathVariable String slug) {
        String text = TYPES.get(slug);
        if (text == null) throw Problem.notFound("problem type", slug);
        return text + "\n";
    }
}
