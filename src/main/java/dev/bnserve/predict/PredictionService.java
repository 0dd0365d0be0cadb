package dev.bnserve.predict;

import dev.bnserve.model.ModelRecord;
import dev.bnserve.model.ModelStatus;
import dev.bnserve.model.ModelStore;
import dev.bnserve.model.Task;
import dev.bnserve.web.ApiException;
import dev.bnserve.web.FieldError;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.io.ByteArrayOutputStream;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.springframework.http.HttpStatus;
import org.springframework.stereotype.Service;
import tools.jackson.core.JsonGenerator;
import tools.jackson.databind.json.JsonMapper;

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

    PredictionService(
            ModelStore store,
            JsonMapper mapper,
            dev.bnserve.config.BnserveProperties properties,
            MeterRegistry meters) {
        this.store = store;
        this.mapper = mapper;
        this.maxInstances = properties.limits().maxInstances();
        this.timer = Timer.builder("bnserve.predict")
                .description("Prediction requests, parsing to answer")
                .register(meters);
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
        latest = serving.values().stream()
                .max(Comparator.comparing(ServingModel::finished).thenComparing(ServingModel::id))
                .orElse(null);
    }

    /** The most recently finished ready model, for {@code POST /predict} without {@code model}. */
    String latestId() {
        ServingModel m = latest;
        if (m == null)
            throw new ApiException(
                    HttpStatus.CONFLICT, "No model ready", "No model is ready yet; train one with POST /models.");
        return m.id();
    }

    /**
     * Answers a {@code {"features": …}} or {@code {"instances": […]}} body (optionally with {@code "model"})
     * with model {@code id}, else the body's model, else the latest ready one. Returns the JSON answer's bytes.
     */
    public byte[] predict(String id, byte[] body) {
        long start = System.nanoTime();
        try {
            PredictRequest req = PredictRequest.read(mapper, body, maxInstances);
            String chosen = id != null ? id : req.model() != null ? req.model() : latestId();
            ServingModel model = model(chosen);
            double[][] rows = new double[req.rows().size()][];
            for (int r = 0; r < rows.length; r++)
                rows[r] = row(model, req.rows().get(r));
            ByteArrayOutputStream bytes = new ByteArrayOutputStream(128 + 160 * rows.length);
            double[] scratch = new double[model.plan().scratchSize()];
            double[] y = new double[model.plan().outputs()];
            try (JsonGenerator g = mapper.createGenerator(bytes)) {
                g.writeStartObject();
                g.writeStringProperty("model", model.id());
                if (req.single()) {
                    answer(model, rows[0], scratch, y, g);
                } else {
                    g.writeName("predictions");
                    g.writeStartArray();
                    for (double[] x : rows) {
                        g.writeStartObject();
                        answer(model, x, scratch, y, g);
                        g.writeEndObject();
                    }
                    g.writeEndArray();
                }
                g.writeEndObject();
            }
            return bytes.toByteArray();
        } finally {
            timer.record(System.nanoTime() - start, java.util.concurrent.TimeUnit.NANOSECONDS);
        }
    }

    private ServingModel model(String id) {
        ServingModel m = serving.get(id);
        if (m != null) return m;
        ModelRecord rec = store.get(id).orElseThrow(() -> ApiException.notFound("model", id));
        throw new ApiException(
                HttpStatus.CONFLICT,
                "Model not ready",
                "Model " + id + " is " + rec.status().id() + (rec.error() != null ? " (" + rec.error() + ")" : "")
                        + "; only ready models predict.");
    }

    /** Runs the plan on one row and writes {@code prediction} (and {@code probabilities}). */
    private static void answer(ServingModel model, double[] x, double[] scratch, double[] y, JsonGenerator g) {
        int k = y.length;
        model.plan().predict(x, 0, y, 0, scratch);
        if (model.task() == Task.REGRESSION) {
            if (!Double.isFinite(y[0])) throw overflow();
            g.writeNumberProperty("prediction", y[0]);
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
        if (!Double.isFinite(max)) throw overflow();
        double sum = 0;
        for (int j = 0; j < k; j++) sum += y[j] = Math.exp(y[j] - max);
        g.writeStringProperty("prediction", model.classes().get(best));
        g.writeName("probabilities");
        g.writeStartObject();
        for (int j = 0; j < k; j++) g.writeNumberProperty(model.classes().get(j), y[j] / sum);
        g.writeEndObject();
    }

    private static ApiException overflow() {
        return unprocessable(
                "The model's output for this row is not finite; the inputs are far outside the training data.",
                FieldError.ofField("features", "output overflowed"));
    }

    /** Places a row's values in the model's input order, checking arity or names. */
    private static double[] row(ServingModel model, PredictRequest.Row row) {
        int d = model.inputs().size();
        String at = row.path();
        if (row.names() == null) {
            if (row.values().length != d) {
                throw unprocessable(
                        "Expected " + d + " values in the order " + model.inputs() + ", got " + row.values().length
                                + ".",
                        FieldError.ofField(at, "expected " + d + " values, got " + row.values().length));
            }
            return row.values();
        }
        double[] x = new double[d];
        boolean[] seen = new boolean[d];
        List<FieldError> errors = new ArrayList<>();
        for (int j = 0; j < row.names().length; j++) {
            Integer i = model.index().get(row.names()[j]);
            if (i == null) {
                errors.add(FieldError.ofField(
                        at + "." + row.names()[j], "unknown feature (the model's inputs are " + model.inputs() + ")"));
            } else if (seen[i]) {
                errors.add(FieldError.ofField(at + "." + row.names()[j], "given twice"));
            } else {
                x[i] = row.values()[j];
                seen[i] = true;
            }
        }
        for (int i = 0; i < d; i++)
            if (!seen[i])
                errors.add(FieldError.ofField(at + "." + model.inputs().get(i), "missing feature"));
        if (!errors.isEmpty()) {
            throw unprocessable(
                    "The row's feature names do not match the model's inputs " + model.inputs() + ": "
                            + errors.get(0).field() + " " + errors.get(0).message() + ".",
                    errors.toArray(FieldError[]::new));
        }
        return x;
    }

    private static ApiException unprocessable(String detail, FieldError... errors) {
        return PredictRequest.unprocessable(detail, errors);
    }
}
