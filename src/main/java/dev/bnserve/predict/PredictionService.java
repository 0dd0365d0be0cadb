package dev.bnserve.predict;

import dev.bnserve.model.ModelProblems;
import dev.bnserve.model.ModelRecord;
import dev.bnserve.model.ModelStatus;
import dev.bnserve.model.ModelStore;
import dev.bnserve.model.Task;
import dev.bnserve.problem.Problem;
import dev.bnserve.problem.Violation;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.springframework.stereotype.Service;

/**
 * Stateless prediction from stored running statistics. Each ready model is compiled into a {@link ServingModel} once
 * (when it becomes ready, is loaded or imported); a request only places its rows and runs the plan, so a row's
 * answer does not depend on anything else in the request.
 */
@Service
public class PredictionService {
    private final ModelStore store;
    private final Map<String, ServingModel> serving = new ConcurrentHashMap<>();
    /** The most recently finished ready model, kept current on every save and delete. */
    private volatile ServingModel latest;

    PredictionService(ModelStore store) {
        this.store = store;
        store.onSaved(this::onSaved);
        store.onDeleted(this::onDeleted);
    }

    private synchronized void onSaved(ModelRecord m) {
        if (m.status() == ModelStatus.READY && m.layers() != null) {
            ServingModel compiled = ServingModel.of(m);
            serving.put(m.id(), compiled);
            if (latest == null || newer(compiled, latest)) latest = compiled;
        } else if (serving.remove(m.id()) != null
                && latest != null
                && latest.id().equals(m.id())) {
            latest = newest();
        }
    }

    private synchronized void onDeleted(String id) {
        serving.remove(id);
        if (latest != null && latest.id().equals(id)) latest = newest();
    }

    private static final Comparator<ServingModel> RECENCY =
            Comparator.comparing(ServingModel::finished).thenComparing(ServingModel::id);

    private static boolean newer(ServingModel a, ServingModel b) {
        return RECENCY.compare(a, b) >= 0;
    }

    private ServingModel newest() {
        return serving.values().stream().max(RECENCY).orElse(null);
    }

    /**
     * Answers {@code request} with model {@code id}, else the request's model, else the most recently finished ready
     * model.
     */
    public Predictions predict(String id, PredictRequest request) {
        String chosen = id != null ? id : request.model();
        ServingModel model = chosen != null ? model(chosen) : latest();
        int n = request.rows().size();
        double[][] rows = new double[n][];
        for (int r = 0; r < n; r++) rows[r] = row(model, request.rows().get(r));
        int k = model.plan().outputs();
        boolean classification = model.task() == Task.CLASSIFICATION;
        double[] out = new double[n * k];
        int[] best = classification ? new int[n] : null;
        double[] scratch = new double[model.plan().scratchSize()];
        for (int r = 0; r < n; r++) {
            model.plan().predict(rows[r], 0, out, r * k, scratch);
            if (classification) best[r] = softmax(out, r * k, k);
            else if (!Double.isFinite(out[r])) throw overflow();
        }
        return new Predictions(model.id(), model.task(), model.classes(), request.single(), n, k, out, best);
    }

    private ServingModel latest() {
        ServingModel m = latest;
        if (m == null) {
            throw Problem.conflict(
                    "no-model-ready", "No model ready", "No model is ready yet; train one with POST /models.");
        }
        return m;
    }

    private ServingModel model(String id) {
        ServingModel m = serving.get(id);
        if (m != null) return m;
        ModelRecord rec = store.get(id).orElseThrow(() -> ModelProblems.notFound(id));
        throw ModelProblems.notReady(rec, "predict");
    }

    /**
     * Replaces the logits at {@code y[off .. off+k)} by their softmax (shifted by the maximum, so nothing overflows)
     * and returns the index of the largest.
     */
    private static int softmax(double[] y, int off, int k) {
        double max = Double.NEGATIVE_INFINITY;
        int best = 0;
        for (int j = 0; j < k; j++) {
            if (y[off + j] > max) {
                max = y[off + j];
                best = j;
            }
        }
        if (!Double.isFinite(max)) throw overflow();
        double sum = 0;
        for (int j = 0; j < k; j++) sum += y[off + j] = Math.exp(y[off + j] - max);
        for (int j = 0; j < k; j++) y[off + j] /= sum;
        return best;
    }

    private static Problem overflow() {
        return invalid(
                "The model's output for this row is not finite; the inputs are far outside the training data.",
                List.of(Violation.field("features", "output overflowed")));
    }

    /** Places a row's values in the model's input order, checking arity or names. */
    private static double[] row(ServingModel model, PredictRequest.Row row) {
        int d = model.inputs().size();
        if (row.names() == null) {
            if (row.values().length != d) {
                throw invalid(
                        "Expected " + d + " values in the order " + model.inputs() + ", got " + row.values().length
                                + ".",
                        List.of(Violation.field(row.path(), "expected " + d + " values, got " + row.values().length)));
            }
            return row.values();
        }
        double[] x = new double[d];
        boolean[] seen = new boolean[d];
        List<Violation> errors = new ArrayList<>();
        String at = row.path();
        for (int j = 0; j < row.names().length; j++) {
            Integer i = model.index().get(row.names()[j]);
            if (i == null) {
                errors.add(Violation.field(
                        at + "." + row.names()[j], "unknown feature (the model's inputs are " + model.inputs() + ")"));
            } else if (seen[i]) {
                errors.add(Violation.field(at + "." + row.names()[j], "given twice"));
            } else {
                x[i] = row.values()[j];
                seen[i] = true;
            }
        }
        for (int i = 0; i < d; i++) {
            if (!seen[i]) errors.add(Violation.field(at + "." + model.inputs().get(i), "missing feature"));
        }
        if (!errors.isEmpty()) {
            throw invalid(
                    "The row's feature names do not match the model's inputs " + model.inputs() + ": "
                            + errors.get(0).field() + " " + errors.get(0).message() + ".",
                    errors);
        }
        return x;
    }

    /** The 422 for a prediction request. */
    public static Problem invalid(String detail, List<Violation> violations) {
        return Problem.invalid("invalid-prediction-request", "Invalid prediction request", detail, violations);
    }
}
