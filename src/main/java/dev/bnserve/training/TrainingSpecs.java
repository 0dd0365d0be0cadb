package dev.bnserve.training;

import dev.bnserve.config.BnserveProperties;
import dev.bnserve.data.CategoricalColumn;
import dev.bnserve.data.Column;
import dev.bnserve.data.ColumnType;
import dev.bnserve.data.Dataset;
import dev.bnserve.data.NumericColumn;
import dev.bnserve.model.IgnoredColumn;
import dev.bnserve.model.Task;
import dev.bnserve.model.TrainingSpec;
import dev.bnserve.model.TrainingSpecJson;
import dev.bnserve.prep.Settings;
import dev.bnserve.problem.Problem;
import dev.bnserve.problem.Violation;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.function.DoublePredicate;

/**
 * Resolves a training request against its dataset and the configured limits: fills in the features and the task
 * where the request left them to the dataset, and checks every value, reporting all violations at once (a 422).
 */
final class TrainingSpecs {
    private final BnserveProperties.Limits limits;
    private final List<Violation> errors = new ArrayList<>();
    private final List<IgnoredColumn> ignored = new ArrayList<>();
    private int labelledRows;

    private TrainingSpecs(BnserveProperties.Limits limits) {
        this.limits = limits;
    }

    /**
     * A spec resolved against its dataset: the effective spec, the columns left out of the default features with the
     * reason, and the rows with a label (the others are left out of training).
     */
    record Resolved(TrainingSpec spec, List<IgnoredColumn> ignored, int labelledRows) {}

    /** The effective spec: {@code sent} resolved against {@code ds}; throws the invalid-request problem. */
    static Resolved resolve(TrainingSpec sent, Dataset ds, BnserveProperties.Limits limits) {
        return new TrainingSpecs(limits).run(sent, ds);
    }

