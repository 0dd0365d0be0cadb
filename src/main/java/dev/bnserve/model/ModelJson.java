package dev.bnserve.model;

import dev.bnserve.config.BnserveProperties;
import dev.bnserve.nn.EpochStats;
import dev.bnserve.nn.LayerKind;
import dev.bnserve.nn.LayerState;
import dev.bnserve.nn.Network;
import dev.bnserve.prep.Preprocessor;
import dev.bnserve.problem.Problem;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;
import java.util.function.LongConsumer;
import tools.jackson.core.JacksonException;
import tools.jackson.core.JsonGenerator;
import tools.jackson.core.JsonParser;
import tools.jackson.core.JsonToken;
import tools.jackson.core.StreamReadFeature;
import tools.jackson.core.StreamWriteFeature;
import tools.jackson.databind.DeserializationFeature;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.ObjectReader;
import tools.jackson.databind.ObjectWriter;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.NullNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * The model document, format {@value #FORMAT} version {@value #VERSION}: the HTTP resource, the file
 * a model is saved in, and the export/import format are all this one JSON shape. Doubles are written
 * in Java's round-trip representation, so a model read back predicts bit for bit as before.
 *
 * <p>Layers: {@code {"type":"linear","in","out","weight":[[out × in]],"bias"}},
 * {@code {"type":"batchnorm","features","momentum","eps","gamma","beta","runningMean","runningVar","batchesTracked"}},
 * {@code {"type":"relu"|"tanh"}}.
 *
 * <p>Both directions stream: {@link #write(ModelRecord, OutputStream)} drives a {@link JsonGenerator} (no tree, no
 * boxed numbers) and {@link #read(InputStream)} a {@link JsonParser}, putting weights straight into {@code double[]}.
 * Only the small top-level fields (everything but {@code layers}) and the scalar fields of each layer are read as
 * little trees, so the checks and messages are those of the tree-based reader this replaced. Shapes are checked
 * against {@link Limits} and the chain's widths before any parameter array is allocated, and an array is allocated no
 * faster than its values arrive, so a small document claiming a huge layer costs nothing.
 */
public final class ModelJson {
    public static final String FORMAT = "bnserve-model";
    public static final int VERSION = 3;

    /**
     * The versions this reader reads: 1 (no preprocessing), 2 (preprocessing, ignored columns) and 3 (names and
     * versions). Up to 2 the format version was the field {@code version}; from 3 it is {@code formatVersion}, and
     * {@code version} is the model's version among those of its {@code name}.
     */
    private static final int OLDEST = 1;

    /** The last format version written as {@code "version"}. */
    private static final int LAST_UNNAMED = 2;

    /** Largest first allocation for one weight matrix (values); larger ones grow as their rows arrive. */
    static final int INITIAL_WEIGHT_CAPACITY = 1 << 23;

    /** Heap of one value of a document held as a tree (a node, its slot in its array): an estimate. */
    static final int TREE_BYTES_PER_VALUE = 48;

    static final int TREE_VALUES_PER_RESERVATION = 1 << 16;

    private static final Set<String> LAYER_ARRAYS =
            Set.of("weight", "bias", "gamma", "beta", "runningMean", "runningVar");

    /**
     * Sanity bounds for documents read, so that a claimed shape is refused before it is allocated.
     *
     * @param maxInputs       inputs of a model ({@code bnserve.limits.max-columns}: inputs are dataset columns)
     * @param maxWidth        units of a hidden layer ({@code bnserve.limits.max-hidden-width})
     * @param maxHiddenLayers hidden layers ({@code bnserve.limits.max-hidden-layers}); a network has at most one
     *                        more linear layer than that, and at most four layers per linear one
     * @param maxClasses      classes of a classifier, i.e. the width of an output layer wider than {@code maxWidth}
     */
    public record Limits(int maxInputs, int maxWidth, int maxHiddenLayers, int maxClasses) {
        /** Training sets no class limit; this bounds the output layer a document may claim. */
        public static final int DEFAULT_MAX_CLASSES = 65_536;

        public Limits {
            if (maxInputs < 1 || maxWidth < 1 || maxHiddenLayers < 1 || maxClasses < 1)
                throw new IllegalArgumentException("model limits must be positive");
        }

        public static Limits of(BnserveProperties.Limits limits) {
            return new Limits(
                    limits.maxColumns(), limits.maxHiddenWidth(), limits.maxHiddenLayers(), DEFAULT_MAX_CLASSES);
        }

        public static Limits defaults() {
            return of(BnserveProperties.defaults().limits());
        }

        int maxLinearLayers() {
            return maxHiddenLayers + 1;
        }

        int maxLayers() {
            return 4 * maxLinearLayers();
        }
    }

    private final JsonMapper mapper;
    private final Limits limits;
    private final ObjectWriter writer;
    private final ObjectReader reader;

    public ModelJson(JsonMapper mapper) {
        this(mapper, Limits.defaults());
    }

    public ModelJson(JsonMapper mapper, Limits limits) {
        this.mapper = mapper;
        this.limits = limits;
        this.writer = mapper.writer().without(StreamWriteFeature.AUTO_CLOSE_TARGET);
        // sub-trees are read from the middle of the document: what follows them is not "trailing"
        this.reader = mapper.reader()
                .without(StreamReadFeature.AUTO_CLOSE_SOURCE)
                .without(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);
    }

    public Limits limits() {
        return limits;
    }

    // ================================================================== writing

    /** The {@code preprocessing} field of the model document, as a JSON text (for the ONNX export's metadata). */
    public String preprocessingJson(Preprocessor p) {
        java.io.StringWriter out = new java.io.StringWriter();
        try (JsonGenerator g = writer.createGenerator(out)) {
            PreprocessingJson.write(g, p);
        }
        return out.toString();
    }

    /** Streams the full document to {@code out} (flushed, not closed). */
    public void write(ModelRecord m, OutputStream out) {
        try (JsonGenerator g = writer.createGenerator(out)) {
            write(g, m, true, true);
        }
    }

    public byte[] writeBytes(ModelRecord m) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(m.layers() == null ? 1024 : 64 * 1024);
        write(m, out);
        return out.toByteArray();
    }

    public String writeString(ModelRecord m) {
        return new String(writeBytes(m), StandardCharsets.UTF_8);
    }

    /** The summary of {@link #summary(ModelRecord)} as bytes, streamed. */
    public byte[] summaryBytes(ModelRecord m, boolean history) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(1024);
        try (JsonGenerator g = writer.createGenerator(out)) {
            write(g, m, false, history);
        }
        return out.toByteArray();
    }

    /**
     * A progress event: id, status, progress, and only the history entries from index {@code from} on (the epochs a
     * subscriber has not been sent yet).
     */
    public byte[] progressBytes(ModelRecord m, int from) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(256);
        try (JsonGenerator g = writer.createGenerator(out)) {
            g.writeStartObject();
            g.writeStringProperty("id", m.id());
            g.writeStringProperty("status", m.status().id());
            g.writeObjectPropertyStart("progress");
            g.writeNumberProperty("epoch", m.epoch());
            g.writeNumberProperty("epochs", m.epochs());
            g.writeEndObject();
            g.writeArrayPropertyStart("history");
            List<EpochStats> h = m.history();
            for (int i = from; i < h.size(); i++) writeEpoch(g, h.get(i));
            g.writeEndArray();
            g.writeEndObject();
        }
        return out.toByteArray();
    }

    /** For progress events: status, progress, history and metrics, without the request and the layers. */
    public ObjectNode summaryWithHistory(ModelRecord m) {
        return (ObjectNode) mapper.readTree(summaryBytes(m, true));
    }

    /** For listings: the model without its request, history and layers. */
    public ObjectNode summary(ModelRecord m) {
        return (ObjectNode) mapper.readTree(summaryBytes(m, false));
    }

    /**
     * The document, leaving out {@code request} and {@code layers} (and {@code history}) rather than writing them.
     * Field order and number forms are those of format version 1 (see {@code models/v1-model.json} in the tests).
     */
    private void write(JsonGenerator g, ModelRecord m, boolean full, boolean history) {
        g.writeStartObject();
        g.writeStringProperty("format", FORMAT);
        g.writeNumberProperty("formatVersion", VERSION);
        string(g, "id", m.id());
        if (m.name() != null) {
            g.writeStringProperty("name", m.name());
            g.writeNumberProperty("version", m.version());
        }
        g.writeStringProperty("status", m.status().id());
        if (m.trainedBy() != null) g.writeStringProperty("trainedBy", m.trainedBy());
        string(g, "error", m.error());
        g.writeStringProperty("created", m.created().toString());
        string(g, "finished", m.finished() == null ? null : m.finished().toString());
        string(g, "dataset", m.dataset());
        string(g, "label", m.label());
        g.writeStringProperty("task", m.task().id());
        strings(g, "inputs", m.inputs());
        if (m.classes() == null) g.writeNullProperty("classes");
        else strings(g, "classes", m.classes());
        if (m.source() != null) g.writeStringProperty("source", m.source());
        if (m.derivation() != null) {
            g.writeStringProperty("derivedFrom", m.derivation().derivedFrom());
            g.writeStringProperty("statisticsSource", m.derivation().statisticsSource());
        }
        if (!m.ignored().isEmpty()) {
            g.writeArrayPropertyStart("ignored");
            for (IgnoredColumn c : m.ignored()) {
                g.writeStartObject();
                g.writeStringProperty("name", c.name());
                g.writeStringProperty("reason", c.reason());
                g.writeEndObject();
            }
            g.writeEndArray();
        }
        if (m.preprocessing() != null) {
            strings(g, "encodedInputs", m.preprocessing().encodedInputs());
            if (full) {
                g.writeName("preprocessing");
                PreprocessingJson.write(g, m.preprocessing());
            }
        }
        if (full) {
            g.writeName("request");
            if (m.request() == null) g.writeNull();
            else TrainingSpecJson.write(g, m.request());
        }
        g.writeObjectPropertyStart("progress");
        g.writeNumberProperty("epoch", m.epoch());
        g.writeNumberProperty("epochs", m.epochs());
        g.writeEndObject();
        if (history) {
            g.writeArrayPropertyStart("history");
            for (EpochStats e : m.history()) writeEpoch(g, e);
            g.writeEndArray();
        }
        pojo(g, "metrics", m.metrics());
        if (full) {
            if (m.layers() == null) g.writeNullProperty("layers");
            else {
                g.writeArrayPropertyStart("layers");
                for (LayerState l : m.layers()) writeLayer(g, l);
                g.writeEndArray();
            }
        }
        g.writeEndObject();
    }

    private static void writeEpoch(JsonGenerator g, EpochStats e) {
        g.writeStartObject();
        g.writeNumberProperty("epoch", e.epoch());
        finite(g, "loss", e.loss());
        finite(g, "validationLoss", e.validationLoss());
        finite(g, "validationAccuracy", e.validationAccuracy());
        finite(g, "validationRmse", e.validationRmse());
        g.writeEndObject();
    }

    private void pojo(JsonGenerator g, String field, Object value) {
        g.writeName(field);
        if (value == null) g.writeNull();
        else writer.writeValue(g, value);
    }

    private static void string(JsonGenerator g, String field, String value) {
        if (value == null) g.writeNullProperty(field);
        else g.writeStringProperty(field, value);
    }

    private static void finite(JsonGenerator g, String field, double v) {
        if (Double.isFinite(v)) g.writeNumberProperty(field, v);
    }

    private static void strings(JsonGenerator g, String field, List<String> values) {
        g.writeArrayPropertyStart(field);
        for (String s : values) g.writeString(s);
        g.writeEndArray();
    }

    private static void writeLayer(JsonGenerator g, LayerState l) {
        g.writeStartObject();
        g.writeStringProperty("type", l.kind().id());
        switch (l.kind()) {
            case LINEAR -> {
                LayerState.Linear lin = (LayerState.Linear) l;
                g.writeNumberProperty("in", lin.in());
                g.writeNumberProperty("out", lin.out());
                g.writeArrayPropertyStart("weight");
                for (int r = 0; r < lin.out(); r++) { // value by value: no copy of the matrix per answer
                    g.writeStartArray();
                    int base = r * lin.in();
                    for (int c = 0; c < lin.in(); c++) g.writeNumber(lin.weightAt(base + c));
                    g.writeEndArray();
                }
                g.writeEndArray();
                numbers(g, "bias", lin.bias());
            }
            case BATCHNORM -> {
                LayerState.BatchNorm bn = (LayerState.BatchNorm) l;
                g.writeNumberProperty("features", bn.features());
                if (bn.momentum() == null) g.writeNullProperty("momentum");
                else g.writeNumberProperty("momentum", bn.momentum().doubleValue());
                g.writeNumberProperty("eps", bn.eps());
                numbers(g, "gamma", bn.gamma());
                numbers(g, "beta", bn.beta());
                numbers(g, "runningMean", bn.runningMean());
                numbers(g, "runningVar", bn.runningVar());
                g.writeNumberProperty("batchesTracked", bn.batchesTracked());
            }
            case RELU, TANH -> {} // no parameters
        }
        g.writeEndObject();
    }

    private static void numbers(JsonGenerator g, String field, double[] v) {
        g.writeArrayPropertyStart(field);
        for (double d : v) g.writeNumber(d);
        g.writeEndArray();
    }

    // ================================================================== reading

    /**
     * Streams a saved or imported document from {@code in} (not closed). Content errors are a
     * {@link ModelFormatException} naming the field; JSON that is malformed or cut off, and failures of {@code in}
     * itself, are thrown as the parser's {@link JacksonException} (its cause being any {@link java.io.IOException}),
     * so a caller can tell a bad model from a bad or broken body.
     */
    public ModelRecord read(InputStream in) {
        return read(in, NO_RESERVATION);
    }

    /**
     * As {@link #read(InputStream)}, telling {@code reserve} the bytes of each parameter array (8 a value) once its
     * shape is checked and before it is allocated, so that a caller can refuse a document its heap cannot hold
     * (whatever {@code reserve} throws ends the read).
     */
    public ModelRecord read(InputStream in, LongConsumer reserve) {
        try (JsonParser p = reader.createParser(in)) {
            return read(p, reserve);
        }
    }

    private static final LongConsumer NO_RESERVATION = bytes -> {};

    /** Parses a saved or imported document; throws {@link ModelFormatException} naming the bad field. */
    public ModelRecord read(String json) {
        try (JsonParser p = reader.createParser(json)) {
            return read(p, NO_RESERVATION);
        } catch (JacksonException e) {
            // the location, not Jackson's message: that names its features and methods
            var at = e.getLocation();
            throw new ModelFormatException(
                    "$",
                    "not valid JSON"
                            + (at != null && at.getLineNr() > 0
                                    ? " at line " + at.getLineNr() + ", column " + at.getColumnNr()
                                    : ""));
        }
    }

    /** A document already parsed (hand-built ones in tests and tools); read with the same streaming reader. */
    public ModelRecord read(JsonNode n) {
        if (n == null) throw new ModelFormatException("$", "a model document must be a JSON object");
        try (JsonParser p = mapper.treeAsTokens(n)) {
            return read(p, NO_RESERVATION);
        }
    }

    private ModelRecord read(JsonParser p, LongConsumer reserve) {
        JsonToken first = p.nextToken();
        if (first != JsonToken.START_OBJECT) {
            if (first != null) {
                p.skipChildren();
                p.nextToken(); // anything after the value is a syntax error the caller should hear of
            }
            throw new ModelFormatException("$", "a model document must be a JSON object");
        }
        return new V1Reader(p, reserve).read();
    }

    /**
     * Reads version 1. Every written document starts with {@code format} and {@code version}, so a reader for a later
     * version would be chosen where {@code version} is met ({@link V1Reader#onVersion}) and read the rest; documents
     * without the markers (hand-written) are version 1.
     */
    private final class V1Reader {
        private final JsonParser p;
        /** Every top-level field but {@code layers}: small, and checked exactly as the tree-based reader did. */
        private final ObjectNode head = mapper.createObjectNode();

        private boolean sawLayers;
        private List<LayerState> layers; // null: absent or JSON null
        private ModelFormatException layersError;
        private JsonNode bufferedLayers; // layers met before the inputs: read once the whole document is in

        private final LongConsumer reserve;

        V1Reader(JsonParser p, LongConsumer reserve) {
            this.p = p;
            this.reserve = reserve;
        }

        ModelRecord read() {
            for (String name = p.nextName(); name != null; name = p.nextName()) {
                p.nextToken();
                if (name.equals("layers")) {
                    readLayersField();
                } else {
                    head.set(name, tree());
                    if (name.equals("version")) onVersion(head.get("version"));
                }
            }
            if (p.nextToken() != null) {
                throw new ModelFormatException("$", "a model document must be a single JSON object");
            }
            try {
                return validate();
            } catch (JacksonException e) {
                // a value of the wrong JSON type somewhere Jackson converts it for us
                throw new ModelFormatException("$", "a field has the wrong type; see the model format in the README");
            }
        }

        /** The place to hand over to the reader of another version; version 1 is the only one so far. */
        private void onVersion(JsonNode version) {
            // A version other than 1 is refused in validate(), after the format check, as before.
        }

        private JsonNode tree() {
            JsonNode v = reader.readTree(p);
            return v == null ? NullNode.getInstance() : v;
        }

        private long treeValues;

        /**
         * The value at the parser as a tree, as {@link #tree()} reads it, telling {@code reserve} its heap as it grows
         * ({@value #TREE_BYTES_PER_VALUE} bytes a value, every {@value #TREE_VALUES_PER_RESERVATION} values): layers
         * met before the inputs are held whole, as nodes, until the document ends.
         */
        private JsonNode countedTree() {
            JsonToken t = p.currentToken();
            if (++treeValues % TREE_VALUES_PER_RESERVATION == 0)
                reserve.accept((long) TREE_VALUES_PER_RESERVATION * TREE_BYTES_PER_VALUE);
            var nodes = mapper.getNodeFactory();
            if (t == JsonToken.START_OBJECT) {
                ObjectNode o = nodes.objectNode();
                for (String name = p.nextName(); name != null; name = p.nextName()) {
                    p.nextToken();
                    o.set(name, countedTree());
                }
                return o;
            }
            if (t == JsonToken.START_ARRAY) {
                ArrayNode a = nodes.arrayNode();
                for (JsonToken x = p.nextToken(); x != JsonToken.END_ARRAY && x != null; x = p.nextToken())
                    a.add(countedTree());
                return a;
            }
            if (t == null) return NullNode.getInstance();
            return tree(); // a scalar: as Jackson reads it
        }

        private void readLayersField() {
            sawLayers = true;
            layers = null;
            layersError = null;
            bufferedLayers = null;
            if (p.currentToken() == JsonToken.VALUE_NULL) return;
            Integer inputs = knownInputs();
            if (inputs == null) {
                if (head.has("inputs")) p.skipChildren(); // the inputs are invalid: that error comes first
                else bufferedLayers = countedTree(); // not yet known (hand-written order): the rest decides
                return;
            }
            boolean array = p.currentToken() == JsonToken.START_ARRAY;
            int depth = p.streamReadContext().getNestingDepth(); // of the layers array itself
            try {
                layers = new LayerReader(p, inputs, knownOutputs(), reserve).readLayers();
            } catch (ModelFormatException e) {
                // kept until the whole document is read: a syntax error later on, or an earlier field's error
                // (checked first, as before), takes precedence
                layersError = e;
                if (array) skipRest(depth);
            }
        }

        /** After an error inside the {@code layers} array: consume the rest of it. */
        private void skipRest(int depth) {
            while (p.streamReadContext().getNestingDepth() >= depth) {
                JsonToken t = p.nextToken();
                if (t == null) return; // cut off: the next read reports it
                if (t == JsonToken.START_OBJECT || t == JsonToken.START_ARRAY) p.skipChildren();
            }
        }

        /**
         * The width of the network's input if it is already known and valid, else null: the encoded width when the
         * document has preprocessing (which must come before the layers to stream them), else the number of inputs.
         */
        private Integer knownInputs() {
            try {
                Preprocessor prep = preprocessing(inputs());
                return prep == null ? inputs().size() : prep.width();
            } catch (ModelFormatException | JacksonException e) {
                return null;
            }
        }

        /** The preprocessing in the head, if any. */
        private Preprocessor preprocessing(List<String> inputs) {
            JsonNode p = head.get("preprocessing");
            if (p == null || p.isNull()) return null;
            if (!p.isObject()) throw new ModelFormatException("preprocessing", "must be an object");
            return PreprocessingJson.read(p, inputs);
        }

        private ModelRecord.Derivation derivation() {
            JsonNode from = head.get("derivedFrom");
            if (from == null || from.isNull()) return null;
            if (!from.isString()) throw new ModelFormatException("derivedFrom", "must be a model id");
            JsonNode how = head.get("statisticsSource");
            return new ModelRecord.Derivation(
                    from.stringValue(), how != null && how.isString() ? how.stringValue() : null);
        }

        private List<IgnoredColumn> ignored() {
            JsonNode v = head.get("ignored");
            if (v == null || v.isNull()) return List.of();
            if (!v.isArray()) throw new ModelFormatException("ignored", "must be an array of {name, reason}");
            List<IgnoredColumn> out = new ArrayList<>();
            for (JsonNode c : v) {
                if (!c.path("name").isString() || !c.path("reason").isString()) {
                    throw new ModelFormatException("ignored", "must be an array of {name, reason}");
                }
                out.add(new IgnoredColumn(
                        c.get("name").stringValue(), c.get("reason").stringValue()));
            }
            return out;
        }

        /** The output width the model needs, if task and classes are already known and valid, else null. */
        private Integer knownOutputs() {
            if (!head.has("task")) return null;
            try {
                Task task = Task.parse(text(head, "task"));
                if (task != Task.CLASSIFICATION) return 1;
                List<String> classes = head.hasNonNull("classes") ? classes() : null;
                return classes == null || classes.isEmpty() ? null : classes.size();
            } catch (RuntimeException e) {
                return null;
            }
        }

        private List<String> inputs() {
            List<String> inputs = stringList(head, "inputs");
            if (inputs.isEmpty()) throw new ModelFormatException("inputs", "a model needs at least one input");
            if (inputs.stream().distinct().count() != inputs.size())
                throw new ModelFormatException("inputs", "input names must be unique");
            if (inputs.size() > limits.maxInputs())
                throw new ModelFormatException(
                        "inputs",
                        "a model has at most " + limits.maxInputs() + " inputs (bnserve.limits.max-columns), not "
                                + inputs.size());
            return inputs;
        }

        private List<String> classes() {
            List<String> classes = stringList(head, "classes");
            if (classes.size() > limits.maxClasses())
                throw new ModelFormatException(
                        "classes", "a model has at most " + limits.maxClasses() + " classes, not " + classes.size());
            // Duplicate labels would make an answer's probabilities object carry duplicate keys.
            Set<String> seen = new HashSet<>();
            for (String c : classes) {
                if (!seen.add(c))
                    throw new ModelFormatException("classes", "class labels must be unique: '" + c + "' repeats");
            }
            return classes;
        }

        /** The checks of the tree-based reader, in its order, on the head fields and the layers read. */
        private ModelRecord validate() {
            ObjectNode n = head;
            if (n.has("format") && !FORMAT.equals(n.get("format").asString(""))) {
                throw new ModelFormatException("format", "expected format '" + FORMAT + "'");
            }
            String name = null;
            Integer version = null;
            if (n.has("formatVersion")) {
                JsonNode f = n.get("formatVersion");
                if (!f.isIntegralNumber() || f.asInt(-1) <= LAST_UNNAMED || f.asInt(-1) > VERSION) {
                    throw new ModelFormatException(
                            "formatVersion",
                            "unsupported format version " + f + " (this service reads formatVersion "
                                    + (LAST_UNNAMED + 1) + " to " + VERSION
                                    + ", and earlier documents marked \"version\": 1 or 2)");
                }
                if (n.hasNonNull("name")) {
                    JsonNode nm = n.get("name");
                    if (!nm.isString() || !ModelRef.isName(nm.stringValue()))
                        throw new ModelFormatException("name", "must match " + ModelRef.NAME_SYNTAX);
                    name = nm.stringValue();
                    JsonNode v = n.get("version");
                    if (v == null || !v.isIntegralNumber() || v.asLong(0) < 1 || v.asLong(0) > Integer.MAX_VALUE)
                        throw new ModelFormatException("version", "a named model's version must be a positive integer");
                    version = v.asInt();
                } else if (n.has("version")) {
                    throw new ModelFormatException("version", "a model version needs the model's name");
                }
            } else if (n.has("version")
                    && (!n.get("version").isIntegralNumber()
                            || n.get("version").asInt(-1) < OLDEST
                            || n.get("version").asInt(-1) > LAST_UNNAMED)) {
                throw new ModelFormatException(
                        "version",
                        "unsupported version " + n.get("version") + " (this service reads versions " + OLDEST + " to "
                                + VERSION + "; from 3 on, the format version is \"formatVersion\")");
            }
            List<String> inputs = inputs();
            Preprocessor prep = preprocessing(inputs);
            int width = prep == null ? inputs.size() : prep.width();
            Task task = parse("task", () -> Task.parse(text(n, "task")));
            List<String> classes = n.hasNonNull("classes") ? classes() : null;
            if (task == Task.CLASSIFICATION && (classes == null || classes.isEmpty())) {
                throw new ModelFormatException("classes", "a classification model needs its class labels");
            }
            ModelStatus status =
                    n.has("status") ? parse("status", () -> ModelStatus.parse(text(n, "status"))) : ModelStatus.READY;
            int want = task == Task.CLASSIFICATION ? classes.size() : 1;
            if (bufferedLayers != null) {
                try (JsonParser tokens = mapper.treeAsTokens(bufferedLayers)) {
                    tokens.nextToken();
                    layers = new LayerReader(tokens, width, want, reserve).readLayers();
                }
            } else if (layersError != null) {
                throw layersError;
            }
            if (!sawLayers) layers = null;
            if (status == ModelStatus.READY) {
                if (layers == null) throw new ModelFormatException("layers", "a ready model needs its layers");
                int outs = layers.get(layers.size() - 1).outputs();
                if (outs != want)
                    throw new ModelFormatException(
                            "layers", "the network has " + outs + " outputs but the model needs " + want);
            }
            TrainingSpec request = null;
            if (n.hasNonNull("request")) {
                try {
                    request = TrainingSpecJson.read(n.get("request"));
                } catch (Problem e) {
                    throw new ModelFormatException(
                            "request", "must be a training request object as in GET /models/{id}");
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
                    n.path("source").asString(null),
                    prep,
                    ignored(),
                    derivation(),
                    name,
                    version,
                    n.path("trainedBy").isString() ? n.get("trainedBy").stringValue() : null);
        }
    }

    /**
     * Reads the {@code layers} array from the parser positioned on its first token, checking each layer as the
     * tree-based reader did: a layer's scalar fields are collected as a small tree, its arrays are streamed into
     * {@code double[]} once its type and shape are known and within bounds (or, in a hand-written order where an
     * array comes before them, kept as a tree until the layer ends).
     */
    private final class LayerReader {
        private final JsonParser p;
        private final int inputs;
        private final Integer want; // the model's output width, if known
        private final LongConsumer reserve; // told each array's bytes before it is allocated
        private int linears;

        LayerReader(JsonParser p, int inputs, Integer want, LongConsumer reserve) {
            this.p = p;
            this.inputs = inputs;
            this.want = want;
            this.reserve = reserve;
        }

        List<LayerState> readLayers() {
            if (p.currentToken() != JsonToken.START_ARRAY) {
                p.skipChildren();
                throw new ModelFormatException("layers", "layers must be a non-empty array");
            }
            List<LayerState> out = new ArrayList<>();
            int d = inputs;
            for (JsonToken t = p.nextToken(); t != JsonToken.END_ARRAY; t = p.nextToken()) {
                if (t == null) return out; // cut off: the parser reports it to the caller
                int i = out.size();
                if (i >= limits.maxLayers())
                    throw new ModelFormatException(
                            "layers",
                            "a network has at most " + limits.maxLayers() + " layers (4 per linear layer, of which "
                                    + limits.maxLinearLayers() + ": bnserve.limits.max-hidden-layers + 1)");
                LayerState s = readLayer("layers[" + i + "]", d);
                out.add(s);
                d = s.outputs();
            }
            if (out.isEmpty()) throw new ModelFormatException("layers", "layers must be a non-empty array");
            Network.checkChain(inputs, out); // final consistency check of the chain
            return out;
        }

        private LayerState readLayer(String at, int d) {
            ObjectNode meta = mapper.createObjectNode();
            Arrays arrays = new Arrays();
            if (p.currentToken() == JsonToken.START_OBJECT) {
                for (String name = p.nextName(); name != null; name = p.nextName()) {
                    p.nextToken();
                    if (LAYER_ARRAYS.contains(name)) arrays.read(name, meta, d, at);
                    else meta.set(name, treeOf(p));
                }
            } else {
                p.skipChildren(); // not an object: no type, as before
            }
            try {
                return check(meta, arrays, at, d);
            } catch (JacksonException e) {
                throw new ModelFormatException("$", "a field has the wrong type; see the model format in the README");
            }
        }

        private JsonNode treeOf(JsonParser parser) {
            JsonNode v = reader.readTree(parser);
            return v == null ? NullNode.getInstance() : v;
        }

        /** The shape {@code {in, out}} a linear layer's arrays are read with, or null if it is refused anyway. */
        private int[] linearShape(ObjectNode l, int d, String at) {
            try {
                int in = l.path("in").asInt(d), o = intField(l, at + ".out", "out");
                if (in != d || !withinBounds(o) || linears + 1 > limits.maxLinearLayers()) return null;
                return new int[] {in, o};
            } catch (ModelFormatException | JacksonException e) {
                return null;
            }
        }

        private boolean withinBounds(int out) {
            return out <= limits.maxWidth() || (want != null ? out == want : out <= limits.maxClasses());
        }

        private LayerState check(ObjectNode l, Arrays a, String at, int d) {
            String type = l.path("type").asString("");
            LayerKind kind;
            try {
                kind = LayerKind.parse(type);
            } catch (IllegalArgumentException e) {
                throw new ModelFormatException(at + ".type", e.getMessage());
            }
            try {
                return switch (kind) {
                    case LINEAR -> {
                        int in = l.path("in").asInt(d), o = intField(l, at + ".out", "out");
                        if (++linears > limits.maxLinearLayers())
                            throw new ModelFormatException(
                                    at,
                                    "a network has at most " + limits.maxLinearLayers()
                                            + " linear layers: bnserve.limits.max-hidden-layers hidden ones ("
                                            + limits.maxHiddenLayers() + ") and the output");
                        if (in != d)
                            throw new ModelFormatException(
                                    at + ".in", "layer expects " + in + " inputs but receives " + d);
                        if (!withinBounds(o))
                            throw new ModelFormatException(
                                    at + ".out",
                                    "out " + o + " is wider than a hidden layer may be (" + limits.maxWidth()
                                            + ", bnserve.limits.max-hidden-width)"
                                            + (want != null
                                                    ? " and is not the model's " + want + " outputs"
                                                    : " and than a model's " + limits.maxClasses() + " classes"));
                        double[] flat = a.matrix(o, in, at + ".weight");
                        yield new LayerState.Linear(in, o, flat, a.numbers("bias", o, at + ".bias"));
                    }
                    case BATCHNORM -> {
                        JsonNode fn = l.get("features");
                        if (fn != null && !fn.canConvertToInt())
                            throw new ModelFormatException(at + ".features", "must be an integer");
                        int f = fn == null ? d : fn.intValue();
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
                                eps(l.get("eps"), at),
                                a.numbers("gamma", f, at + ".gamma"),
                                a.numbers("beta", f, at + ".beta"),
                                a.numbers("runningMean", f, at + ".runningMean"),
                                a.numbers("runningVar", f, at + ".runningVar"),
                                batchesTracked(l.get("batchesTracked"), at));
                    }
                    case RELU -> new LayerState.Relu(d);
                    case TANH -> new LayerState.Tanh(d);
                };
            } catch (IllegalArgumentException e) {
                throw new ModelFormatException(at, e.getMessage());
            }
        }

        /**
         * A layer's array fields as read: streamed into {@code double[]} when the layer's type and shape are already
         * known (as in every written document), skipped when that shape will be refused anyway, else (a hand-written
         * order, arrays before {@code type} or {@code out}) kept as small trees until the layer ends.
         */
        private final class Arrays {
            private final ObjectNode trees = mapper.createObjectNode();
            private final Map<String, Streamed> streamed = new HashMap<>();

            void read(String name, ObjectNode meta, int d, String at) {
                streamed.remove(name);
                trees.remove(name);
                JsonNode typeNode = meta.get("type");
                String type = typeNode == null ? null : typeNode.asString("");
                if (type == null || ("linear".equals(type) && !meta.has("out"))) {
                    trees.set(name, treeOf(p));
                } else if ("linear".equals(type)) {
                    int[] shape = linearShape(meta, d, at);
                    if (shape == null) p.skipChildren();
                    else if (name.equals("weight")) {
                        reserve.accept(8L * shape[0] * shape[1]);
                        streamed.put(
                                name,
                                new Streamed(shape[0], shape[1], readMatrix(p, shape[1], shape[0], at + ".weight")));
                    } else if (name.equals("bias")) {
                        reserve.accept(8L * shape[1]);
                        streamed.put(name, new Streamed(1, shape[1], readNumbers(p, shape[1], at + ".bias", null, 0)));
                    } else p.skipChildren(); // not used by a linear layer, as before
                } else if ("batchnorm".equals(type) && !name.equals("weight") && !name.equals("bias")) {
                    int f = meta.path("features").asInt(d);
                    if (f != d) p.skipChildren();
                    else {
                        reserve.accept(8L * f);
                        streamed.put(name, new Streamed(1, f, readNumbers(p, f, at + "." + name, null, 0)));
                    }
                } else {
                    p.skipChildren(); // not used by this type (or an unknown type, refused anyway)
                }
            }

            double[] matrix(int out, int in, String at) {
                Streamed s = streamed.get("weight");
                if (s != null && s.rows() == in && s.columns() == out)
                    return s.numbers().get();
                reserve.accept(8L * out * in);
                return fromTree("weight", tokens -> readMatrix(tokens, out, in, at));
            }

            double[] numbers(String name, int n, String at) {
                Streamed s = streamed.get(name);
                if (s != null && s.rows() == 1 && s.columns() == n)
                    return s.numbers().get();
                reserve.accept(8L * n);
                return fromTree(name, tokens -> readNumbers(tokens, n, at, null, 0));
            }

            private double[] fromTree(String name, Function<JsonParser, Numbers> read) {
                JsonNode tree = trees.get(name);
                try (JsonParser tokens = mapper.treeAsTokens(tree == null ? NullNode.getInstance() : tree)) {
                    tokens.nextToken();
                    return read.apply(tokens).get();
                }
            }
        }

        /** What was streamed for one array, with the shape it was read with ({@code in, out} for a weight). */
        private record Streamed(int rows, int columns, Numbers numbers) {}
    }

    /** An array read from the stream: its values, or the first error, which is thrown when the layer is checked. */
    private record Numbers(double[] values, ModelFormatException error) {
        double[] get() {
            if (error != null) throw error;
            return values;
        }
    }

    /**
     * {@code out} rows of {@code in} finite numbers, into one row-major array. As before, a wrong row count is
     * reported before any bad row, so rows are read to the end of the array before an error is returned.
     */
    private static Numbers readMatrix(JsonParser p, int out, int in, String at) {
        ModelFormatException shapeError = new ModelFormatException(at, "weight must be " + out + " rows of " + in);
        if (p.currentToken() != JsonToken.START_ARRAY) {
            p.skipChildren();
            return new Numbers(null, shapeError);
        }
        long total = (long) out * in;
        double[] flat = new double[(int) Math.min(total, INITIAL_WEIGHT_CAPACITY)];
        ModelFormatException rowError = null;
        int rows = 0;
        for (JsonToken t = p.nextToken(); t != JsonToken.END_ARRAY && t != null; t = p.nextToken(), rows++) {
            if (rows >= out || rowError != null) {
                p.skipChildren();
                continue;
            }
            long end = (long) (rows + 1) * in;
            if (end > flat.length)
                flat = java.util.Arrays.copyOf(flat, (int) Math.min(total, Math.max(end, 2L * flat.length)));
            Numbers row = readNumbers(p, in, at + "[" + rows + "]", flat, rows * in);
            rowError = row.error();
        }
        if (rows != out) return new Numbers(null, shapeError);
        return new Numbers(flat, rowError);
    }

    /**
     * An array of exactly {@code n} finite numbers, into {@code into} at {@code offset} (a new array if null). As
     * before, a wrong length is reported before a bad element, so the array is read to its end first.
     */
    private static Numbers readNumbers(JsonParser p, int n, String at, double[] into, int offset) {
        ModelFormatException lengthError = new ModelFormatException(at, "expected an array of " + n + " numbers");
        if (p.currentToken() != JsonToken.START_ARRAY) {
            p.skipChildren();
            return new Numbers(null, lengthError);
        }
        double[] out = into != null ? into : new double[n];
        int base = into != null ? offset : 0;
        int bad = -1, count = 0;
        for (JsonToken t = p.nextToken(); t != JsonToken.END_ARRAY && t != null; t = p.nextToken(), count++) {
            if (count >= n || bad >= 0) {
                p.skipChildren();
                continue;
            }
            if (t == JsonToken.VALUE_NUMBER_FLOAT || t == JsonToken.VALUE_NUMBER_INT) {
                double v = p.getDoubleValue();
                if (Double.isFinite(v)) {
                    out[base + count] = v;
                    continue;
                }
            }
            p.skipChildren();
            bad = count;
        }
        if (count != n) return new Numbers(null, lengthError);
        if (bad >= 0)
            return new Numbers(null, new ModelFormatException(at + "[" + bad + "]", "expected a finite number"));
        return new Numbers(into != null ? null : out, null);
    }

    /** A BatchNorm layer's eps: absent means PyTorch's 1e-5; else a positive finite number, never a string. */
    private static double eps(JsonNode v, String at) {
        if (v == null) return 1e-5;
        if (!v.isNumber() || !(v.doubleValue() > 0) || !Double.isFinite(v.doubleValue()))
            throw new ModelFormatException(at + ".eps", "must be a positive number");
        return v.doubleValue();
    }

    /** A BatchNorm layer's batch count: absent means 0; else a non-negative integer. */
    private static long batchesTracked(JsonNode v, String at) {
        if (v == null) return 0;
        if (!v.isIntegralNumber() || !v.canConvertToLong() || v.longValue() < 0)
            throw new ModelFormatException(at + ".batchesTracked", "must be a non-negative integer");
        return v.longValue();
    }

    private static double num(JsonNode o, String field) {
        JsonNode v = o.get(field);
        return v != null && v.isNumber() ? v.doubleValue() : Double.NaN;
    }

    private static int intField(JsonNode l, String at, String field) {
        JsonNode v = l.get(field);
        if (v == null || !v.canConvertToInt() || v.intValue() < 1)
            throw new ModelFormatException(at, field + " must be a positive integer");
        return v.intValue();
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
            // a node of the wrong JSON type ("ObjectNode asString() ...") names Jackson's classes: say what it means
            if (e instanceof JacksonException) throw new ModelFormatException(field, "has the wrong JSON type");
            throw new ModelFormatException(field, e.getMessage());
        }
    }
}
