package dev.bnserve.predict;

import dev.bnserve.config.BnserveProperties;
import dev.bnserve.model.ModelCatalog;
import dev.bnserve.model.ModelProblems;
import dev.bnserve.model.ModelRecord;
import dev.bnserve.model.ModelRef;
import dev.bnserve.model.ModelStatus;
import dev.bnserve.model.Task;
import dev.bnserve.nn.InferencePlan;
import dev.bnserve.nn.Trace;
import dev.bnserve.prep.ColumnEncoding;
import dev.bnserve.prep.IsoDates;
import dev.bnserve.prep.Settings;
import dev.bnserve.problem.Problem;
import dev.bnserve.problem.Violation;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.springframework.stereotype.Service;

/**
 * Stateless prediction from stored running statistics. Each ready model is compiled into a {@link ServingModel} once
 * (when it becomes ready, is loaded or imported); a request only places its rows and runs the plan, so a row's
 * answer does not depend on anything else in the request.
 */
@Service
public class PredictionService {
    private final ModelCatalog catalog;
    private final Map<String, ServingModel> serving = new ConcurrentHashMap<>();
    /**
     * Per model name, its ready versions and where its aliases point, replaced whole on every change: a request reads
     * one entry once, so while an alias moves it sees the old target or the new one, never neither.
     */
    private final Map<String, Named> named = new ConcurrentHashMap<>();
    /** The most recently finished ready model, kept current on every save and delete. */
    private volatile ServingModel latest;

    /** Warnings about ignored names kept per row; the rest are counted in one more. */
    static final int MAX_ROW_WARNINGS = 20;

    /** {@code bnserve.limits.max-answer-values}: rows × outputs of one answer. */
    private final long maxAnswerValues;
    /** {@code bnserve.limits.max-predict-flops}: rows × the model's operations per row, of one request. */
    private final long maxPredictFlops;
    /** {@code bnserve.limits.max-scoring-flops}: rows × the model's operations per row, of one CSV scoring request. */
    private final long maxScoringFlops;

    PredictionService(ModelCatalog catalog, BnserveProperties properties) {
        this.catalog = catalog;
        this.maxAnswerValues = properties.limits().maxAnswerValues();
        this.maxPredictFlops = properties.limits().maxPredictFlops();
        this.maxScoringFlops = properties.limits().maxScoringFlops();
        catalog.names().onAliasesChanged(this::reindex);
        catalog.models().onSaved(this::onSaved);
        catalog.models().onDeleted(this::onDeleted);
    }

