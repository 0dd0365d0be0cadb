package dev.bnserve.model;

import dev.bnserve.nn.EpochStats;
import dev.bnserve.nn.LayerKind;
import dev.bnserve.nn.LayerState;
import dev.bnserve.nn.Network;
import dev.bnserve.problem.Problem;
import java.io.ByteArrayOutputStream;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import tools.jackson.core.JacksonException;
import tools.jackson.core.JsonGenerator;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * The model document, format {@value #FORMAT} version {@value #VERSION}: the HTTP resource, the file
 * a model is saved in, and the export/import format are all this one JSON shape. Doubles are written
 * in Java's round-trip representation, so a model read back predicts bit for bit as before.
 *
 * <p>Layers: {@code {"type":"linear","in","out","weight":[[out × in]],"bias"}},
 * {@code {"type":"batchnorm","features","momentum","eps","gamma","beta","runningMean","runningVar","batchesTracked"}},
 * {@code {"type":"relu"|"tanh"}}.
 */
public final class ModelJson {
    public static final String FORMAT = "bnserve-model";
    public static final int VERSION = 1;

    private final JsonMapper mapper;

    public ModelJson(JsonMapper mapper) {
        this.mapper = mapper;
    }

    public ObjectNode write(ModelRecord m) {
        return write(m, true, true);
    }

    /** The document, leaving out {@code request} and {@code layers} (and {@code history}) rather than building them. */
    private ObjectNode write(ModelRecord m, boolean full, boolean history) {
        ObjectNode n = mapper.createObjectNode();
        n.put("format", FORMAT);
        n.put("version", VERSION);
        n.put("id", m.id());
        n.put("status", m.status().id());
        n.put("error", m.error());
        n.put("created", m.created().toString());
        n.put("finished", m.finished() == null ? null : m.finished().toString());
        n.put("dataset", m.dataset());
        n.put("label", m.label());
        n.put("task", m.task().id());
        strings(n.putArray("inputs"), m.inputs());
        if (m.classes() == null) n.putNull("classes");
        else strings(n.putArray("classes"), m.classes());
        if (m.source() != null) n.put("source", m.source());
        if (full) n.set("request", m.request() == null ? null : requestTree(m.request()));
        ObjectNode p = n.putObject("progress");
        p.put("epoch", m.epoch());
        p.put("epochs", m.epochs());
        if (history) {
            ArrayNode h = n.putArray("history");
            for (EpochStats e : m.history()) {
                ObjectNode o = h.addObject();
                o.put("epoch", e.epoch());
                putFinite(o, "loss", e.loss());
                putFinite(o, "validationLoss", e.validationLoss());
                putFinite(o, "validationAccuracy", e.validationAccuracy());
                putFinite(o, "validationRmse", e.validationRmse());
            }
        }
        n.set("metrics", m.metrics() == null ? null : mapper.valueToTree(m.metrics()));
        if (!full) return n;
        if (m.layers() == null) n.putNull("layers");
        else {
            ArrayNode layers = n.putArray("layers");
            for (LayerState l : m.layers()) writeLayer(layers.addObject(), l);
        }
        return n;
    }

    private JsonNode requestTree(TrainingSpec spec) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream(512);
        try (JsonGenerator g = mapper.createGenerator(bytes)) {
            TrainingSpecJson.write(g, spec);
        }
        return mapper.readTree(bytes.toByteArray());
    }

    public byte[] writeBytes(ModelRecord m) {
        return mapper.writeValueAsBytes(write(m));
    }

    public String writeString(ModelRecord m) {
        return mapper.writeValueAsString(write(m));
    }

    private static void putFinite(ObjectNode o, String field, double v) {
        if (Double.isFinite(v)) o.put(field, v);
    }

    private static void strings(ArrayNode a, List<String> values) {
        for (String s : values) a.add(s);
    }

    /** Writes {@code l} into {@code o} (the switch has no default: a new layer kind must be given a format). */
    private static ObjectNode writeLayer(ObjectNode o, LayerState l) {
        o.put("type", l.kind().id());
        return switch (l.kind()) {
            case LINEAR -> {
                LayerState.Linear lin = (LayerState.Linear) l;
                o.put("in", lin.in());
                o.put("out", lin.out());
                ArrayNode w = o.putArray("weight");
                double[] weight = lin.weight();
                for (int r = 0; r < lin.out(); r++) {
                    ArrayNode row = w.addArray();
                    for (int c = 0; c < lin.in(); c++) row.add(weight[r * lin.in() + c]);
                }
                numbers(o.putArray("bias"), lin.bias());
                yield o;
            }
            case BATCHNORM -> {
                LayerState.BatchNorm bn = (LayerState.BatchNorm) l;
                o.put("features", bn.features());
                if (bn.momentum() == null) o.putNull("momentum");
                else o.put("momentum", bn.momentum());
                o.put("eps", bn.eps());
                numbers(o.putArray("gamma"), bn.gamma());
                numbers(o.putArray("beta"), bn.beta());
                numbers(o.putArray("runningMean"), bn.runningMean());
                numbers(o.putArray("runningVar"), bn.runningVar());
                o.put("batchesTracked", bn.batchesTracked());
                yield o;
            }
            case RELU, TANH -> o;
        };
    }

    private static void numbers(ArrayNode a, double[] v) {
        for (double d : v) a.add(d);
    }

    /** Parses a saved or imported document; throws {@link ModelFormatException} naming the bad field. */
    public ModelRecord read(String json) {
        try {
            return read(mapper.readTree(json));
        } catch (JacksonException e) {
            throw new ModelFormatException("$", "not valid JSON: " + e.getOriginalMessage());
        }
    }

    public ModelRecord read(JsonNode n) {
        try {
            return readChecked(n);
        } catch (JacksonException e) {
            // a value of the wrong JSON type somewhere Jackson converts it for us
            throw new ModelFormatException("$", "a field has the wrong type; see the model format in the README");
        }
    }

    private ModelRecord readChecked(JsonNode n) {
        if (n == null || !n.isObject()) throw new ModelFormatException("$", "a model document must be a JSON object");
        if (n.has("format") && !FORMAT.equals(n.get("format").asString(""))) {
            throw new ModelFormatException("format", "expected format '" + FORMAT + "'");
        }
        if (n.has("version") && n.get("version").asInt(-1) != VERSION) {
            throw new ModelFormatException(
                    "version",
                    "unsupported version " + n.get("version") + " (this service reads version " + VERSION + ")");
        }
        List<String> inputs = stringList(n, "inputs");
        if (inputs.isEmpty()) throw new ModelFormatException("inputs", "a model needs at least one input");
        if (inputs.stream().distinct().count() != inputs.size())
            throw new ModelFormatException("inputs", "input names must be unique");
        Task task = parse("task", () -> Task.parse(text(n, "task")));
        List<String> classes = n.hasNonNull("classes") ? stringList(n, "classes") : null;
        if (task == Task.CLASSIFICATION && (classes == null || classes.isEmpty())) {
            throw new ModelFormatException("classes", "a classification model needs its class labels");
        }
        ModelStatus status =
                n.has("status") ? parse("status", () -> ModelStatus.parse(text(n, "status"))) : ModelStatus.READY;
        List<LayerState> layers = n.hasNonNull("layers") ? layers(n.get("layers"), inputs.size()) : null;
        if (status == ModelStatus.READY) {
            if (layers == null) throw new ModelFormatException("layers", "a ready model needs its layers");
            int outs = layers.get(layers.size() - 1).outputs();
            int want = task == Task.CLASSIFICATION ? classes.size() : 1;
            if (outs != want)
                throw new ModelFormatException(
                        "layers", "the network has " + outs + " outputs but the model needs " + want);
        }
        TrainingSpec request = null;
        if (n.hasNonNull("request")) {
            try {
                request = TrainingSpecJson.read(n.get("request"));
            } catch (Problem e) {
                throw new ModelFormatException("request", "must be a training request object as in GET /models/{id}");
            }
        }
        List<EpochStats> history = new ArrayList<>();
        JsonNode progress = n.path("progress");
        int epochs = progress.path("epochs").asInt(0);
        if (n.get("history") instanceof ArrayNode h) {
            for (JsonNode e : h) {
                JsonNode ep = e.get("epoch");
                if (ep == null || !ep.canConvertToInt())
                    throw new ModelFormatException("history[" + history.size() + "].epoch", "must be an integer");
                history.add(new EpochStats(
                        ep.intValue(),
                        epochs,
                        num(e, "loss"),
                        num(e, "validationLoss"),
                        num(e, "validationAccuracy"),
                        num(e, "validationRmse"),
                        0,
                        0));
            }
        }
        ModelRecord.Metrics metrics = null;
        if (n.hasNonNull("metrics")) {
            try {
                metrics = mapper.treeToValue(n.get("metrics"), ModelRecord.Metrics.class);
            } catch (JacksonException | IllegalArgumentException e) {
                throw new ModelFormatException("metrics", "must be a metrics object as in GET /models/{id}");
            }
        }
        Instant created = n.hasNonNull("created")
                ? parse("created", () -> Instant.parse(n.get("created").asString()))
                : Instant.now();
        Instant finished = n.hasNonNull("finished")
                ? parse("finished", () -> Instant.parse(n.get("finished").asString()))
                : null;
        return new ModelRecord(
                n.path("id").asString(null),
                status,
                n.path("error").asString(null),
                created,
                finished,
                n.path("dataset").asString(null),
                n.path("label").asString(null),
                task,
                inputs,
                classes,
                request,
                progress.path("epoch").asInt(0),
                epochs,
                history,
                metrics,
                layers,
                n.path("source").asString(null));
    }

    private static double num(JsonNode o, String field) {
        JsonNode v = o.get(field);
        return v != null && v.isNumber() ? v.doubleValue() : Double.NaN;
    }

    private static List<LayerState> layers(JsonNode arr, int inputs) {
        if (!arr.isArray() || arr.isEmpty())
            throw new ModelFormatException("layers", "layers must be a non-empty array");
        List<LayerState> out = new ArrayList<>();
        int d = inputs;
        for (int i = 0; i < arr.size(); i++) {
            String at = "layers[" + i + "]";
            JsonNode l = arr.get(i);
            String type = l.path("type").asString("");
            LayerKind kind = parse(at + ".type", () -> LayerKind.parse(type));
            LayerState s;
            try {
                s = switch (kind) {
                    case LINEAR -> {
                        int in = l.path("in").asInt(d), o = intField(l, at + ".out", "out");
                        if (in != d)
                            throw new ModelFormatException(
                                    at + ".in", "layer expects " + in + " inputs but receives " + d);
                        JsonNode w = l.get("weight");
                        if (w == null || !w.isArray() || w.size() != o)
                            throw new ModelFormatException(at + ".weight", "weight must be " + o + " rows of " + in);
                        double[] flat = new double[o * in];
                        for (int r = 0; r < o; r++) {
                            double[] row = numbers(w.get(r), in, at + ".weight[" + r + "]");
                            System.arraycopy(row, 0, flat, r * in, in);
                        }
                        yield new LayerState.Linear(in, o, flat, numbers(l.get("bias"), o, at + ".bias"));
                    }
                    case BATCHNORM -> {
                        int f = l.path("features").asInt(d);
                        if (f != d)
                            throw new ModelFormatException(
                                    at + ".features", "layer normalizes " + f + " features but receives " + d);
                        JsonNode m = l.get("momentum");
                        if (m != null && !m.isNull() && !m.isNumber())
                            throw new ModelFormatException(at + ".momentum", "must be a number in [0, 1] or null");
                        Double momentum =
                                m == null ? Double.valueOf(0.1) : m.isNull() ? null : Double.valueOf(m.doubleValue());
                        yield new LayerState.BatchNorm(
                                f,
                                momentum,
                                l.path("eps").asDouble(1e-5),
                                numbers(l.get("gamma"), f, at + ".gamma"),
                                numbers(l.get("beta"), f, at + ".beta"),
                                numbers(l.get("runningMean"), f, at + ".runningMean"),
                                numbers(l.get("runningVar"), f, at + ".runningVar"),
                                l.path("batchesTracked").asLong(0));
                    }
                    case RELU -> new LayerState.Relu(d);
                    case TANH -> new LayerState.Tanh(d);
                };
            } catch (IllegalArgumentException e) {
                throw new ModelFormatException(at, e.getMessage());
            }
            out.add(s);
            d = s.outputs();
        }
        Network.checkChain(inputs, out); // final consistency check of the chain
        return out;
    }

    private static int intField(JsonNode l, String at, String field) {
        JsonNode v = l.get(field);
        if (v == null || !v.canConvertToInt() || v.intValue() < 1)
            throw new ModelFormatException(at, field + " must be a positive integer");
        return v.intValue();
    }

    private static double[] numbers(JsonNode a, int n, String at) {
        if (a == null || !a.isArray() || a.size() != n)
            throw new ModelFormatException(at, "expected an array of " + n + " numbers");
        double[] out = new double[n];
        for (int i = 0; i < n; i++) {
            JsonNode v = a.get(i);
            if (!v.isNumber() || !Double.isFinite(v.doubleValue()))
                throw new ModelFormatException(at + "[" + i + "]", "expected a finite number");
            out[i] = v.doubleValue();
        }
        return out;
    }

    /** A required string field. */
    private static String text(JsonNode n, String field) {
        JsonNode v = n.get(field);
        if (v == null || !v.isString())
            throw new ModelFormatException(field, field + " is required and must be a string");
        return v.stringValue();
    }

    private static List<String> stringList(JsonNode n, String field) {
        JsonNode v = n.get(field);
        if (v == null || !v.isArray()) throw new ModelFormatException(field, field + " must be an array of strings");
        List<String> out = new ArrayList<>();
        for (JsonNode s : v) {
            if (!s.isString()) throw new ModelFormatException(field, field + " must be an array of strings");
            out.add(s.stringValue());
        }
        return out;
    }

    private static <T> T parse(String field, java.util.function.Supplier<T> f) {
        try {
            return f.get();
        } catch (RuntimeException e) {
            if (e instanceof ModelFormatException m) throw m;
            throw new ModelFormatException(field, e.getMessage());
        }
    }

    /** For progress events: status, progress, history and metrics, without the layers. */
    public ObjectNode summaryWithHistory(ModelRecord m) {
        return write(m, false, true);
    }

    /** For listings: the model without its layers. */
    public ObjectNode summary(ModelRecord m) {
        return write(m, false, false);
    }
}
