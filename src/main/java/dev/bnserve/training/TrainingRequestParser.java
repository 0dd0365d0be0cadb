package dev.bnserve.training;

import dev.bnserve.config.BnserveProperties;
import dev.bnserve.data.Column;
import dev.bnserve.data.Dataset;
import dev.bnserve.data.NumericColumn;
import dev.bnserve.model.Task;
import dev.bnserve.training.TrainingRequest.BatchNormSettings;
import dev.bnserve.training.TrainingRequest.OptimizerSettings;
import dev.bnserve.web.ApiException;
import dev.bnserve.web.FieldError;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.function.Function;
import org.springframework.http.HttpStatus;
import tools.jackson.databind.JsonNode;

/**
 * Turns a {@code POST /models} body into an effective {@link TrainingRequest}: fills the contract's
 * defaults, checks every field against the dataset and the configured limits, and reports all
 * problems at once with their field paths (400 for a wrong JSON type, 422 for a bad value).
 */
final class TrainingRequestParser {
    private static final Set<String> TOP = Set.of(
            "dataset",
            "label",
            "features",
            "task",
            "hidden",
            "activation",
            "batchNorm",
            "optimizer",
            "epochs",
            "batchSize",
            "seed",
            "validationSplit",
            "shuffle");
    private static final Set<String> BN = Set.of("input", "hidden", "placement", "momentum", "eps", "statistics");
    private static final Set<String> OPT = Set.of("type", "learningRate", "momentum", "weightDecay");

    private final BnserveProperties.Limits limits;
    private final List<FieldError> typeErrors = new ArrayList<>();
    private final List<FieldError> valueErrors = new ArrayList<>();

    private TrainingRequestParser(BnserveProperties.Limits limits) {
        this.limits = limits;
    }

    /** The dataset id named by the body, for looking it up before {@link #parse}. */
    static String datasetId(JsonNode body) {
        if (body == null || !body.isObject()) {
            throw new ApiException(
                    HttpStatus.BAD_REQUEST, "Bad Request", "The training request must be a JSON object.");
        }
        JsonNode d = body.get("dataset");
        if (d == null || !d.isString() || d.stringValue().isBlank()) {
            throw new ApiException(
                    HttpStatus.BAD_REQUEST,
                    "Bad Request",
                    "'dataset' is required: the id of an uploaded dataset.",
                    List.of(FieldError.ofField("dataset", "required string")));
        }
        return d.stringValue();
    }

    static TrainingRequest parse(JsonNode body, Dataset dataset, BnserveProperties.Limits limits) {
        return new TrainingRequestParser(limits).run(body, dataset);
    }

