package dev.bnserve.predict;

import dev.bnserve.model.ModelRecord;
import dev.bnserve.model.ModelStatus;
import dev.bnserve.model.ModelStore;
import dev.bnserve.model.Task;
import dev.bnserve.web.ApiException;
import dev.bnserve.web.FieldError;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.springframework.http.HttpStatus;
import org.springframework.stereotype.Service;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * Stateless prediction from stored running statistics. Each ready model is compiled into a
 * {@link ServingModel} once (when it becomes ready, is loaded or imported); a request only parses
 * its rows and runs the plan, so a row's answer does not depend on anything else in the request.
 */
@Service
public class PredictionService {
    private final ModelStore store;
    private final JsonMapper mapper;
    private final Map<String, ServingModel> serving = new ConcurrentHashMap<>();
    private final int maxInstances;
    private final Timer timer;
    /** The most recently finished ready model, kept current on every save and delete. */
    private volatile ServingModel latest;

    PredictionService(ModelStore store, JsonMapper mapper, dev.bnserve.config.BnserveProperties properties, MeterRegistry meters) {
        this.store = store;
        this.mapper = mapper;
        this.maxInstances = properties.limits().maxInstances();
        this.timer = Timer.builder("bnserve.predict").description("Prediction requests, parsing to answer").register(meters);
        store.onSaved(this::onSaved);
        store.onDeleted(id -> {
            serving.remove(id);
            refreshLatest();
        });
    }

    private void onSaved(ModelRecord m) {
        if (m.status() == ModelStatus.READY && m.layers() != null) serving.put(m.id(), ServingModel.of(m));
        else serving.remove(m.id());
        refreshLatest();
    }

    private synchronized void refreshLatest() {
        latest = serving.values().stream().max(Comparator.comparing(ServingModel::finished).thenComparing(ServingModel::id)).orElse(null);
    }

    /** The most recently finished ready model, for {@code POST /predict} without {@code model}. */
    String latestId() {
        ServingModel m = latest;
        if (m == null) throw new ApiException(HttpStatus.CONFLICT, "No model ready", "No model is ready yet; train one with POST /models.");
        return m.id();
    }

    /** Answers a {@code {"features": …}} or {@code {"instances": […]}} body with model {@code id} (null: the latest). */
    public ObjectNode predict(String id, JsonNode body) {
        long start = System.nanoTime();
        try {
            ServingModel model = model(id == null ? latestId() : id);
            if (body == null || !body.isObject()) throw bad("The request body must be a JSON object with 'features' or 'instances'.", "$");
            JsonNode features = body.get("features");
            JsonNode instances = body.get("instances");
            if ((features == null) == (instances == null)) {
                throw bad("Send exactly one of 'features' (one row) or 'instances' (many rows).", features == null ? "features" : "instances");
            }
            ObjectNode out = mapper.createObjectNode();
            out.put("model", model.id());
            double[] scratch = new double[model.plan().scratchSize()];
            if (features != null) {
                double[] x = row(model, features, "features");
                answer(model, x, scratch, out);
            } else {
                if (!instances.isArray()) throw bad("'instances' must be an array of rows.", "instances");
                if (instances.isEmpty()) throw unprocessable("'instances' is empty.", FieldError.ofField("instances", "must hold at least one row"));
                if (instances.size() > maxInstances) {
                    throw new ApiException(HttpStatus.CONTENT_TOO_LARGE, "Too many instances", instances.size()
                            + " instances exceed the limit of " + maxInstances + " per request (bnserve.limits.max-instances).");
                }
                double[][] rows = new double[instances.size()][];
                for (int r = 0; r < rows.length; r++) rows[r] = row(model, instances.get(r), "instances[" + r + "]");
                ArrayNode preds = out.putArray("predictions");
                for (double[] x : rows) answer(model, x, scratch, preds.addObject());
            }
            return out;
        } finally {
            timer.record(System.nanoTime() - start, java.util.concurrent.TimeUnit.NANOSECONDS);
        }
    }

