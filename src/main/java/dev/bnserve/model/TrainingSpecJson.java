package dev.bnserve.model;

import dev.bnserve.model.TrainingSpec.BatchNormSpec;
import dev.bnserve.model.TrainingSpec.ClassWeights;
import dev.bnserve.model.TrainingSpec.EarlyStoppingSpec;
import dev.bnserve.model.TrainingSpec.OptimizerSpec;
import dev.bnserve.nn.Activation;
import dev.bnserve.nn.NetworkSpec.Placement;
import dev.bnserve.nn.OptimizerConfig;
import dev.bnserve.nn.StatisticsMode;
import dev.bnserve.prep.Settings;
import dev.bnserve.problem.Problem;
import dev.bnserve.problem.Violation;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Function;
import tools.jackson.core.JsonGenerator;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.JsonNodeFactory;

/**
 * The JSON form of a {@link TrainingSpec}: the body of {@code POST /models} and the {@code request} field of a model
 * document. Reading fills every absent field from {@link TrainingSpec#DEFAULTS} and checks JSON types and the closed
 * sets of names; whether values fit the dataset and the limits is the training service's to say.
 */
public final class TrainingSpecJson {
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
            "shuffle",
            "preprocessing",
            "earlyStopping",
            "classWeights",
            "name");
    private static final Set<String> PREP = Set.of("missing", "missingIndicators", "maxCategories", "unknownCategory");
    private static final Set<String> EARLY = Set.of("patience", "minDelta");
    private static final Set<String> BN = Set.of("input", "hidden", "placement", "momentum", "eps", "statistics");
    private static final Set<String> OPT = Set.of("type", "learningRate", "momentum", "weightDecay");

    /** Wrong JSON types: the request cannot be read (400). */
    private final List<Violation> typeErrors = new ArrayList<>();
    /** Names outside the closed sets: readable, but not valid (422). */
    private final List<Violation> valueErrors = new ArrayList<>();

    private TrainingSpecJson() {}

    /**
     * Reads a training request. Throws a {@link Problem}: malformed (with every type error, then every other one)
     * when a field has the wrong JSON type, invalid when a field or a name is unknown.
     */
    public static TrainingSpec read(JsonNode body) {
        if (body == null || !body.isObject()) {
            throw Problem.malformed("The training request must be a JSON object.");
        }
        JsonNode d = body.get("dataset");
        if (d == null || !d.isString() || d.stringValue().isBlank()) {
            throw Problem.malformed(
                    "'dataset' is required: the id of an uploaded dataset.",
                    Violation.field("dataset", "required string"));
        }
        return new TrainingSpecJson().run(body, d.stringValue());
    }

    private TrainingSpec run(JsonNode body, String dataset) {
        TrainingSpec def = TrainingSpec.DEFAULTS;
        unknownFields(body, TOP, "");
        String label = str(body, "label", null, "label");
        if (label == null && typeErrors.isEmpty()) {
            typeErrors.add(Violation.field("label", "required: the column to predict"));
        }
        Task task = enumValue(body.get("task"), "task", null, Task::parse);
        List<String> features = features(body.get("features"));
        List<TrainingSpec.HiddenLayer> hidden = hidden(body.get("hidden"), def.hidden());
        Activation activation = oneOf(body, "activation", def.activation(), Activation.values(), Activation::id);

        BatchNormSpec dbn = def.batchNorm();
        JsonNode bnNode = object(body, "batchNorm");
        unknownFields(bnNode, BN, "batchNorm.");
        BatchNormSpec bn = new BatchNormSpec(
                bool(bnNode, "input", dbn.input(), "batchNorm.input"),
                bool(bnNode, "hidden", dbn.hidden(), "batchNorm.hidden"),
                oneOf(bnNode, "placement", dbn.placement(), Placement.values(), Placement::id, "batchNorm."),
                momentum(bnNode, dbn.momentum()),
                number(bnNode, "eps", dbn.eps(), "batchNorm.eps"),
                oneOf(
                        bnNode,
                        "statistics",
                        dbn.statistics(),
                        StatisticsMode.values(),
                        StatisticsMode::id,
                        "batchNorm."));

        OptimizerSpec dopt = def.optimizer();
        JsonNode optNode = object(body, "optimizer");
        unknownFields(optNode, OPT, "optimizer.");
        OptimizerSpec opt = new OptimizerSpec(
                oneOf(
                        optNode,
                        "type",
                        dopt.type(),
                        OptimizerConfig.Type.values(),
                        OptimizerConfig.Type::id,
                        "optimizer."),
                number(optNode, "learningRate", dopt.learningRate(), "optimizer.learningRate"),
                number(optNode, "momentum", dopt.momentum(), "optimizer.momentum"),
                number(optNode, "weightDecay", dopt.weightDecay(), "optimizer.weightDecay"));

        int epochs = integer(body, "epochs", def.epochs());
        int batchSize = integer(body, "batchSize", def.batchSize());
        long seed = longValue(body, "seed", def.seed());
        double split = number(body, "validationSplit", def.validationSplit(), "validationSplit");
        boolean shuffle = bool(body, "shuffle", def.shuffle(), "shuffle");

        Settings dprep = def.preprocessing();
        JsonNode prepNode = object(body, "preprocessing");
        unknownFields(prepNode, PREP, "preprocessing.");
        Settings prep = new Settings(
                oneOf(
                        prepNode,
                        "missing",
                        dprep.missing(),
                        Settings.Missing.values(),
                        Settings.Missing::id,
                        "preprocessing."),
                bool(prepNode, "missingIndicators", dprep.missingIndicators(), "preprocessing.missingIndicators"),
                integer(prepNode, "maxCategories", dprep.maxCategories(), "preprocessing.maxCategories"),
                oneOf(
                        prepNode,
                        "unknownCategory",
                        dprep.unknownCategory(),
                        Settings.UnknownCategory.values(),
                        Settings.UnknownCategory::id,
                        "preprocessing."));
        EarlyStoppingSpec early = null;
        JsonNode earlyNode = body.get("earlyStopping");
        if (earlyNode != null && !earlyNode.isNull()) {
            JsonNode e = object(body, "earlyStopping");
            unknownFields(e, EARLY, "earlyStopping.");
            EarlyStoppingSpec d = EarlyStoppingSpec.DEFAULTS;
            early = new EarlyStoppingSpec(
                    integer(e, "patience", d.patience(), "earlyStopping.patience"),
                    number(e, "minDelta", d.minDelta(), "earlyStopping.minDelta"));
        }
        ClassWeights weights = oneOf(body, "classWeights", def.classWeights(), ClassWeights.values(), ClassWeights::id);
        String name = str(body, "name", null, "name");
        if (name != null && !ModelRef.isName(name)) {
            valueErrors.add(Violation.field(
                    "name", "must match " + ModelRef.NAME_SYNTAX + " (lower-case letters, digits, '.', '_', '-')"));
        }

        if (!typeErrors.isEmpty()) {
            typeErrors.addAll(valueErrors);
            Violation first = typeErrors.get(0);
            throw Problem.malformed(
                    "The training request is malformed: " + first.field() + " " + first.message(), typeErrors);
        }
        if (!valueErrors.isEmpty()) throw invalid(valueErrors);
        return new TrainingSpec(
                dataset,
                label,
                features,
                task,
                hidden,
                activation,
                bn,
                opt,
                epochs,
                batchSize,
                seed,
                split,
                shuffle,
                prep,
                early,
                weights,
                name);
    }

    /** The 422 for a training request, with every violation and the first one in the detail. */
    public static Problem invalid(List<Violation> errors) {
        Violation first = errors.get(0);
        return Problem.invalid(
                "invalid-training-request",
                "Invalid training request",
                "The training request has " + errors.size() + " invalid field(s); first: " + first.field() + " "
                        + first.message(),
                errors);
    }

    /** Writes {@code s} as a JSON object, fields in the contract's order. */
    public static void write(JsonGenerator g, TrainingSpec s) {
        g.writeStartObject();
        g.writeStringProperty("dataset", s.dataset());
        g.writeStringProperty("label", s.label());
        g.writeName("features");
        strings(g, s.features());
        g.writeStringProperty("task", s.task() == null ? null : s.task().id());
        g.writeName("hidden");
        g.writeStartArray();
        for (TrainingSpec.HiddenLayer h : s.hidden()) {
            if (h.batchNorm() == null && h.activation() == null) {
                g.writeNumber(h.units());
                continue;
            }
            g.writeStartObject();
            g.writeNumberProperty("units", h.units());
            if (h.batchNorm() != null) g.writeBooleanProperty("batchNorm", h.batchNorm());
            if (h.activation() != null)
                g.writeStringProperty("activation", h.activation().id());
            g.writeEndObject();
        }
        g.writeEndArray();
        g.writeStringProperty("activation", s.activation().id());
        BatchNormSpec bn = s.batchNorm();
        g.writeName("batchNorm");
        g.writeStartObject();
        g.writeBooleanProperty("input", bn.input());
        g.writeBooleanProperty("hidden", bn.hidden());
        g.writeStringProperty("placement", bn.placement().id());
        g.writeName("momentum");
        if (bn.momentum() == null) g.writeNull();
        else g.writeNumber(bn.momentum());
        g.writeNumberProperty("eps", bn.eps());
        g.writeStringProperty("statistics", bn.statistics().id());
        g.writeEndObject();
        OptimizerSpec o = s.optimizer();
        g.writeName("optimizer");
        g.writeStartObject();
        g.writeStringProperty("type", o.type().id());
        g.writeNumberProperty("learningRate", o.learningRate());
        g.writeNumberProperty("momentum", o.momentum());
        g.writeNumberProperty("weightDecay", o.weightDecay());
        g.writeEndObject();
        g.writeNumberProperty("epochs", s.epochs());
        g.writeNumberProperty("batchSize", s.batchSize());
        g.writeNumberProperty("seed", s.seed());
        g.writeNumberProperty("validationSplit", s.validationSplit());
        g.writeBooleanProperty("shuffle", s.shuffle());
        Settings p = s.preprocessing();
        g.writeName("preprocessing");
        g.writeStartObject();
        g.writeStringProperty("missing", p.missing().id());
        g.writeBooleanProperty("missingIndicators", p.missingIndicators());
        g.writeNumberProperty("maxCategories", p.maxCategories());
        g.writeStringProperty("unknownCategory", p.unknownCategory().id());
        g.writeEndObject();
        g.writeName("earlyStopping");
        if (s.earlyStopping() == null) g.writeNull();
        else {
            g.writeStartObject();
            g.writeNumberProperty("patience", s.earlyStopping().patience());
            g.writeNumberProperty("minDelta", s.earlyStopping().minDelta());
            g.writeEndObject();
        }
        g.writeStringProperty(
                "classWeights",
                s.classWeights() == null ? null : s.classWeights().id());
        if (s.name() != null) g.writeStringProperty("name", s.name());
        g.writeEndObject();
    }

    private static void strings(JsonGenerator g, List<String> values) {
        if (values == null) {
            g.writeNull();
            return;
        }
        g.writeStartArray();
        for (String v : values) g.writeString(v);
        g.writeEndArray();
    }

    private List<String> features(JsonNode node) {
        if (node == null || node.isNull()) return null;
        List<String> out = new ArrayList<>();
        if (!node.isArray()) {
            typeErrors.add(Violation.field("features", "must be an array of column names"));
            return out;
        }
        for (int i = 0; i < node.size(); i++) {
            JsonNode f = node.get(i);
            if (!f.isString()) typeErrors.add(Violation.field("features[" + i + "]", "must be a column name (string)"));
            else out.add(f.stringValue());
        }
        return out;
    }

    private static final Set<String> HIDDEN = Set.of("units", "batchNorm", "activation");

    /** Widths, or objects {@code {"units", "batchNorm", "activation"}} whose absent keys take the request's values. */
    private List<TrainingSpec.HiddenLayer> hidden(JsonNode node, List<TrainingSpec.HiddenLayer> def) {
        if (node == null || node.isNull()) return def;
        List<TrainingSpec.HiddenLayer> out = new ArrayList<>();
        if (!node.isArray()) {
            typeErrors.add(Violation.field("hidden", "must be an array of layer widths, e.g. [64, 64]"));
            return out;
        }
        for (int i = 0; i < node.size() && typeErrors.size() <= Problem.MAX_VIOLATIONS; i++) {
            JsonNode w = node.get(i);
            String at = "hidden[" + i + "]";
            if (w.isObject()) {
                unknownFields(w, HIDDEN, at + ".");
                JsonNode units = w.get("units");
                if (units == null || !units.isIntegralNumber() || !units.canConvertToInt()) {
                    typeErrors.add(Violation.field(at + ".units", "required: an integer width"));
                    continue;
                }
                JsonNode bn = w.get("batchNorm");
                if (bn != null && !bn.isNull() && !bn.isBoolean()) {
                    typeErrors.add(Violation.field(at + ".batchNorm", "must be true or false"));
                    continue;
                }
                Activation act = w.hasNonNull("activation")
                        ? oneOf(w, "activation", null, Activation.values(), Activation::id, at + ".")
                        : null;
                out.add(new TrainingSpec.HiddenLayer(
                        units.intValue(), bn == null || bn.isNull() ? null : bn.booleanValue(), act));
            } else if (!w.isIntegralNumber() || !w.canConvertToInt()) {
                typeErrors.add(
                        Violation.field(at, "must be an integer width or {\"units\", \"batchNorm\", \"activation\"}"));
            } else {
                out.add(TrainingSpec.HiddenLayer.of(w.intValue()));
            }
        }
        return out;
    }

    /** Absent: the default; null: the cumulative average (PyTorch's {@code momentum=None}). */
    private Double momentum(JsonNode bn, Double def) {
        JsonNode m = bn.get("momentum");
        if (m == null) return def;
        if (m.isNull()) return null;
        if (!m.isNumber()) {
            typeErrors.add(Violation.field("batchNorm.momentum", "must be a number in [0, 1] or null"));
            return def;
        }
        return m.doubleValue();
    }

    private JsonNode object(JsonNode parent, String field) {
        JsonNode n = parent.get(field);
        if (n == null || n.isNull()) return JsonNodeFactory.instance.objectNode();
        if (!n.isObject()) {
            typeErrors.add(Violation.field(field, "must be an object"));
            return JsonNodeFactory.instance.objectNode();
        }
        return n;
    }

    private void unknownFields(JsonNode node, Set<String> known, String prefix) {
        for (String name : node.propertyNames()) {
            if (!known.contains(name)) {
                valueErrors.add(Violation.field(
                        prefix + name, "unknown field (known: " + String.join(", ", new TreeSet<>(known)) + ")"));
            }
        }
    }

    private String str(JsonNode parent, String field, String def, String at) {
        JsonNode n = parent.get(field);
        if (n == null || n.isNull()) return def;
        if (!n.isString()) {
            typeErrors.add(Violation.field(at, "must be a string"));
            return def;
        }
        return n.stringValue();
    }

    private <E extends Enum<E>> E oneOf(JsonNode parent, String field, E def, E[] values, Function<E, String> id) {
        return oneOf(parent, field, def, values, id, "");
    }

    /** One of {@code values} by its exact {@code id}; an unknown name is a value error listing the known ones. */
    private <E extends Enum<E>> E oneOf(
            JsonNode parent, String field, E def, E[] values, Function<E, String> id, String prefix) {
        String at = prefix + field;
        String v = str(parent, field, null, at);
        if (v == null) return def;
        List<String> allowed = new ArrayList<>();
        for (E e : values) {
            if (id.apply(e).equals(v)) return e;
            allowed.add(id.apply(e));
        }
        valueErrors.add(
                Violation.field(at, "unknown value '" + v + "' (expected " + String.join(" or ", allowed) + ")"));
        return def;
    }

    private <T> T enumValue(JsonNode n, String at, T def, Function<String, T> parse) {
        if (n == null || n.isNull()) return def;
        if (!n.isString()) {
            typeErrors.add(Violation.field(at, "must be a string"));
            return def;
        }
        try {
            return parse.apply(n.stringValue());
        } catch (IllegalArgumentException e) {
            valueErrors.add(Violation.field(at, e.getMessage()));
            return def;
        }
    }

    private boolean bool(JsonNode parent, String field, boolean def, String at) {
        JsonNode n = parent.get(field);
        if (n == null || n.isNull()) return def;
        if (!n.isBoolean()) {
            typeErrors.add(Violation.field(at, "must be true or false"));
            return def;
        }
        return n.booleanValue();
    }

    /** A JSON number as a double (possibly infinite: 1e400 reads as such, and the range checks refuse it). */
    private double number(JsonNode parent, String field, double def, String at) {
        JsonNode n = parent.get(field);
        if (n == null || n.isNull()) return def;
        if (!n.isNumber()) {
            typeErrors.add(Violation.field(at, "must be a number"));
            return def;
        }
        return n.doubleValue();
    }

    private int integer(JsonNode parent, String field, int def) {
        return integer(parent, field, def, field);
    }

    private int integer(JsonNode parent, String field, int def, String at) {
        JsonNode n = parent.get(field);
        if (n == null || n.isNull()) return def;
        if (!n.isIntegralNumber()) {
            typeErrors.add(Violation.field(at, "must be an integer"));
            return def;
        }
        if (!n.canConvertToInt()) {
            valueErrors.add(Violation.field(at, "is out of range, got " + n));
            return def;
        }
        return n.intValue();
    }

    private long longValue(JsonNode parent, String field, long def) {
        JsonNode n = parent.get(field);
        if (n == null || n.isNull()) return def;
        if (!n.isIntegralNumber() || !n.canConvertToLong()) {
            typeErrors.add(Violation.field(field, "must be an integer"));
            return def;
        }
        return n.longValue();
    }
}