    private TrainingRequest run(JsonNode body, Dataset ds) {
        unknownFields(body, TOP, "");
        String label = str(body, "label", null, "label");
        if (label == null && typeErrors.isEmpty())
            typeErrors.add(FieldError.ofField("label", "required: the column to predict"));
        Column labelColumn = null;
        if (label != null) {
            labelColumn = ds.column(label).orElse(null);
            if (labelColumn == null)
                valueErrors.add(FieldError.ofField(
                        "label",
                        "dataset " + ds.id() + " has no column '" + label + "' (columns: " + preview(ds.columnNames())
                                + ")"));
            else if (ds.missing(label) > 0)
                valueErrors.add(FieldError.ofField(
                        "label", "column '" + label + "' has " + ds.missing(label) + " empty values"));
        }
        boolean numericLabel = labelColumn instanceof NumericColumn;
        Task task =
                enumValue(body.get("task"), "task", numericLabel ? Task.REGRESSION : Task.CLASSIFICATION, Task::parse);
        if (task == Task.REGRESSION && labelColumn != null && !numericLabel) {
            valueErrors.add(
                    FieldError.ofField("task", "regression needs a numeric label; '" + label + "' is categorical"));
        }
        List<String> features = features(body.get("features"), ds, label);
        List<Integer> hidden = hidden(body.get("hidden"));
        String activation = oneOf(body, "activation", "relu", "activation", "relu", "tanh");

        JsonNode bnNode = object(body, "batchNorm");
        unknownFields(bnNode, BN, "batchNorm.");
        BatchNormSettings bn = new BatchNormSettings(
                bool(bnNode, "input", true, "batchNorm.input"),
                bool(bnNode, "hidden", true, "batchNorm.hidden"),
                oneOf(
                        bnNode,
                        "placement",
                        BatchNormSettings.BEFORE,
                        "batchNorm.placement",
                        BatchNormSettings.BEFORE,
                        BatchNormSettings.AFTER),
                momentum(bnNode),
                number(bnNode, "eps", 1e-5, "batchNorm.eps", v -> v > 0 && v < 1, "must be > 0 and < 1"),
                oneOf(bnNode, "statistics", "ema", "batchNorm.statistics", "ema", "population"));

        JsonNode optNode = object(body, "optimizer");
        unknownFields(optNode, OPT, "optimizer.");
        String optType = oneOf(optNode, "type", "adam", "optimizer.type", "adam", "sgd");
        OptimizerSettings opt = new OptimizerSettings(
                optType,
                number(optNode, "learningRate", 1e-3, "optimizer.learningRate", v -> v > 0, "must be > 0"),
                number(optNode, "momentum", 0.9, "optimizer.momentum", v -> v >= 0 && v < 1, "must be >= 0 and < 1"),
                number(optNode, "weightDecay", 0.0, "optimizer.weightDecay", v -> v >= 0, "must be >= 0"));

        int epochs = integer(body, "epochs", 30, "epochs", 1, limits.maxEpochs(), "bnserve.limits.max-epochs");
        int batchSize = integer(body, "batchSize", 32, "batchSize", 2, Integer.MAX_VALUE, null);
        long seed = longValue(body, "seed", 0L);
        double split =
                number(body, "validationSplit", 0.2, "validationSplit", v -> v >= 0 && v <= 0.5, "must be in [0, 0.5]");
        boolean shuffle = bool(body, "shuffle", true, "shuffle");

        int trainRows = ds.rows() - (int) Math.floor(ds.rows() * split);
        if (typeErrors.isEmpty() && valueErrors.isEmpty()) {
            if (trainRows < 2)
                valueErrors.add(FieldError.ofField(
                        "dataset", "needs at least 2 training rows after the validation split, has " + trainRows));
            if ((double) epochs * ds.rows() > limits.maxTrainingBudget()) {
                valueErrors.add(FieldError.ofField(
                        "epochs",
                        "epochs × rows = " + ((long) epochs * ds.rows()) + " exceeds the training budget of "
                                + limits.maxTrainingBudget() + " (bnserve.limits.max-training-budget)"));
            }
        }
        if (!typeErrors.isEmpty()) {
            typeErrors.addAll(valueErrors);
            throw new ApiException(
                    HttpStatus.BAD_REQUEST,
                    "Bad Request",
                    "The training request is malformed: " + typeErrors.get(0).field() + " "
                            + typeErrors.get(0).message(),
                    typeErrors);
        }
        if (!valueErrors.isEmpty()) {
            throw new ApiException(
                    HttpStatus.UNPROCESSABLE_CONTENT,
                    "Invalid training request",
                    "The training request has " + valueErrors.size() + " invalid field(s); first: "
                            + valueErrors.get(0).field() + " "
                            + valueErrors.get(0).message(),
                    valueErrors);
        }
        return new TrainingRequest(
                ds.id(), label, features, task, hidden, activation, bn, opt, epochs, batchSize, seed, split, shuffle);
    }

