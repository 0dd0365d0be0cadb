package dev.bnserve.model;

import dev.bnserve.nn.EpochStats;
import dev.bnserve.nn.LayerState;
import java.util.List;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * The tree-based writer of format version 1 as it was before {@link ModelJson} streamed (copied verbatim), kept as
 * the oracle that the streaming writer's bytes are compared with.
 */
final class TreeModelWriter {
    private final JsonMapper mapper;

    TreeModelWriter(JsonMapper mapper) {
        this.mapper = mapper;
    }

    public ObjectNode write(ModelRecord m) {
        return write(m, true, true);
    }

    /** The document, leaving out {@code request} and {@code layers} (and {@code history}) rather than building them. */
    private ObjectNode write(ModelRecord m, boolean full, boolean history) {
        ObjectNode n = mapper.createObjectNode();
        n.put("format", ModelJson.FORMAT);
        n.put("formatVersion", ModelJson.VERSION);
        n.put("id", m.id());
        if (m.name() != null) {
            n.put("name", m.name());
            n.put("version", m.version());
        }
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
        if (full) n.set("request", m.request() == null ? null : TrainingSpecJsonTest.tree(m.request()));
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

    private static void writeLayer(ObjectNode o, LayerState l) {
        if (l instanceof LayerState.Linear lin) {
            o.put("type", "linear");
            o.put("in", lin.in());
            o.put("out", lin.out());
            ArrayNode w = o.putArray("weight");
            double[] weight = lin.weight();
            for (int r = 0; r < lin.out(); r++) {
                ArrayNode row = w.addArray();
                for (int c = 0; c < lin.in(); c++) row.add(weight[r * lin.in() + c]);
            }
            numbers(o.putArray("bias"), lin.bias());
        } else if (l instanceof LayerState.BatchNorm bn) {
            o.put("type", "batchnorm");
            o.put("features", bn.features());
            if (bn.momentum() == null) o.putNull("momentum");
            else o.put("momentum", bn.momentum());
            o.put("eps", bn.eps());
            numbers(o.putArray("gamma"), bn.gamma());
            numbers(o.putArray("beta"), bn.beta());
            numbers(o.putArray("runningMean"), bn.runningMean());
            numbers(o.putArray("runningVar"), bn.runningVar());
            o.put("batchesTracked", bn.batchesTracked());
        } else {
            o.put("type", l instanceof LayerState.Relu ? "relu" : "tanh");
        }
    }

    private static void numbers(ArrayNode a, double[] v) {
        for (double d : v) a.add(d);
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