    private ServingModel model(String id) {
        ServingModel m = serving.get(id);
        if (m != null) return m;
        ModelRecord rec = store.get(id).orElseThrow(() -> ApiException.notFound("model", id.length() > 64 ? id.substring(0, 64) + "…" : id));
        throw new ApiException(HttpStatus.CONFLICT, "Model not ready", "Model " + id + " is " + rec.status().id()
                + (rec.error() != null ? " (" + rec.error() + ")" : "") + "; only ready models predict.");
    }

    /** Runs the plan on one row and writes {@code prediction} (and {@code probabilities}) into {@code out}. */
    private static void answer(ServingModel model, double[] x, double[] scratch, ObjectNode out) {
        int k = model.plan().outputs();
        double[] y = new double[k];
        model.plan().predict(x, 0, y, 0, scratch);
        if (model.task() == Task.REGRESSION) {
            if (!Double.isFinite(y[0])) throw unprocessable("The model's output for this row is not finite; the inputs are far outside the training data.", FieldError.ofField("features", "output overflowed"));
            out.put("prediction", y[0]);
            return;
        }
        double max = Double.NEGATIVE_INFINITY;
        int best = 0;
        for (int j = 0; j < k; j++) {
            if (y[j] > max) {
                max = y[j];
                best = j;
            }
        }
        if (!Double.isFinite(max)) throw unprocessable("The model's output for this row is not finite; the inputs are far outside the training data.", FieldError.ofField("features", "output overflowed"));
        double sum = 0;
        for (int j = 0; j < k; j++) sum += y[j] = Math.exp(y[j] - max);
        out.put("prediction", model.classes().get(best));
        ObjectNode p = out.putObject("probabilities");
        for (int j = 0; j < k; j++) p.put(model.classes().get(j), y[j] / sum);
    }

    /** One row, by name ({@code {"a": 1}}) or in {@code inputs} order ({@code [1, 2]}). */
    private static double[] row(ServingModel model, JsonNode node, String at) {
        int d = model.inputs().size();
        double[] x = new double[d];
        if (node.isArray()) {
            if (node.size() != d) {
                throw unprocessable("Expected " + d + " values in the order " + model.inputs() + ", got " + node.size() + ".",
                        FieldError.ofField(at, "expected " + d + " values, got " + node.size()));
            }
            for (int i = 0; i < d; i++) x[i] = value(node.get(i), at + "[" + i + "]", model.inputs().get(i));
            return x;
        }
        if (!node.isObject()) throw bad("A row must be an array of numbers or an object of feature names to numbers.", at);
        List<FieldError> errors = new ArrayList<>();
        boolean[] seen = new boolean[d];
        for (Map.Entry<String, JsonNode> e : node.properties()) {
            Integer i = model.index().get(e.getKey());
            if (i == null) {
                errors.add(FieldError.ofField(at + "." + e.getKey(), "unknown feature (the model's inputs are " + model.inputs() + ")"));
                continue;
            }
            x[i] = value(e.getValue(), at + "." + e.getKey(), e.getKey());
            seen[i] = true;
        }
        for (int i = 0; i < d; i++) if (!seen[i]) errors.add(FieldError.ofField(at + "." + model.inputs().get(i), "missing feature"));
        if (!errors.isEmpty()) {
            throw unprocessable("The row's feature names do not match the model's inputs " + model.inputs() + ": " + errors.get(0).field() + " " + errors.get(0).message() + ".", errors.toArray(FieldError[]::new));
        }
        return x;
    }

    private static double value(JsonNode v, String at, String feature) {
        if (v == null || !v.isNumber()) {
            throw unprocessable("Feature '" + feature + "' must be a number, got " + (v == null ? "nothing" : v.getNodeType().name().toLowerCase()) + ".",
                    FieldError.ofField(at, "must be a number"));
        }
        double d = v.doubleValue();
        if (!Double.isFinite(d)) throw unprocessable("Feature '" + feature + "' must be a finite number.", FieldError.ofField(at, "must be finite"));
        return d;
    }

    private static ApiException bad(String detail, String field) {
        return new ApiException(HttpStatus.BAD_REQUEST, "Bad Request", detail, List.of(FieldError.ofField(field, detail)));
    }

    private static ApiException unprocessable(String detail, FieldError... errors) {
        return new ApiException(HttpStatus.UNPROCESSABLE_CONTENT, "Invalid prediction request", detail, List.of(errors));
    }
}