    private List<String> features(JsonNode node, Dataset ds, String label) {
        List<String> out = new ArrayList<>();
        if (node == null || node.isNull()) {
            for (Column c : ds.columns()) {
                if (c instanceof NumericColumn && !c.name().equals(label)) out.add(c.name());
            }
            if (out.isEmpty())
                valueErrors.add(FieldError.ofField(
                        "features", "the dataset has no numeric column besides the label to learn from"));
            return out;
        }
        if (!node.isArray()) {
            typeErrors.add(FieldError.ofField("features", "must be an array of column names"));
            return out;
        }
        if (node.isEmpty()) valueErrors.add(FieldError.ofField("features", "must name at least one column"));
        Set<String> seen = new HashSet<>();
        for (int i = 0; i < node.size(); i++) {
            JsonNode f = node.get(i);
            String at = "features[" + i + "]";
            if (!f.isString()) {
                typeErrors.add(FieldError.ofField(at, "must be a column name (string)"));
                continue;
            }
            String name = f.stringValue();
            Column c = ds.column(name).orElse(null);
            if (!seen.add(name)) valueErrors.add(FieldError.ofField(at, "'" + name + "' is listed twice"));
            else if (name.equals(label))
                valueErrors.add(FieldError.ofField(at, "'" + name + "' is the label; it cannot also be a feature"));
            else if (c == null)
                valueErrors.add(FieldError.ofField(at, "dataset " + ds.id() + " has no column '" + name + "'"));
            else if (!(c instanceof NumericColumn))
                valueErrors.add(
                        FieldError.ofField(at, "column '" + name + "' is categorical; features must be numeric"));
            else if (ds.missing(name) > 0)
                valueErrors.add(
                        FieldError.ofField(at, "column '" + name + "' has " + ds.missing(name) + " empty values"));
            out.add(name);
        }
        return out;
    }

    private List<Integer> hidden(JsonNode node) {
        if (node == null || node.isNull()) return List.of(64, 64);
        List<Integer> out = new ArrayList<>();
        if (!node.isArray()) {
            typeErrors.add(FieldError.ofField("hidden", "must be an array of layer widths, e.g. [64, 64]"));
            return out;
        }
        if (node.isEmpty()) valueErrors.add(FieldError.ofField("hidden", "must have at least one hidden layer"));
        if (node.size() > limits.maxHiddenLayers()) {
            valueErrors.add(FieldError.ofField(
                    "hidden",
                    node.size() + " hidden layers exceed the limit of " + limits.maxHiddenLayers()
                            + " (bnserve.limits.max-hidden-layers)"));
        }
        for (int i = 0; i < node.size() && i <= limits.maxHiddenLayers(); i++) {
            JsonNode w = node.get(i);
            String at = "hidden[" + i + "]";
            if (!w.isIntegralNumber() || !w.canConvertToInt()) {
                typeErrors.add(FieldError.ofField(at, "must be an integer width"));
            } else if (w.intValue() < 1 || w.intValue() > limits.maxHiddenWidth()) {
                valueErrors.add(FieldError.ofField(
                        at,
                        "width " + w.intValue() + " must be between 1 and " + limits.maxHiddenWidth()
                                + " (bnserve.limits.max-hidden-width)"));
            } else {
                out.add(w.intValue());
            }
        }
        return out;
    }

    private Double momentum(JsonNode bn) {
        JsonNode m = bn.get("momentum");
        if (m == null) return 0.1;
        if (m.isNull()) return null; // cumulative average, as PyTorch's momentum=None
        if (!m.isNumber()) {
            typeErrors.add(FieldError.ofField("batchNorm.momentum", "must be a number in [0, 1] or null"));
            return 0.1;
        }
        double v = m.doubleValue();
        if (!(v >= 0 && v <= 1))
            valueErrors.add(FieldError.ofField(
                    "batchNorm.momentum", "must be in [0, 1] or null (cumulative average), got " + v));
        return v;
    }