    private TrainingSpec run0(TrainingSpec s, Dataset ds) {
        String label = s.label();
        Column labelColumn = ds.column(label).orElse(null);
        if (labelColumn == null) {
            error(
                    "label",
                    "dataset " + ds.id() + " has no column '" + label + "' (columns: " + preview(ds.columnNames())
                            + ")");
        } else if (ds.missing(label) == ds.rows()) {
            error("label", "column '" + label + "' has no values: every cell is missing");
        } else if (labelColumn.type() == ColumnType.DATE) {
            error("label", "column '" + label + "' holds dates; the label must be numeric or categorical");
        }
        boolean numericLabel = labelColumn instanceof NumericColumn;
        Task task = s.task() != null ? s.task() : numericLabel ? Task.REGRESSION : Task.CLASSIFICATION;
        if (task == Task.REGRESSION && labelColumn != null && !numericLabel) {
            error("task", "regression needs a numeric label; '" + label + "' is categorical");
        }
        List<String> features = features(s.features(), ds, label, s.preprocessing());
        hidden(s.widths());
        TrainingSpec.BatchNormSpec bn = s.batchNorm();
        if (bn.momentum() != null && !(bn.momentum() >= 0 && bn.momentum() <= 1)) {
            error("batchNorm.momentum", "must be in [0, 1] or null (cumulative average), got " + bn.momentum());
        }
        check("batchNorm.eps", bn.eps(), v -> v > 0 && v < 1, "must be > 0 and < 1");
        TrainingSpec.OptimizerSpec opt = s.optimizer();
        check("optimizer.learningRate", opt.learningRate(), v -> v > 0, "must be > 0");
        check("optimizer.momentum", opt.momentum(), v -> v >= 0 && v < 1, "must be >= 0 and < 1");
        check("optimizer.weightDecay", opt.weightDecay(), v -> v >= 0, "must be >= 0");
        range("epochs", s.epochs(), 1, limits.maxEpochs(), "bnserve.limits.max-epochs");
        range("batchSize", s.batchSize(), 2, Integer.MAX_VALUE, null);
        check("validationSplit", s.validationSplit(), v -> v >= 0 && v <= 0.5, "must be in [0, 0.5]");

        Settings prep = s.preprocessing();
        if (prep.maxCategories() < 1) error("preprocessing.maxCategories", "must be >= 1, got " + prep.maxCategories());
        if (s.earlyStopping() != null) {
            if (s.earlyStopping().patience() < 1) {
                error(
                        "earlyStopping.patience",
                        "must be >= 1, got " + s.earlyStopping().patience());
            }
            check("earlyStopping.minDelta", s.earlyStopping().minDelta(), v -> v >= 0, "must be >= 0");
            if (s.validationSplit() == 0) {
                error("earlyStopping", "needs a validation split to watch (validationSplit > 0)");
            }
        }
        if (s.classWeights() != null && task != Task.CLASSIFICATION) {
            error("classWeights", "class weights apply to classification only");
        }
        int rows = labelColumn == null ? ds.rows() : ds.rows() - ds.missing(label);
        if (errors.isEmpty()) {
            int trainRows = rows - (int) Math.floor(rows * s.validationSplit());
            if (trainRows < 2) {
                error("dataset", "needs at least 2 training rows after the validation split, has " + trainRows);
            }
            if ((double) s.epochs() * ds.rows() > limits.maxTrainingBudget()) {
                error(
                        "epochs",
                        "epochs × rows = " + ((long) s.epochs() * ds.rows()) + " exceeds the training budget of "
                                + limits.maxTrainingBudget() + " (bnserve.limits.max-training-budget)");
            }
            double flops = estimatedFlops(s.widths(), ds, features, label, task, prep) * trainRows * s.epochs();
            if (flops > limits.maxTrainingFlops()) {
                error(
                        "hidden",
                        String.format(
                                java.util.Locale.ROOT,
                                "the network (hidden %s), %d training rows and %d epochs take an estimated %.3g"
                                        + " floating-point operations, more than the limit of %.3g"
                                        + " (bnserve.limits.max-training-flops); use fewer or narrower layers, fewer"
                                        + " epochs or fewer rows",
                                s.widths(),
                                trainRows,
                                s.epochs(),
                                flops,
                                (double) limits.maxTrainingFlops()));
            }
        }
        if (!errors.isEmpty()) throw TrainingSpecJson.invalid(errors);
        labelledRows = rows;
        return s.resolved(ds.id(), features, task);
    }

    /**
     * Floating-point operations of one training row in one epoch, estimated: 6 per weight of every Linear layer (2 in
     * the forward pass, 4 in the backward pass), with one-hot categoricals and date parts counted in the input width.
     * BatchNorm and activations add work proportional to the units, negligible beside the weights.
     */
    static double estimatedFlops(
            List<Integer> hidden, Dataset ds, List<String> features, String label, Task task, Settings prep) {
        double in = 0;
        for (String f : features) {
            Column c = ds.column(f).orElse(null);
            if (c instanceof CategoricalColumn cat) in += Math.min(cat.distinct(), prep.maxCategories());
            else if (c instanceof dev.bnserve.data.DateColumn) in += 7;
            else in += 2; // the value and its missing indicator at most
        }
        Column l = ds.column(label).orElse(null);
        double out = task == Task.CLASSIFICATION && l instanceof CategoricalColumn cat ? cat.distinct() : 1;
        double weights = 0;
        double previous = Math.max(1, in);
        for (int units : hidden) {
            weights += previous * units;
            previous = units;
        }
        weights += previous * out;
        return 6 * weights;
    }

    private Resolved run(TrainingSpec s, Dataset ds) {
        TrainingSpec spec = run0(s, ds);
        return new Resolved(spec, List.copyOf(ignored), labelledRows);
    }

