package dev.bnserve.training;

import dev.bnserve.data.Column;
import dev.bnserve.data.Dataset;
import dev.bnserve.data.DatasetStore;
import dev.bnserve.model.ModelCatalog;
import dev.bnserve.model.ModelIds;
import dev.bnserve.model.ModelProblems;
import dev.bnserve.model.ModelRecord;
import dev.bnserve.model.ModelStatus;
import dev.bnserve.model.Task;
import dev.bnserve.model.TrainingSpec;
import dev.bnserve.nn.LayerKind;
import dev.bnserve.nn.LayerState;
import dev.bnserve.nn.PopulationStatistics;
import dev.bnserve.nn.Split;
import dev.bnserve.nn.Trainer;
import dev.bnserve.prep.InputColumn;
import dev.bnserve.prep.Preprocessor;
import dev.bnserve.problem.Problem;
import dev.bnserve.problem.Violation;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.springframework.stereotype.Service;

/**
 * A model's BatchNorm running statistics beside the population statistics of real rows ({@code GET
 * /models/{id}/statistics}), and recalibration ({@code POST /models/{id}/recalibrate}, PreciseBN; AdaBN when the
 * rows are a new domain): a new model with the same weights whose running statistics are the exact population
 * statistics of every row of a dataset, computed layer by layer in inference mode and streamed over the rows.
 */
@Service
public class BatchNormStatistics {
    private final DatasetStore datasets;
    private final ModelCatalog models;

    BatchNormStatistics(DatasetStore datasets, ModelCatalog models) {
        this.datasets = datasets;
        this.models = models;
    }

    /** Per BatchNorm layer: the stored and the population statistics; {@code maxRelativeDrift} their distance. */
    public record LayerReport(int layer, int features, Moments stored, Moments population, double maxRelativeDrift) {}

    /** A mean and an unbiased variance per feature. */
    public record Moments(double[] mean, double[] var) {}

    /**
     * The report: over {@code rows} rows of {@code dataset} ({@code split} "training" for the model's own training
     * split, else "all"), and with the training split the validation loss with each set of statistics.
     */
    public record Report(
            String model,
            String dataset,
            String rows,
            int rowCount,
            List<LayerReport> layers,
            double maxRelativeDrift,
            TrainingRun.ValidationLosses validationLoss) {}

    /** {@code maxᵢ max(|μₛ − μₚ| / √(σ²ₚ + eps), |σ²ₛ − σ²ₚ| / (σ²ₚ + eps))} over every BatchNorm layer. */
    static double maxDrift(List<LayerState> layers, List<PopulationStatistics.Moments> population) {
        double max = 0;
        for (PopulationStatistics.Moments p : population) {
            max = Math.max(max, drift((LayerState.BatchNorm) layers.get(p.layer()), p.mean(), p.var()));
        }
        return max;
    }

    private static double drift(LayerState.BatchNorm bn, double[] mean, double[] var) {
        double[] ms = bn.runningMean(), vs = bn.runningVar();
        double max = 0;
        for (int j = 0; j < ms.length; j++) {
            max = Math.max(max, Math.abs(ms[j] - mean[j]) / Math.sqrt(var[j] + bn.eps()));
            max = Math.max(max, Math.abs(vs[j] - var[j]) / (var[j] + bn.eps()));
        }
        return max;
    }

    static boolean hasBatchNorm(List<LayerState> layers) {
        return layers.stream().anyMatch(l -> l.kind() == LayerKind.BATCHNORM);
    }

    /** The statistics report of model {@code id} over its training split, or over every row of {@code datasetId}. */
    public Report report(String id, String datasetId) {
        ModelRecord m = ready(id);
        Rows rows = datasetId == null ? trainingSplit(m) : all(m, datasetId);
        List<LayerState> layers = m.layers();
        int d = m.encoding().width();
        List<PopulationStatistics.Moments> population =
                PopulationStatistics.measure(d, layers, rows.x, rows.index.length, rows.index);
        List<LayerReport> reports = new ArrayList<>();
        for (PopulationStatistics.Moments p : population) {
            LayerState.BatchNorm bn = (LayerState.BatchNorm) layers.get(p.layer());
            reports.add(new LayerReport(
                    p.layer(),
                    bn.features(),
                    new Moments(bn.runningMean(), bn.runningVar()),
                    new Moments(p.mean(), p.var()),
                    drift(bn, p.mean(), p.var())));
        }
        TrainingRun.ValidationLosses losses = null;
        if (rows.validation != null && rows.validation.length > 0) {
            List<LayerState> recalibrated =
                    PopulationStatistics.recalibrate(d, layers, rows.x, rows.index.length, rows.index);
            losses = new TrainingRun.ValidationLosses(loss(layers, d, rows, m), loss(recalibrated, d, rows, m));
        }
        return new Report(
                m.id(),
                rows.dataset,
                datasetId == null ? "training" : "all",
                rows.index.length,
                reports,
                reports.stream()
                        .mapToDouble(LayerReport::maxRelativeDrift)
                        .max()
                        .orElse(0),
                losses);
    }