    private JsonNode object(JsonNode parent, String field) {
        JsonNode n = parent.get(field);
        if (n == null || n.isNull()) return tools.jackson.databind.node.JsonNodeFactory.instance.objectNode();
        if (!n.isObject()) {
            typeErrors.add(FieldError.ofField(field, "must be an object"));
            return tools.jackson.databind.node.JsonNodeFactory.instance.objectNode();
        }
        return n;
    }

    private void unknownFields(JsonNode node, Set<String> known, String prefix) {
        for (String name : node.propertyNames()) {
            if (!known.contains(name))
                valueErrors.add(FieldError.ofField(
                        prefix + name,
                        "unknown field (known: " + String.join(", ", new java.util.TreeSet<>(known)) + ")"));
        }
    }

    private String str(JsonNode parent, String field, String def, String at) {
        JsonNode n = parent.get(field);
        if (n == null || n.isNull()) return def;
        if (!n.isString()) {
            typeErrors.add(FieldError.ofField(at, "must be a string"));
            return def;
        }
        return n.stringValue();
    }

    private String oneOf(JsonNode parent, String field, String def, String at, String... allowed) {
        String v = str(parent, field, def, at);
        if (v != null && !List.of(allowed).contains(v)) {
            valueErrors.add(FieldError.ofField(
                    at, "unknown value '" + v + "' (expected " + String.join(" or ", allowed) + ")"));
            return def;
        }
        return v;
    }

    private <T> T enumValue(JsonNode n, String at, T def, Function<String, T> parse) {
        if (n == null || n.isNull()) return def;
        if (!n.isString()) {
            typeErrors.add(FieldError.ofField(at, "must be a string"));
            return def;
        }
        try {
            return parse.apply(n.stringValue());
        } catch (IllegalArgumentException e) {
            valueErrors.add(FieldError.ofField(at, e.getMessage()));
            return def;
        }
    }

    private boolean bool(JsonNode parent, String field, boolean def, String at) {
        JsonNode n = parent.get(field);
        if (n == null || n.isNull()) return def;
        if (!n.isBoolean()) {
            typeErrors.add(FieldError.ofField(at, "must be true or false"));
            return def;
        }
        return n.booleanValue();
    }

    private double number(
            JsonNode parent, String field, double def, String at, java.util.function.DoublePredicate ok, String rule) {
        JsonNode n = parent.get(field);
        if (n == null || n.isNull()) return def;
        if (!n.isNumber()) {
            typeErrors.add(FieldError.ofField(at, "must be a number"));
            return def;
        }
        double v = n.doubleValue();
        if (!Double.isFinite(v) || !ok.test(v)) {
            valueErrors.add(FieldError.ofField(at, rule + ", got " + n));
            return def;
        }
        return v;
    }

    private int integer(JsonNode parent, String field, int def, String at, int min, int max, String limitName) {
        JsonNode n = parent.get(field);
        if (n == null || n.isNull()) return def;
        if (!n.isIntegralNumber()) {
            typeErrors.add(FieldError.ofField(at, "must be an integer"));
            return def;
        }
        if (!n.canConvertToInt() || n.intValue() < min || n.intValue() > max) {
            String range = max == Integer.MAX_VALUE ? ">= " + min : "between " + min + " and " + max;
            valueErrors.add(FieldError.ofField(
                    at, "must be " + range + (limitName != null ? " (" + limitName + ")" : "") + ", got " + n));
            return def;
        }
        return n.intValue();
    }

    private long longValue(JsonNode parent, String field, long def) {
        JsonNode n = parent.get(field);
        if (n == null || n.isNull()) return def;
        if (!n.isIntegralNumber() || !n.canConvertToLong()) {
            typeErrors.add(FieldError.ofField(field, "must be an integer"));
            return def;
        }
        return n.longValue();
    }

    private static String preview(List<String> names) {
        return names.size() <= 12 ? String.join(", ", names) : String.join(", ", names.subList(0, 12)) + ", …";
    }
}
