package dev.bnserve.web;

import io.swagger.v3.oas.models.OpenAPI;
import io.swagger.v3.oas.models.Operation;
import io.swagger.v3.oas.models.PathItem;
import io.swagger.v3.oas.models.examples.Example;
import io.swagger.v3.oas.models.media.BinarySchema;
import io.swagger.v3.oas.models.media.Content;
import io.swagger.v3.oas.models.media.MediaType;
import io.swagger.v3.oas.models.media.ObjectSchema;
import io.swagger.v3.oas.models.media.Schema;
import io.swagger.v3.oas.models.media.StringSchema;
import io.swagger.v3.oas.models.parameters.Parameter;
import io.swagger.v3.oas.models.parameters.RequestBody;
import io.swagger.v3.oas.models.responses.ApiResponse;
import io.swagger.v3.oas.models.responses.ApiResponses;
import io.swagger.v3.oas.models.security.SecurityRequirement;
import io.swagger.v3.oas.models.tags.Tag;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The operations of the OpenAPI document: what springdoc finds in the controllers (paths, path and query parameters)
 * completed with what it cannot see, because the bodies are read and written by hand (the prediction fast path, the
 * streamed uploads and model documents): operation ids, summaries, request bodies and every real status code and
 * media type, with the schemas of {@link ApiSchemas}. Each operation is described once, in {@link #operations()}; an
 * operation springdoc finds that is not described here keeps no summary, which the Redocly lint in CI refuses.
 */
final class ApiOperations {
    private ApiOperations() {}

    static final String JSON = "application/json";
    static final String PROBLEM = "application/problem+json";
    static final String CSV = "text/csv";

    /** Who may call an operation when an API key is configured. */
    enum Access {
        /** Open to everyone (reads). */
        OPEN,
        /** Open unless {@code bnserve.security.protect-predict} (prediction). */
        PREDICTION,
        /** Needs the key whenever one is set (everything that changes state). */
        KEY
    }

    /** One operation as documented. */
    static final class Op {
        final String method;
        final String path;
        final String id;
        final String tag;
        final String summary;
        String description;
        Access access = Access.OPEN;
        RequestBody body;
        final Map<String, ApiResponse> responses = new LinkedHashMap<>();
        final Map<String, String> parameters = new LinkedHashMap<>();
        int[] errors = {};

        Op(String method, String path, String id, String tag, String summary) {
            this.method = method;
            this.path = path;
            this.id = id;
            this.tag = tag;
            this.summary = summary;
        }

        Op describe(String d) {
            description = d;
            return this;
        }

        Op access(Access a) {
            access = a;
            return this;
        }

        Op body(String media, Schema<?> schema) {
            if (body == null) body = new RequestBody().required(true).content(new Content());
            body.getContent().addMediaType(media, new MediaType().schema(schema));
            return this;
        }

        /** Named examples of the request body in {@code media}. */
        Op examples(String media, Map<String, Object> values) {
            MediaType m = body.getContent().get(media);
            values.forEach((name, value) -> m.addExamples(name, new Example().value(value)));
            return this;
        }

        Op ok(int status, String description, String media, Schema<?> schema) {
            ApiResponse r = responses.computeIfAbsent(
                    Integer.toString(status), k -> new ApiResponse().description(description));
            if (media != null) {
                if (r.getContent() == null) r.content(new Content());
                r.getContent().addMediaType(media, new MediaType().schema(schema));
            }
            return this;
        }

        Op header(int status, String name, String description) {
            responses
                    .get(Integer.toString(status))
                    .addHeaderObject(
                            name,
                            new io.swagger.v3.oas.models.headers.Header()
                                    .description(description)
                                    .schema(new StringSchema()));
            return this;
        }

        Op param(String name, String description) {
            parameters.put(name, description);
            return this;
        }

        Op errors(int... codes) {
            errors = codes;
            return this;
        }

        String key() {
            return method + " " + path;
        }
    }

    /** One row by name, one in inputs order, and a batch of both, for the iris walkthrough's model. */
    private static Map<String, Object> predictExamples(boolean withModel) {
        Map<String, Object> row = new LinkedHashMap<>();
        row.put("sepal_length", 5.1);
        row.put("sepal_width", 3.5);
        row.put("petal_length", 1.4);
        row.put("petal_width", 0.2);
        Map<String, Object> examples = new LinkedHashMap<>();
        examples.put("byName", body(withModel, "features", row));
        examples.put("inOrder", body(withModel, "features", List.of(5.1, 3.5, 1.4, 0.2)));
        examples.put("batch", body(withModel, "instances", List.of(List.of(5.1, 3.5, 1.4, 0.2), row)));
        return examples;
    }

    private static Map<String, Object> body(boolean withModel, String field, Object value) {
        Map<String, Object> b = new LinkedHashMap<>();
        if (withModel) b.put("model", "iris@production");
        b.put(field, value);
        return b;
    }

    private static Schema<?> ref(String name) {
        return ApiSchemas.ref(name);
    }

    private static Schema<?> list(String name) {
        return new io.swagger.v3.oas.models.media.ArraySchema().items(ref(name));
    }

    /** The tags, each as {description, name}. */
    private static final String[][] TAGS = {
        {"Upload CSV data and inspect its columns.", "datasets"},
        {"Train models as background jobs, inspect, export, import and recalibrate them.", "models"},
        {"Predict with a ready model: JSON rows, CSV files, traces, encoded rows.", "prediction"},
        {"Point aliases of named models (name@alias) at versions.", "aliases"},
        {"The Open Inference Protocol (KServe v2) over REST.", "open-inference"},
        {"Problem type documentation and the service's own health.", "service"}
    };

    /** Every documented operation. */
    static List<Op> operations() {
        List<Op> ops = new ArrayList<>();
        String modelRef = "Model id or reference: name (its newest ready version), name@3, name@alias.";
        // datasets
        ops.add(new Op("post", "/datasets", "uploadDataset", "datasets", "Upload a CSV dataset")
                .describe("The body is the CSV itself (text/csv, or text/tab-separated-values for tabs) or"
                        + " multipart/form-data with the file in part file. The first line is the header. Parsed"
                        + " while streaming, against bnserve.limits.max-upload-bytes.")
                .access(Access.KEY)
                .body(CSV, new StringSchema().description("The CSV file, header first."))
                .body("text/tab-separated-values", new StringSchema())
                .body(
                        "multipart/form-data",
                        new ObjectSchema()
                                .addProperty("file", new BinarySchema().description("The CSV file."))
                                .required(List.of("file")))
                .ok(201, "Stored", JSON, ref("Dataset"))
                .header(201, "Location", "/datasets/{id}")
                .param("name", "The dataset's name (default: the file's base name, else dataset).")
                .param("delimiter", "One of , ; | or tab (default: detected from the header).")
                .param("na", "Comma-separated tokens that mean missing (default: NA, N/A, NaN, null, None).")
                .errors(400, 401, 413, 415, 422));
        ops.add(new Op("get", "/datasets", "listDatasets", "datasets", "List datasets")
                .ok(200, "Their summaries, newest first", JSON, list("Dataset"))
                .errors(406));
        ops.add(new Op("get", "/datasets/{id}", "getDataset", "datasets", "Get a dataset")
                .ok(200, "The dataset with its column summaries", JSON, ref("Dataset"))
                .param("id", "Dataset id or name.")
                .errors(404, 406, 409));
        ops.add(new Op("delete", "/datasets/{id}", "deleteDataset", "datasets", "Delete a dataset")
                .access(Access.KEY)
                .ok(204, "Deleted", null, null)
                .param("id", "Dataset id or name.")
                .errors(401, 404, 409));
        // models
        ops.add(new Op("post", "/models", "trainModel", "models", "Train a model")
                .describe("Queues a training job and answers at once; poll GET /models/{id} (or stream"
                        + " /models/{id}/events) until status is ready.")
                .access(Access.KEY)
                .body(JSON, ref("TrainingRequest"))
                .ok(202, "Queued", JSON, ref("Model"))
                .header(202, "Location", "/models/{id}")
                .errors(400, 401, 409, 413, 415, 422, 429));
        ops.add(new Op("get", "/models", "listModels", "models", "List models")
                .ok(
                        200,
                        "Their summaries (no request, history, preprocessing or layers), newest first",
                        JSON,
                        list("Model"))
                .param("name", "Only the versions of this name.")
                .errors(406, 422));
        ops.add(new Op("get", "/models/{id}", "getModel", "models", "Get a model")
                .ok(200, "The full model resource", JSON, ref("Model"))
                .param("id", modelRef)
                .errors(404, 406, 503));
        ops.add(new Op("delete", "/models/{id}", "deleteModel", "models", "Cancel a job or delete a model")
                .describe("A queued or running job is cancelled (the model stays, cancelled); a finished model is"
                        + " removed, unless an alias points to it (409).")
                .access(Access.KEY)
                .ok(204, "Cancelled or deleted", null, null)
                .param("id", modelRef)
                .errors(401, 404, 409));
        ops.add(new Op("get", "/models/{ref}/events", "modelEvents", "models", "Stream training progress")
                .describe("Server-sent events: progress events while training (each with the epochs new since the last"
                        + " one), then one status event with the final summary. Beyond"
                        + " bnserve.events.max-subscribers open streams, a 429.")
                .ok(200, "An event stream", "text/event-stream", new StringSchema())
                .param("ref", modelRef)
                .errors(404, 429));
        ops.add(new Op("get", "/models/{id}/export", "exportModel", "models", "Export a model")
                .ok(200, "The model document (format=json) or the ONNX model (format=onnx)", JSON, ref("Model"))
                .ok(200, null, "application/octet-stream", new BinarySchema())
                .param("id", modelRef)
                .param("format", "json (the default) or onnx.")
                .param("fold", "With format=onnx: true for the folded, Gemm-only graph.")
                .errors(404, 406, 409, 422, 503));
        ops.add(new Op("get", "/models/{id}/onnx", "exportOnnx", "models", "Export a model as ONNX")
                .describe("The same bytes as /models/{id}/export?format=onnx, as an operation of its own so that a"
                        + " generated client receives them as a file: opset 15 or later, tensor(double), input"
                        + " [N, encodedInputs.length], output probabilities [N, classes] or prediction [N, 1].")
                .ok(200, "The ONNX model", "application/octet-stream", new BinarySchema())
                .param("id", modelRef)
                .param("fold", "true for the folded, Gemm-only graph.")
                .errors(404, 406, 409, 422, 503));
        ops.add(new Op("post", "/models/import", "importModel", "models", "Import an exported model")
                .describe("Serves an exported model document (from this or another instance) under a new id; a"
                        + " named document becomes the next version of its name.")
                .access(Access.KEY)
                .body(JSON, ref("Model"))
                .ok(201, "Imported", JSON, ref("Model"))
                .header(201, "Location", "/models/{id}")
                .errors(400, 401, 413, 415, 422));
        ops.add(new Op(
                        "get",
                        "/models/{id}/statistics",
                        "modelStatistics",
                        "models",
                        "Compare stored and population BatchNorm statistics")
                .ok(200, "Per BatchNorm layer, both statistics and their drift", JSON, ref("Report"))
                .param("id", modelRef)
                .param("dataset", "Measure on every row of this dataset (default: the training split).")
                .errors(404, 406, 409, 422));
        ops.add(new Op(
                        "post",
                        "/models/{id}/recalibrate",
                        "recalibrateModel",
                        "models",
                        "Derive a model with population statistics")
                .access(Access.KEY)
                .body(JSON, ref("RecalibrateRequest"))
                .ok(201, "The new model (same weights, recalibrated statistics)", JSON, ref("Model"))
                .header(201, "Location", "/models/{id}")
                .param("id", modelRef)
                .errors(400, 401, 404, 409, 415, 422));
        // prediction
        ops.add(new Op("post", "/models/{id}/predict", "predict", "prediction", "Predict with a model")
                .describe("JSON: one row (features) or many (instances). CSV: a file whose header names the"
                        + " model's inputs (any order, extra columns allowed) is answered as CSV: the keep columns,"
                        + " prediction, then p_<class> per class. Both stream; a bad row is a 422 naming its line.")
                .access(Access.PREDICTION)
                .body(JSON, ref("PredictRequest"))
                .examples(JSON, predictExamples(false))
                .body(CSV, new StringSchema().description("Rows to score, header first."))
                .ok(200, "The predictions", JSON, ref("Prediction"))
                .ok(200, null, CSV, new StringSchema().description("keep columns, prediction, p_<class>..."))
                .param("id", modelRef)
                .param("keep", "CSV only: comma-separated input columns to copy into the answer.")
                .errors(400, 401, 404, 409, 413, 415, 422, 503));
        ops.add(new Op("post", "/predict", "predictDefault", "prediction", "Predict with the model named in the body")
                .describe("The model is the body's model; without one, the most recently finished ready model"
                        + " answers and the answer carries a warning.")
                .access(Access.PREDICTION)
                .body(JSON, ref("PredictRequest"))
                .examples(JSON, predictExamples(true))
                .ok(200, "The predictions", JSON, ref("Prediction"))
                .errors(400, 401, 404, 409, 413, 415, 422, 503));
        ops.add(new Op("post", "/models/{id}/trace", "traceRow", "prediction", "Trace one row through the network")
                .access(Access.PREDICTION)
                .body(JSON, ref("PredictRequest"))
                .ok(200, "The prediction and every layer's output", JSON, ref("Trace"))
                .param("id", modelRef)
                .errors(400, 401, 404, 409, 413, 415, 422));
        ops.add(new Op("post", "/models/{id}/encode", "encodeRow", "prediction", "Encode one row as the network input")
                .access(Access.KEY)
                .body(JSON, ref("PredictRequest"))
                .ok(200, "The encoded row (the ONNX export's input)", JSON, ref("Encoded"))
                .param("id", modelRef)
                .errors(400, 401, 404, 409, 413, 415, 422));
        // aliases
        ops.add(new Op("put", "/aliases/{name}/{alias}", "putAlias", "aliases", "Point an alias")
                .describe("Atomically: a prediction in flight sees the old or the new model, never neither.")
                .access(Access.KEY)
                .body(JSON, ref("AliasTarget"))
                .ok(200, "The alias as it now points", JSON, ref("Alias"))
                .param("name", "The model name.")
                .param("alias", "The alias, e.g. production.")
                .errors(400, 401, 404, 409, 415, 422));
        ops.add(new Op("get", "/aliases/{name}/{alias}", "getAlias", "aliases", "Get an alias")
                .ok(200, "The model it points to", JSON, ref("Alias"))
                .param("name", "The model name.")
                .param("alias", "The alias.")
                .errors(404, 406, 422));
        ops.add(new Op("delete", "/aliases/{name}/{alias}", "deleteAlias", "aliases", "Remove an alias")
                .access(Access.KEY)
                .ok(204, "Removed", null, null)
                .param("name", "The model name.")
                .param("alias", "The alias.")
                .errors(401, 404, 422));
        ops.add(new Op("get", "/aliases/{name}", "listAliases", "aliases", "List the aliases of a name")
                .ok(200, "Alias to model", JSON, ref("Aliases"))
                .param("name", "The model name.")
                .errors(406, 422));
        // Open Inference Protocol
        String v2 = "open-inference";
        ops.add(new Op("get", "/v2", "serverMetadata", v2, "Server metadata")
                .ok(200, "Name, version, extensions", JSON, ref("InferenceServerMetadata"))
                .errors(406));
        ops.add(new Op("get", "/v2/health/live", "serverLive", v2, "Server liveness")
                .ok(200, "Live (no body)", null, null));
        ops.add(new Op("get", "/v2/health/ready", "serverReady", v2, "Server readiness")
                .ok(200, "Accepting traffic (no body)", null, null)
                .ok(503, "Not accepting traffic", null, null));
        for (boolean versioned : new boolean[] {false, true}) {
            String base = versioned ? "/v2/models/{ref}/versions/{version}" : "/v2/models/{ref}";
            String suffix = versioned ? "Version" : "";
            String which = versioned ? " (a version)" : "";
            ops.add(new Op("get", base, "modelMetadata" + suffix, v2, "Model metadata" + which)
                    .ok(200, "Inputs and outputs with datatype and shape", JSON, ref("InferenceModelMetadata"))
                    .param("ref", modelRef)
                    .param("version", "The version of a named model.")
                    .errors(404));
            ops.add(new Op("get", base + "/ready", "modelReady" + suffix, v2, "Model readiness" + which)
                    .ok(200, "Ready (no body)", null, null)
                    .param("ref", modelRef)
                    .param("version", "The version of a named model.")
                    .errors(404, 409));
            ops.add(new Op("post", base + "/infer", "infer" + suffix, v2, "Inference" + which)
                    .access(Access.PREDICTION)
                    .body(JSON, ref("InferenceRequest"))
                    .ok(200, "The output tensors", JSON, ref("InferenceResponse"))
                    .param("ref", modelRef)
                    .param("version", "The version of a named model.")
                    .errors(400, 401, 404, 409, 413, 503));
        }
        // service
        ops.add(new Op("get", "/problems/{slug}", "describeProblem", "service", "What a problem type means")
                .ok(200, "The description", "text/plain", new StringSchema())
                .param("slug", "The last segment of a problem's type.")
                .errors(404));
        ops.add(new Op("get", "/ping", "ping", "service", "A constant answer")
                .ok(200, "Always the same", JSON, ref("Pong"))
                .errors(406));
        return ops;
    }

    /** Fills in the document springdoc built from the controllers. */
    static void customize(OpenAPI api) {
        api.getComponents().getSchemas().putAll(ApiSchemas.all());
        for (String[] t : TAGS) api.addTagsItem(new Tag().name(t[1]).description(t[0]));

        // springdoc's copies of paths mapped twice: /v2/ beside /v2
        api.getPaths().remove("/v2/");
        for (Op op : operations()) {
            PathItem item = api.getPaths().get(op.path);
            Operation o = item == null ? null : operation(item, op.method);
            if (o == null) {
                throw new IllegalStateException("documented operation " + op.key() + " is not mapped");
            }
            o.operationId(op.id).summary(op.summary).description(op.description).tags(List.of(op.tag));
            o.requestBody(op.body);
            ApiResponses responses = new ApiResponses();
            op.responses.forEach(responses::addApiResponse);
            String prefix = op.path.startsWith("/v2") ? "InferenceError" : "Problem";
            int[] codes = op.errors;
            if (op.access == Access.KEY) { // a write the store cannot take: read-only or unreachable, or full
                codes = java.util.Arrays.copyOf(codes, codes.length + 2);
                codes[codes.length - 2] = 503;
                codes[codes.length - 1] = 507;
            }
            for (int code : codes) {
                if (code == 401 && op.access == Access.OPEN) continue;
                api.getComponents().addResponses(prefix + code, error(prefix, code));
                responses.addApiResponse(
                        Integer.toString(code), new ApiResponse().$ref("#/components/responses/" + prefix + code));
            }
            o.responses(responses);
            if (o.getParameters() != null) {
                for (Parameter p : o.getParameters()) {
                    String d = op.parameters.get(p.getName());
                    if (d != null) p.description(d);
                }
            }
            switch (op.access) {
                case OPEN -> o.security(List.of());
                case PREDICTION ->
                    o.security(List.of(
                            new SecurityRequirement(), new SecurityRequirement().addList(OpenApiConfiguration.BEARER)));
                case KEY -> o.security(null);
            }
        }
        pruneUnusedSchemas(api);
    }

    private static final Pattern SCHEMA_REF = Pattern.compile("#/components/schemas/([A-Za-z0-9._-]+)");

    /** Drops the schemas springdoc inferred from handler signatures that no documented operation uses. */
    private static void pruneUnusedSchemas(OpenAPI api) {
        Map<String, Schema> schemas = api.getComponents().getSchemas();
        Set<String> used = new HashSet<>();
        List<String> pending = new ArrayList<>(refs(api.getPaths()));
        pending.addAll(refs(api.getComponents().getResponses()));
        while (!pending.isEmpty()) {
            String name = pending.remove(pending.size() - 1);
            if (used.add(name) && schemas.containsKey(name)) pending.addAll(refs(schemas.get(name)));
        }
        schemas.keySet().retainAll(used);
    }

    private static Set<String> refs(Object part) {
        String text;
        try {
            text = io.swagger.v3.core.util.Json.mapper().writeValueAsString(part);
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
        Set<String> names = new HashSet<>();
        Matcher m = SCHEMA_REF.matcher(text);
        while (m.find()) names.add(m.group(1));
        return names;
    }

    /** A shared error answer: a problem, or on the protocol's paths its {@code {"error"}}. */
    private static ApiResponse error(String prefix, int code) {
        boolean problem = prefix.equals("Problem");
        return new ApiResponse()
                .description(ProblemWriter.phrase(code)
                        + (problem
                                ? (code == 503
                                        ? " (the store takes no writes: a read-only data dir or an unreachable"
                                                + " PostgreSQL database; or heap-shortage: not enough memory now for"
                                                + " the request, bnserve.limits.heap-budget; nothing was changed,"
                                                + " retry after Retry-After)"
                                        : code == 507
                                                ? " (storage-full: the data dir is full, or the write would"
                                                        + " take the stored datasets and models past the storage"
                                                        + " quota bnserve.limits.max-storage; nothing was changed)"
                                                : " (a problem naming the field, row or limit)")
                                : " (the protocol's error shape)"))
                .content(new Content()
                        .addMediaType(
                                problem ? PROBLEM : JSON,
                                new MediaType().schema(ref(problem ? "Problem" : "InferenceError"))));
    }

    private static Operation operation(PathItem item, String method) {
        return switch (method) {
            case "get" -> item.getGet();
            case "post" -> item.getPost();
            case "put" -> item.getPut();
            case "delete" -> item.getDelete();
            default -> null;
        };
    }
}