    /**
     * The features: those requested, or every other column but a categorical with more than {@code maxCategories}
     * levels and a column with no values (each listed in {@link #ignored} with the reason).
     */
    private List<String> features(List<String> requested, Dataset ds, String label, Settings prep) {
        List<String> out = new ArrayList<>();
        if (requested == null) {
            for (Column c : ds.columns()) {
                if (c.name().equals(label)) continue;
                if (c.missing() == c.size()) {
                    ignored.add(new IgnoredColumn(c.name(), "every value is missing"));
                } else if (c instanceof CategoricalColumn cat && cat.distinct() > prep.maxCategories()) {
                    ignored.add(new IgnoredColumn(
                            c.name(),
                            cat.distinct() + " levels, more than preprocessing.maxCategories (" + prep.maxCategories()
                                    + ")"));
                } else if (prep.missing() == Settings.Missing.ERROR && c.missing() > 0) {
                    error(
                            "features",
                            "column '" + c.name() + "' has " + c.missing()
                                    + " missing values (preprocessing.missing is error)");
                } else {
                    out.add(c.name());
                }
            }
            if (out.isEmpty() && errors.isEmpty()) {
                error("features", "the dataset has no column besides the label to learn from");
            }
            return out;
        }
        if (requested.isEmpty()) error("features", "must name at least one column");
        Set<String> seen = new HashSet<>();
        for (int i = 0; i < requested.size(); i++) {
            String name = requested.get(i);
            String at = "features[" + i + "]";
            Column c = ds.column(name).orElse(null);
            if (!seen.add(name)) error(at, "'" + name + "' is listed twice");
            else if (name.equals(label)) error(at, "'" + name + "' is the label; it cannot also be a feature");
            else if (c == null) error(at, "dataset " + ds.id() + " has no column '" + Problem.shown(name) + "'");
            else if (c.missing() == c.size()) error(at, "column '" + name + "' has no values: every cell is missing");
            else if (c instanceof CategoricalColumn cat && cat.distinct() > prep.maxCategories()) {
                error(
                        at,
                        "column '" + name + "' has " + cat.distinct() + " levels, more than the limit of "
                                + prep.maxCategories() + " (preprocessing.maxCategories)");
            } else if (prep.missing() == Settings.Missing.ERROR && c.missing() > 0) {
                error(
                        at,
                        "column '" + name + "' has " + c.missing()
                                + " missing values (preprocessing.missing is error)");
            }
            out.add(name);
        }
        return out;
    }

    private void hidden(List<Integer> hidden) {
        if (hidden.isEmpty()) error("hidden", "must have at least one hidden layer");
        if (hidden.size() > limits.maxHiddenLayers()) {
            error(
                    "hidden",
                    hidden.size() + " hidden layers exceed the limit of " + limits.maxHiddenLayers()
                            + " (bnserve.limits.max-hidden-layers)");
        }
        for (int i = 0; i < hidden.size() && i <= limits.maxHiddenLayers(); i++) {
            int w = hidden.get(i);
            if (w < 1 || w > limits.maxHiddenWidth()) {
                error(
                        "hidden[" + i + "]",
                        "width " + w + " must be between 1 and " + limits.maxHiddenWidth()
                                + " (bnserve.limits.max-hidden-width)");
            }
        }
    }

    private void check(String at, double v, DoublePredicate ok, String rule) {
        if (!Double.isFinite(v) || !ok.test(v)) error(at, rule + ", got " + v);
    }

    private void range(String at, int v, int min, int max, String limitName) {
        if (v < min || v > max) {
            String range = max == Integer.MAX_VALUE ? ">= " + min : "between " + min + " and " + max;
            error(at, "must be " + range + (limitName != null ? " (" + limitName + ")" : "") + ", got " + v);
        }
    }

    /** Kept up to {@link dev.bnserve.problem.Problem#MAX_VIOLATIONS}: a request naming 3M features gets 100. */
    private void error(String field, String message) {
        if (errors.size() < dev.bnserve.problem.Problem.MAX_VIOLATIONS) errors.add(Violation.field(field, message));
    }

    private static String preview(List<String> names) {
        return names.size() <= 12 ? String.join(", ", names) : String.join(", ", names.subList(0, 12)) + ", …";
    }
}