    /** A name's ready versions, its newest ready one, and its aliases' targets among them. */
    private record Named(ServingModel newest, Map<Integer, ServingModel> versions, Map<String, ServingModel> aliases) {}

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
        if (m.name() != null) reindex(m.name());
    }

    private synchronized void onDeleted(String id) {
        ServingModel gone = serving.remove(id);
        if (latest != null && latest.id().equals(id)) latest = newest();
        if (gone != null && gone.name() != null) reindex(gone.name());
    }

    /** Rebuilds {@code name}'s entry from the compiled models and the aliases, and publishes it in one write. */
    private synchronized void reindex(String name) {
        Map<Integer, ServingModel> versions = new HashMap<>();
        ServingModel newest = null;
        for (ServingModel s : serving.values()) {
            if (!name.equals(s.name())) continue;
            versions.put(s.version(), s);
            if (newest == null || s.version() > newest.version()) newest = s;
        }
        Map<String, ServingModel> aliases = new HashMap<>();
        catalog.names().aliases(name).forEach((alias, id) -> {
            ServingModel s = serving.get(id);
            if (s != null) aliases.put(alias, s);
        });
        if (versions.isEmpty() && aliases.isEmpty()) named.remove(name);
        else named.put(name, new Named(newest, Map.copyOf(versions), Map.copyOf(aliases)));
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
        return predict(chosen != null ? model(chosen) : latest(), request, chosen == null);
    }

    @SuppressWarnings("unchecked")
    private Predictions predict(ServingModel model, PredictRequest request, boolean implicit) {
        int n = request.rows().size();
        checkAnswerSize(model, n, request.single() ? "features" : "instances");
        double[][] rows = new double[n][];
        List<String>[] warnings = null;
        for (int r = 0; r < n; r++) {
            List<String> w = new ArrayList<>(0);
            rows[r] = row(model, request.rows().get(r), w);
            if (!w.isEmpty()) {
                if (warnings == null) warnings = new List[n];
                warnings[r] = List.copyOf(w);
            }
        }
        int k = model.plan().outputs();
        double[] out = new double[n * k];
        int[] best = model.task() == Task.CLASSIFICATION ? new int[n] : null;
        if (n == 1) {
            int b = answer(model, rows[0], out, 0, new double[model.plan().scratchSize()]);
            if (best != null) best[0] = b;
        } else {
            int w = model.plan().inputs();
            double[] x = new double[n * w];
            for (int r = 0; r < n; r++) System.arraycopy(rows[r], 0, x, r * w, w);
            answerRows(model, x, n, out, best);
        }
        String notice = implicit ? implicitModelNotice(model.id()) : null;
        return new Predictions(
                model.id(),
                model.task(),
                model.classes(),
                request.single(),
                n,
                k,
                out,
                best,
                warnings,
                notice,
                model.name(),
                model.version());
    }

    /**
     * The warning on an answer to a request that named no model: it went to whichever model finished last, so a
     * client relying on it silently switches models when another finishes.
     */
    public static String implicitModelNotice(String id) {
        return "no model was named, so the most recently finished ready model (" + id
                + ") answered; name one with \"model\" or POST /models/{id}/predict";
    }

    /** Refuses, before any work, an answer of more than max-answer-values: a many-class model could blow it up. */
    private void checkAnswerSize(ServingModel model, int n, String field) {
        int outputs = model.plan().outputs();
        if ((long) n * outputs > maxAnswerValues) {
            long rowsAllowed = Math.max(1, maxAnswerValues / outputs);
            throw Problem.tooLarge(
                    "An answer of " + n + " rows × " + outputs + " outputs exceeds " + maxAnswerValues
                            + " values (bnserve.limits.max-answer-values); send at most " + rowsAllowed
                            + " rows per request to this model.",
                    Violation.field(field, "at most " + rowsAllowed + " rows"));
        }
        long perRow = model.plan().flopsPerRow();
        if ((double) n * perRow > maxPredictFlops) {
            long rowsAllowed = Math.max(1, maxPredictFlops / perRow);
            throw Problem.tooLarge(
                    "Predicting " + n + " rows with this model takes " + ((double) n * perRow)
                            + " floating-point operations (" + perRow + " a row), more than " + maxPredictFlops
                            + " (bnserve.limits.max-predict-flops); send at most " + rowsAllowed
                            + " rows per request to this model.",
                    Violation.field(field, "at most " + rowsAllowed + " rows"));
        }
    }

    /**
     * Answers {@code columns} with model {@code id}: one value per row in each column, row {@code r} made of every
     * column's value {@code r} and predicted exactly as {@link #predict} predicts that row sent by name.
     */
    public Predictions predictColumns(String id, List<Column> columns) {
        return predict(id, Column.rows(columns));
    }

    /**
     * Answers {@code n} rows that are already the network's input ({@code x}, row-major, {@code n} × the model's
     * encoded width, e.g. {@link #encode}'s rows): they skip preprocessing and go straight into the plan, the same
     * arithmetic {@link #predict} ends in.
     */
    public Predictions predictEncoded(String id, int n, double[] x) {
        ServingModel model = model(id);
        checkAnswerSize(model, n, "input");
        int w = model.plan().inputs();
        if (n < 1 || x.length != (long) n * w) {
            throw invalid(
                    "Expected " + n + " encoded rows of " + w + " values, got " + x.length + " values.",
                    List.of(Violation.field("input", "expected " + n + " × " + w + " values")));
        }
        for (int i = 0; i < x.length; i++) {
            if (!Double.isFinite(x[i])) {
                throw invalid(
                        "Encoded value " + i + " is not a finite number.",
                        List.of(Violation.field("input[" + i + "]", "must be finite")));
            }
        }
        int k = model.plan().outputs();
        double[] out = new double[n * k];
        int[] best = model.task() == Task.CLASSIFICATION ? new int[n] : null;
        answerRows(model, x, n, out, best);
        return new Predictions(
                model.id(),
                model.task(),
                model.classes(),
                false,
                n,
                k,
                out,
                best,
                null,
                null,
                model.name(),
                model.version());
    }

    /**
     * What model {@code id} takes and gives: its raw inputs with their kinds, the encoded inputs its network takes
     * (the raw inputs themselves for a model without preprocessing), its task and classes.
     */
    public Signature signature(String id) {
        ServingModel model = model(id);
        List<Input> inputs = new ArrayList<>(model.inputs().size());
        for (int i = 0; i < model.inputs().size(); i++) {
            inputs.add(new Input(
                    model.inputs().get(i),
                    model.preprocessing() == null
                            ? ColumnEncoding.InputType.NUMERIC
                            : model.preprocessing().columns().get(i).inputType()));
        }
        List<String> encoded = model.preprocessing() == null
                ? model.inputs()
                : model.preprocessing().encodedInputs();
        return new Signature(model.id(), model.task(), List.copyOf(inputs), encoded, model.classes());
    }

    /** A ready model's interface: see {@link #signature}. {@code classes} is null for regression. */
    public record Signature(
            String model, Task task, List<Input> inputs, List<String> encodedInputs, List<String> classes) {}

    /** A raw input of a model and the kind of values it takes. */
    public record Input(String name, ColumnEncoding.InputType type) {}

    /**
     * Runs the plan on the network input at {@code x[in..)} into {@code out[off..off+k)}: the class probabilities
     * (returning the most probable class) or the prediction (returning 0). The one place an answer is computed.
     */
    private static int answer(ServingModel model, double[] x, double[] out, int off, double[] scratch) {
        return answer(model, x, 0, out, off, scratch);
    }

    /**
     * {@code n} network inputs ({@code x}, row-major) through the plan in blocks of rows ({@link
     * InferencePlan#predictRows}: each row the bits it gets alone), then each row finished as {@link #answer} finishes
     * it, in row order. From {@link #PARALLEL_ROWS} rows on, the rows are split between this thread and another.
     */
    static void answerRows(ServingModel model, double[] x, int n, double[] out, int[] best) {
        predictRows(model.plan(), x, n, out);
        int k = model.plan().outputs();
        for (int r = 0; r < n; r++) {
            int b = finish(model, out, r * k);
            if (best != null) best[r] = b;
        }
    }

    /** {@link InferencePlan#predictRows} over {@code n} rows, split with a second thread from {@link #PARALLEL_ROWS}. */
    private static void predictRows(InferencePlan plan, double[] x, int n, double[] out) {
        if (n >= PARALLEL_ROWS && HELPERS > 0) {
            int half = (n / 2 + InferencePlan.BLOCK - 1) / InferencePlan.BLOCK * InferencePlan.BLOCK;
            Future<?> other = POOL.submit(() -> plan.predictRows(
                    x,
                    half * plan.inputs(),
                    n - half,
                    out,
                    half * plan.outputs(),
                    new double[plan.blockScratchSize()]));
            plan.predictRows(x, 0, half, out, 0, new double[plan.blockScratchSize()]);
            try {
                other.get();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted while predicting", e);
            } catch (ExecutionException e) {
                throw e.getCause() instanceof RuntimeException r ? r : new IllegalStateException(e.getCause());
            }
        } else {
            plan.predictRows(x, 0, n, out, 0, new double[plan.blockScratchSize()]);
        }
    }

    /** Rows from which {@link #answerRows} uses a second thread. */
    static final int PARALLEL_ROWS = 512;

    private static final int HELPERS = Math.min(1, Runtime.getRuntime().availableProcessors() - 1);
    private static final ExecutorService POOL = Executors.newFixedThreadPool(Math.max(1, HELPERS), r -> {
        Thread t = new Thread(r, "bnserve-predict");
        t.setDaemon(true);
        return t;
    });

    /** The softmax (returning the most probable class) or the finite check of one row's raw outputs. */
    private static int finish(ServingModel model, double[] out, int off) {
        int k = model.plan().outputs();
        if (model.task() == Task.CLASSIFICATION) return softmax(out, off, k);
        if (!Double.isFinite(out[off])) throw overflow();
        return 0;
    }

    private static int answer(ServingModel model, double[] x, int in, double[] out, int off, double[] scratch) {
        model.plan().predict(x, in, out, off, scratch);
        return finish(model, out, off);
    }

    /**
     * One row through model {@code id}'s unfolded network: the answer as {@link #predict} gives it, the encoded row
     * (null for a model without preprocessing, whose row is the network's input) and every layer's step. Tracing
     * reads the stored layers and changes nothing.
     */
    public Traced trace(String id, PredictRequest request) {
        if (!request.single()) {
            throw invalid(
                    "A trace follows one row: send it as 'features'.",
                    List.of(Violation.field("instances", "trace one row at a time")));
        }
        ServingModel model = model(id);
        List<String> warnings = new ArrayList<>(0);
        double[] x = row(model, request.rows().get(0), warnings);
        Predictions answer = predict(model, request, false);
        Trace trace = Trace.of(x.length, model.layers(), x);
        return new Traced(answer, model.preprocessing() == null ? null : x, trace);
    }

    /**
     * One row as the network's input, after model {@code id}'s preprocessing: the {@code input} row of its ONNX
     * export. What was assumed (an imputed value, an unknown level) goes to the answer's warnings.
     */
    public Encoded encode(String id, PredictRequest request) {
        if (!request.single()) {
            throw invalid(
                    "Encoding takes one row: send it as 'features'.",
                    List.of(Violation.field("instances", "encode one row at a time")));
        }
        ServingModel model = model(id);
        List<String> warnings = new ArrayList<>(0);
        double[] x = row(model, request.rows().get(0), warnings);
        return new Encoded(model.id(), x, List.copyOf(warnings));
    }

    /** An encoded row: the model's id, the network's input and what was assumed. */
    public record Encoded(String model, double[] encoded, List<String> warnings) {}

    /** A traced row: the answer, the encoded row (or null) and the steps. */
    public record Traced(Predictions answer, double[] encoded, Trace trace) {}

    /** A scorer of rows one at a time with model {@code id}, for scoring a file as it streams. */
    public Scorer scorer(String id) {
        return new Scorer(model(id), maxScoringFlops);
    }

    /** Scores rows one at a time, with the same arithmetic as {@link #predict}. Not thread-safe. */
    public static final class Scorer {
        private final ServingModel model;
        private final double[] scratch;
        /** {@code bnserve.limits.max-scoring-flops}, and the rows it allows this model. */
        private final long maxFlops;

        private final long maxRows;
        private long scored;

        private Scorer(ServingModel model, long maxFlops) {
            this.model = model;
            this.scratch = new double[model.plan().scratchSize()];
            this.maxFlops = maxFlops;
            this.maxRows = Math.max(1, maxFlops / Math.max(1, model.plan().flopsPerRow()));
        }

        /**
         * Counts {@code m} more rows against {@code bnserve.limits.max-scoring-flops} before they are scored, so that a
         * long file on a large model is refused at the first row beyond the budget, not after hours of work.
         *
         * @throws Problem 413 naming the limit and the rows it allows this model
         */
        public void admit(int m) {
            if (scored + m > maxRows) {
                long perRow = model.plan().flopsPerRow();
                throw Problem.tooLarge(
                        "Scoring more than " + maxRows + " rows with this model takes more than " + maxFlops
                                + " floating-point operations (" + perRow
                                + " a row; bnserve.limits.max-scoring-flops); split the file into parts of at most "
                                + maxRows + " rows.",
                        Violation.field("body", "at most " + maxRows + " rows"));
            }
            scored += m;
        }

        public String model() {
            return model.id();
        }

        public Task task() {
            return model.task();
        }

        public List<String> inputs() {
            return model.inputs();
        }

        /** What the raw values of input {@code i} are: "numeric", "date" or "categorical". */
        public String inputType(int i) {
            return model.preprocessing() == null
                    ? "numeric"
                    : model.preprocessing().columns().get(i).inputType().id();
        }

        public List<String> classes() {
            return model.classes();
        }

        /** Outputs per row: classes, or 1. */
        public int width() {
            return model.plan().outputs();
        }

        /**
         * Scores one positional row (values in input order) into {@code out[0..width)}; returns the most probable
         * class (classification). What was assumed goes to {@code warnings}.
         */
        public int score(PredictRequest.Row row, double[] out, List<String> warnings) {
            return answer(model, row(model, row, warnings), out, 0, scratch);
        }

        private double[] x = new double[0];
        private Problem failure;

        /**
         * Scores {@code rows[0..m)} as {@link #score} scores each (the same bits: the plan runs them in blocks of rows
         * that never change a row's sums) into {@code out[r·width ..)}, the most probable classes into {@code best}
         * (classification). Returns how many rows, from the first, were scored; if fewer than {@code m}, the next
         * row's problem (as {@link #score} would have thrown it, in row order) is {@link #failure()}. What was
         * assumed is dropped.
         */
        public int scoreBlock(PredictRequest.Row[] rows, int m, double[] out, int[] best) {
            failure = null;
            int w = model.plan().inputs();
            int k = width();
            if (x.length < m * w) x = new double[m * w];
            int encoded = m;
            List<String> warnings = new ArrayList<>(0);
            for (int i = 0; i < m; i++) {
                try {
                    System.arraycopy(row(model, rows[i], warnings), 0, x, i * w, w);
                } catch (Problem p) {
                    failure = p;
                    encoded = i;
                    break;
                }
                warnings.clear();
            }
            predictRows(model.plan(), x, encoded, out);
            for (int i = 0; i < encoded; i++) {
                try {
                    int b = finish(model, out, i * k);
                    if (best != null) best[i] = b;
                } catch (Problem p) {
                    failure = p;
                    return i;
                }
            }
            return encoded;
        }

        /** The problem that stopped the last {@link #scoreBlock}, else null. */
        public Problem failure() {
            return failure;
        }
    }

    private ServingModel latest() {
        ServingModel m = latest;
        if (m == null) {
            throw Problem.conflict(
                    "no-model-ready", "No model ready", "No model is ready yet; train one with POST /models.");
        }
        return m;
    }

    /** The compiled model {@code ref} names (see {@link ModelRef}); an id is one map read, a name two. */
    private ServingModel model(String ref) {
        ServingModel m = serving.get(ref);
        if (m != null) return m;
        ModelRef r = ModelRef.parse(ref);
        if (r != null && r.kind() != ModelRef.Kind.ID) {
            Named n = named.get(r.name());
            if (n != null) {
                m = switch (r.kind()) {
                    case NEWEST -> n.newest();
                    case VERSION -> n.versions().get(r.version());
                    case ALIAS -> n.aliases().get(r.alias());
                    case ID -> null;
                };
                if (m != null) return m;
            }
        }
        ModelRecord rec = catalog.find(ref).orElseThrow(() -> catalog.notFound(ref));
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

    /**
     * The network's input for a row: its values placed in the model's input order (by position or by name), then
     * encoded by the model's preprocessing. What was assumed to answer it goes to {@code warnings}.
     */
    private static double[] row(ServingModel model, PredictRequest.Row row, List<String> warnings) {
        int d = model.inputs().size();
        int[] from = new int[d]; // for each input, the row's value index, or -1 when absent
        String at = row.path();
        if (row.names() == null) {
            if (row.values().length != d) {
                throw invalid(
                        "Expected " + d + " values in the order " + model.inputs() + ", got " + row.values().length
                                + ".",
                        List.of(Violation.field(at, "expected " + d + " values, got " + row.values().length)));
            }
            for (int i = 0; i < d; i++) from[i] = i;
        } else {
            Arrays.fill(from, -1);
            boolean lenient = model.preprocessing() != null;
            List<Violation> errors = new ArrayList<>();
            int ignored = 0;
            for (int j = 0; j < row.names().length; j++) {
                String name = row.names()[j];
                Integer i = model.index().get(name);
                if (i == null) {
                    // bounded: 200k unknown names made a 27 MB answer (issue 16, bug 8)
                    if (lenient) {
                        if (ignored++ < MAX_ROW_WARNINGS)
                            warnings.add("'" + Problem.shown(name) + "' is not an input of this model; it was ignored");
                    } else if (errors.size() < Problem.MAX_VIOLATIONS) {
                        errors.add(Violation.field(at + "." + Problem.shown(name), "unknown feature"));
                    }
                } else if (from[i] >= 0) {
                    if (errors.size() < Problem.MAX_VIOLATIONS)
                        errors.add(Violation.field(at + "." + Problem.shown(name), "given twice"));
                } else {
                    from[i] = j;
                }
            }
            if (ignored > MAX_ROW_WARNINGS) {
                warnings.add("and " + (ignored - MAX_ROW_WARNINGS) + " more names that are not inputs were ignored");
            }
            for (int i = 0; i < d; i++) {
                if (from[i] >= 0) continue;
                if (lenient && model.settings().missing() == Settings.Missing.IMPUTE) {
                    warnings.add("'" + model.inputs().get(i) + "' is absent; it was treated as missing");
                } else {
                    errors.add(Violation.field(at + "." + model.inputs().get(i), "missing feature"));
                }
            }
            if (!errors.isEmpty()) {
                throw invalid(
                        "The row's feature names do not match the model's inputs " + model.inputs() + ": "
                                + errors.get(0).field() + " " + errors.get(0).message() + ".",
                        errors);
            }
        }
        if (model.preprocessing() == null) return numbers(model, row, from, at);
        double[] cells = new double[d];
        List<ColumnEncoding> columns = model.preprocessing().columns();
        for (int i = 0; i < d; i++) cells[i] = cell(model, i, columns.get(i), row, from[i], at, warnings);
        double[] x = new double[model.preprocessing().width()];
        model.preprocessing().encode(cells, x, 0);
        return x;
    }

    /** The values of a model without preprocessing: numbers only, none missing. */
    private static double[] numbers(ServingModel model, PredictRequest.Row row, int[] from, String at) {
        double[] x = new double[from.length];
        for (int i = 0; i < from.length; i++) {
            int j = from[i];
            if (Double.isNaN(row.values()[j])) {
                String name = row.names() == null ? null : row.names()[j];
                throw invalid(
                        (name == null ? "Every value" : "Feature '" + name + "'") + " must be a number, got "
                                + (row.text(j) != null ? "a string" : "null") + ".",
                        List.of(Violation.field(at + (name == null ? "[" + j + "]" : "." + name), "must be a number")));
            }
            x[i] = row.values()[j];
        }
        return x;
    }

    /** Input {@code i}'s cell (see {@link ColumnEncoding}) from value {@code j} of the row (−1: absent). */
    private static double cell(
            ServingModel model,
            int i,
            ColumnEncoding column,
            PredictRequest.Row row,
            int j,
            String at,
            List<String> warnings) {
        String name = column.name();
        String where = row.names() == null ? at + "[" + j + "]" : at + "." + name;
        boolean missing = j < 0 || row.isNull(j);
        if (column instanceof ColumnEncoding.Constant) return 0; // not encoded: any value will do
        if (missing) {
            if (model.settings().missing() != Settings.Missing.IMPUTE) {
                throw invalid(
                        "'" + name + "' is missing, and this model was trained with preprocessing.missing = "
                                + model.settings().missing().id() + ".",
                        List.of(Violation.field(where, "missing value")));
            }
            if (j >= 0) warnings.add("'" + name + "' is missing; it was imputed from the training split");
            return column instanceof ColumnEncoding.Categorical ? -1 : Double.NaN;
        }
        String text = row.text(j);
        double number = row.values()[j];
        return switch (column.inputType()) {
            case NUMERIC -> {
                if (text != null) {
                    throw invalid(
                            "'" + name + "' must be a number, got a string.",
                            List.of(Violation.field(where, "must be a number")));
                }
                yield number;
            }
            case DATE -> {
                double t = text == null ? Double.NaN : IsoDates.parse(text);
                if (Double.isNaN(t)) {
                    throw invalid(
                            "'" + name + "' must be an ISO-8601 date or date-time string, e.g. 2012-01-01.",
                            List.of(Violation.field(where, "must be an ISO-8601 date")));
                }
                yield t;
            }
            case CATEGORICAL -> {
                String level = text != null ? text : label(number);
                Integer index = model.levels().get(i).get(level);
                if (index != null) yield index;
                if (model.settings().unknownCategory() == Settings.UnknownCategory.ERROR) {
                    throw invalid(
                            "'" + name + "' has the level '" + Problem.shown(level)
                                    + "', which the training split did not have.",
                            List.of(Violation.field(where, "unknown level")));
                }
                warnings.add("'" + name + "' has the level '" + Problem.shown(level)
                        + "', unknown to the model; it was encoded as no level");
                yield -2;
            }
        };
    }

    /** A number given for a categorical input, as the CSV would have it: {@code 3}, not {@code 3.0}. */
    private static String label(double v) {
        return v == Math.rint(v) && Math.abs(v) < 1e15 ? Long.toString((long) v) : Double.toString(v);
    }

    /** The 422 for a prediction request. */
    public static Problem invalid(String detail, List<Violation> violations) {
        return Problem.invalid("invalid-prediction-request", "Invalid prediction request", detail, violations);
    }
}
