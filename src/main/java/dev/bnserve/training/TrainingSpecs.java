package dev.bnserve.training;

import dev.bnserve.config.BnserveProperties;
import dev.bnserve.data.Column;
import dev.bnserve.data.Dataset;
import dev.bnserve.data.NumericColumn;
import dev.bnserve.model.Task;
import dev.bnserve.model.TrainingSpec;
import dev.bnserve.model.TrainingSpecJson;
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

    private TrainingSpecs(BnserveProperties.Limits limits) {
        this.limits = limits;
    }

    /** The effective spec: {@code sent} resolved against {@code ds}; throws the invalid-request problem. */
    static TrainingSpec resolve(TrainingSpec sent, Dataset ds, BnserveProperties.Limits limits) {
        return new TrainingSpecs(limits).run(sent, ds);
    }

    private TrainingSpec run(TrainingSpec s, Dataset ds) {
        String label = s.label();
        Column labelColumn = ds.column(label).orElse(null);
        if (labelColumn == null) {
            error(
                    "label",
                    "dataset " + ds.id() + " has no column '" + label + "' (columns: " + preview(ds.columnNames())
                            + ")");
        } else if (ds.missing(label) > 0) {
            error("label", "column '" + label + "' has " + ds.missing(label) + " empty values");
        }
        boolean numericLabel = labelColumn instanceof NumericColumn;
        Task task = s.task() != null ? s.task() : numericLabel ? Task.REGRESSION : Task.CLASSIFICATION;
        if (task == Task.REGRESSION && labelColumn != null && !numericLabel) {
            error("task", "regression needs a numeric label; '" + label + "' is categorical");
        }
        List<String> features = features(s.features(), ds, label);
        hidden(s.hidden());
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

        if (errors.isEmpty()) {
            int trainRows = ds.rows() - (int) Math.floor(ds.rows() * s.validationSplit());
            if (trainRows < 2) {
                error("dataset", "needs at least 2 training rows after the validation split, has " + trainRows);
            }
            if ((double) s.epochs() * ds.rows() > limits.maxTrainingBudget()) {
                error(
                        "epochs",
                        "epochs × rows = " + ((long) s.epochs() * ds.rows()) + " exceeds the training budget of "
                                + limits.maxTrainingBudget() + " (bnserve.limits.max-training-budget)");
            }
        }
        if (!errors.isEmpty()) throw TrainingSpecJson.invalid(errors);
        return s.resolved(ds.id(), features, task);
    }

    private List<String> features(List<String> requested, Dataset ds, String label) {
        List<String> out = new ArrayList<>();
        if (requested == null) {
            for (Column c : ds.columns()) {
                if (c instanceof NumericColumn && !c.name().equals(label)) out.add(c.name());
            }
            if (out.isEmpty()) error("features", "the dataset has no numeric column besides the label to learn from");
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
            else if (c == null) error(at, "dataset " + ds.id() + " has no column '" + name + "'");
            else if (!(c instanceof NumericColumn)) {
                error(at, "column '" + name + "' is categorical; features must be numeric");
            } else if (ds.missing(name) > 0) {
                error(at, "column '" + name + "' has " + ds.missing(name) + " empty values");
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

    private void error(String field, String message) {
        errors.add(Violation.field(field, message));
    }

    private static String preview(List<String> names) {
        return names.size() <= 12 ? String.join(", ", names) : String.join(", ", names.subList(0, 12)) + ", …";
    }
}