    /**
     * A new model: model {@code id}'s weights with the population statistics of every row of {@code datasetId},
     * saved and served. The source is untouched.
     */
    public ModelRecord recalibrate(String id, String datasetId) {
        if (datasetId == null || datasetId.isBlank()) {
            throw Problem.malformed(
                    "'dataset' is required: the dataset whose rows give the statistics.",
                    Violation.field("dataset", "required string"));
        }
        ModelRecord m = ready(id);
        if (!hasBatchNorm(m.layers())) {
            throw Problem.conflict(
                    "no-batchnorm", "No BatchNorm", "Model " + m.id() + " has no BatchNorm layer to recalibrate.");
        }
        Rows rows = all(m, datasetId);
        int d = m.encoding().width();
        List<LayerState> recalibrated =
                PopulationStatistics.recalibrate(d, m.layers(), rows.x, rows.index.length, rows.index);
        String how = "population statistics over all " + rows.index.length + " rows of dataset " + rows.dataset
                + (rows.dataset.equals(m.dataset())
                        ? " (PreciseBN)"
                        : " (AdaBN: a dataset other than the training one)");
        Instant now = Instant.now();
        // A new version of the source's name: its newest ready version is now the recalibrated one.
        return models.saveNew(
                m.derived(ModelIds.newId(), recalibrated, new ModelRecord.Derivation(m.id(), how), now), m.name());
    }

    private ModelRecord ready(String id) {
        ModelRecord m = models.require(id);
        if (m.status() != ModelStatus.READY) throw ModelProblems.notReady(m, "have statistics");
        return m;
    }

    /** Encoded rows: {@code x} (all rows of the dataset, encoded), the rows to measure, the validation rows. */
    private record Rows(String dataset, double[] x, int[] index, int[] validation, int[] codes, double[] targets) {}

    /** The model's training split, as training drew it. */
    private Rows trainingSplit(ModelRecord m) {
        TrainingSpec spec = m.request();
        Dataset ds = m.dataset() == null || spec == null
                ? null
                : datasets.get(m.dataset()).orElse(null);
        if (ds == null) {
            throw Problem.conflict(
                    "training-data-gone",
                    "Training data unavailable",
                    "The dataset model " + m.id() + " was trained on is gone; pass ?dataset= to measure on another.");
        }
        int[] kept = TrainingRun.rows(ds, spec);
        List<InputColumn> cols = new ArrayList<>();
        for (String f : m.inputs()) cols.add(TrainingRun.input(ds.requireColumn(f), kept));
        double[] x = m.encoding().encodeAll(cols);
        Split split = Trainer.split(kept.length, spec.trainingConfig());
        int[] codes = null;
        double[] targets = null;
        if (m.task() == Task.CLASSIFICATION) codes = TrainingRun.labelCodes(ds, spec, kept);
        else targets = ds.numericColumn(spec.label()).gather(kept);
        return new Rows(ds.id(), x, split.train(), split.validation(), codes, targets);
    }

    /** Every row of dataset {@code id}, which must have the model's inputs. */
    private Rows all(ModelRecord m, String id) {
        Dataset ds = datasets.resolve(id).orElseThrow(() -> Problem.notFound("dataset", id));
        List<Violation> lacking = new ArrayList<>();
        for (String f : m.inputs()) {
            if (ds.column(f).isEmpty()) lacking.add(Violation.field("dataset", "has no column '" + f + "'"));
        }
        if (!lacking.isEmpty()) {
            throw Problem.invalid(
                    "dataset-lacks-inputs",
                    "Dataset lacks the model's inputs",
                    "Dataset " + ds.id() + " lacks " + lacking.size() + " of model " + m.id() + "'s inputs "
                            + m.inputs() + ".",
                    lacking);
        }
        for (int i = 0; i < m.inputs().size(); i++) {
            dev.bnserve.prep.ColumnEncoding e = m.encoding().columns().get(i);
            Column c = ds.requireColumn(m.inputs().get(i));
            String want = e.inputType().id();
            if (!(e instanceof dev.bnserve.prep.ColumnEncoding.Constant)
                    && !want.equals(c.type().json())) {
                lacking.add(Violation.field(
                        "dataset", "column '" + c.name() + "' is " + c.type().json() + "; the model reads " + want));
            }
        }
        if (!lacking.isEmpty()) {
            throw Problem.invalid(
                    "dataset-lacks-inputs",
                    "Dataset lacks the model's inputs",
                    "Dataset " + ds.id() + "'s columns do not match model " + m.id() + "'s inputs.",
                    lacking);
        }
        int[] all = new int[ds.rows()];
        for (int r = 0; r < all.length; r++) all[r] = r;
        List<InputColumn> cols = new ArrayList<>();
        for (String f : m.inputs()) {
            Column c = ds.requireColumn(f);
            cols.add(TrainingRun.input(c, all));
        }
        Preprocessor prep = m.encoding();
        if (ds.rows() < 2) {
            throw Problem.invalid(
                    "dataset-lacks-inputs",
                    "Dataset lacks the model's inputs",
                    "Population statistics need at least 2 rows; dataset " + ds.id() + " has " + ds.rows() + ".",
                    List.of(Violation.field("dataset", "at least 2 rows")));
        }
        return new Rows(ds.id(), prep.encodeAll(cols), all, null, null, null);
    }

    private static double loss(List<LayerState> layers, int d, Rows rows, ModelRecord m) {
        Object e = TrainingRun.evaluate(layers, d, rows.x, rows.validation, rows.codes, rows.targets, m.classes());
        return e instanceof Evaluation.Classification c ? c.logLoss() : ((Evaluation.Regression) e).mse();
    }
}
