package dev.bnserve.export;

import com.google.protobuf.CodedOutputStream;
import com.google.protobuf.UnsafeByteOperations;
import dev.bnserve.model.ModelRecord;
import dev.bnserve.model.Task;
import dev.bnserve.nn.InferencePlan;
import dev.bnserve.nn.LayerState;
import java.io.IOException;
import java.io.OutputStream;
import java.util.List;
import onnx.Onnx.AttributeProto;
import onnx.Onnx.GraphProto;
import onnx.Onnx.ModelProto;
import onnx.Onnx.NodeProto;
import onnx.Onnx.OperatorSetIdProto;
import onnx.Onnx.StringStringEntryProto;
import onnx.Onnx.TensorProto;
import onnx.Onnx.TensorShapeProto;
import onnx.Onnx.TypeProto;
import onnx.Onnx.ValueInfoProto;
import tools.jackson.databind.json.JsonMapper;

/**
 * Writes a ready model as ONNX. Input {@code input} {@code [N, encodedInputs]} (the encoded row, as
 * {@code POST /models/{id}/encode} answers it); output {@code probabilities} {@code [N, classes]} (classification,
 * after {@code Softmax}) or {@code prediction} {@code [N, 1]} (regression: the stored last Linear layer already
 * predicts in the label's units, as it does for {@code /predict}).
 *
 * <ul>
 *   <li>unfolded: one node per stored layer: Linear → {@code Gemm} ({@code transB=1}, W as stored, out × in),
 *       BatchNorm → {@code BatchNormalization} (scale = γ, B = β, input_mean / input_var = the running statistics,
 *       epsilon), activations → their ONNX operators;</li>
 *   <li>folded: the {@link InferencePlan} that {@code /predict} runs, step by step: each dense map a {@code Gemm}
 *       (Wᵀ, in × out), preceded by a {@code Sub} of its center only where the plan keeps one (a BatchNorm feature
 *       whose mean is large beside its spread, see {@link InferencePlan}); a BatchNorm no Linear could absorb as
 *       {@code Sub}/{@code Mul}/{@code Add}.</li>
 * </ul>
 */
public final class OnnxExport {
    /** The operator set the graph is written against (BatchNormalization-15: double statistics, inference mode). */
    public static final long OPSET = 15;
    /** IR version 8 goes with opset 15 (ONNX 1.10), which every ONNX Runtime since 1.10 and onnx 1.12 read. */
    public static final long IR_VERSION = 8;

    public static final String INPUT = "input";
    public static final String PROBABILITIES = "probabilities";
    public static final String PREDICTION = "prediction";

    private static final JsonMapper JSON = JsonMapper.builder().build();

    private OnnxExport() {}

    /**
     * The serialized {@code ModelProto} of ready model {@code m}.
     *
     * @param preprocessingJson the model document's {@code preprocessing} field as JSON, or null (a model without
     *                          preprocessing, whose inputs are the network's)
     * @param version           the bnserve version that writes it
     */
    public static byte[] write(ModelRecord m, boolean fold, String preprocessingJson, String version) {
        return message(m, fold, preprocessingJson, version).toByteArray();
    }

    /**
     * Writes the serialized {@code ModelProto} of {@code m} to {@code out} as it is serialized (flushed, not closed):
     * besides the model, only the initializers' raw bytes ({@link #parameterBytes}) are held, never the message.
     */
    public static void write(ModelRecord m, boolean fold, String preprocessingJson, String version, OutputStream out)
            throws IOException {
        CodedOutputStream coded = CodedOutputStream.newInstance(out, 64 * 1024);
        message(m, fold, preprocessingJson, version).writeTo(coded);
        coded.flush();
    }

    /** Bytes of the initializers' raw data of {@code m}'s export: 8 per parameter. */
    public static long parameterBytes(ModelRecord m) {
        long values = 0;
        if (m.layers() != null) {
            for (LayerState l : m.layers()) {
                if (l instanceof LayerState.Linear lin) values += (long) lin.in() * lin.out() + lin.out();
                else if (l instanceof LayerState.BatchNorm bn) values += 4L * bn.features();
            }
        }
        return 8 * values;
    }

    private static ModelProto message(ModelRecord m, boolean fold, String preprocessingJson, String version) {
        if (m.layers() == null || m.layers().isEmpty()) throw new IllegalArgumentException("model has no layers");
        List<String> encoded =
                m.preprocessing() == null ? m.inputs() : m.preprocessing().encodedInputs();
        int width = encoded.size();
        Graph g = new Graph();
        String x = INPUT;
        if (fold) {
            InferencePlan plan = InferencePlan.compile(width, m.layers());
            int k = 0;
            for (InferencePlan.Op op : plan.operations()) x = g.folded(op, x, k++);
        } else {
            int k = 0;
            for (LayerState layer : m.layers()) x = g.layer(layer, x, k++);
        }
        int outputs = m.layers().get(m.layers().size() - 1).outputs();
        String out = m.task() == Task.CLASSIFICATION ? PROBABILITIES : PREDICTION;
        if (m.task() == Task.CLASSIFICATION) {
            g.node(
                    "Softmax",
                    "softmax",
                    List.of(x),
                    out,
                    AttributeProto.newBuilder()
                            .setName("axis")
                            .setType(AttributeProto.AttributeType.INT)
                            .setI(1)
                            .build());
        } else {
            g.rename(x, out);
        }
        GraphProto graph = g.graph
                .setName(m.id() + (fold ? "-folded" : ""))
                .addInput(tensor(INPUT, width))
                .addOutput(tensor(out, outputs))
                .build();
        ModelProto.Builder model = ModelProto.newBuilder()
                .setIrVersion(IR_VERSION)
                .setProducerName("bnserve")
                .setProducerVersion(version)
                .setDomain("dev.bnserve")
                .setModelVersion(1)
                .setDocString("bnserve model " + m.id() + " (" + m.task().id() + " of '" + m.label() + "'), "
                        + (fold ? "BatchNorm folded as /predict runs it" : "layer by layer")
                        + "; the input is the encoded row (POST /models/" + m.id() + "/encode)")
                .addOpsetImport(OperatorSetIdProto.newBuilder().setDomain("").setVersion(OPSET))
                .setGraph(graph);
        meta(model, "bnserve.model", m.id());
        meta(model, "bnserve.version", version);
        meta(model, "bnserve.task", m.task().id());
        meta(model, "bnserve.label", m.label());
        meta(model, "bnserve.inputs", JSON.writeValueAsString(m.inputs()));
        meta(model, "bnserve.encodedInputs", JSON.writeValueAsString(encoded));
        if (m.classes() != null) meta(model, "bnserve.classes", JSON.writeValueAsString(m.classes()));
        if (preprocessingJson != null) meta(model, "bnserve.preprocessing", preprocessingJson);
        meta(model, "bnserve.folded", Boolean.toString(fold));
        return model.build();
    }

    private static void meta(ModelProto.Builder model, String key, String value) {
        model.addMetadataProps(StringStringEntryProto.newBuilder().setKey(key).setValue(value));
    }

    /** {@code tensor(double)} of shape {@code [N, width]}, N symbolic. */
    private static ValueInfoProto tensor(String name, int width) {
        TensorShapeProto shape = TensorShapeProto.newBuilder()
                .addDim(TensorShapeProto.Dimension.newBuilder().setDimParam("N"))
                .addDim(TensorShapeProto.Dimension.newBuilder().setDimValue(width))
                .build();
        return ValueInfoProto.newBuilder()
                .setName(name)
                .setType(TypeProto.newBuilder()
                        .setTensorType(TypeProto.Tensor.newBuilder()
                                .setElemType(TensorProto.DataType.DOUBLE_VALUE)
                                .setShape(shape)))
                .build();
    }

    /** The graph under construction: nodes and initializers, with the name of the last output for renaming. */
    private static final class Graph {
        final GraphProto.Builder graph = GraphProto.newBuilder();

        /** One stored layer after {@code x}; returns its output's name. */
        String layer(LayerState layer, String x, int k) {
            String p = "layer" + k;
            return switch (layer.kind()) {
                case LINEAR -> {
                    LayerState.Linear l = (LayerState.Linear) layer;
                    String w = init(p + ".weight", l.in() * l.out(), l::weightAt, l.out(), l.in());
                    String b = init(p + ".bias", l.bias(), l.out());
                    yield node("Gemm", p, List.of(x, w, b), p + ".out", intAttr("transB", 1));
                }
                case BATCHNORM -> {
                    LayerState.BatchNorm bn = (LayerState.BatchNorm) layer;
                    int d = bn.features();
                    List<String> in = List.of(
                            x,
                            init(p + ".gamma", bn.gamma(), d),
                            init(p + ".beta", bn.beta(), d),
                            init(p + ".running_mean", bn.runningMean(), d),
                            init(p + ".running_var", bn.runningVar(), d));
                    yield node(
                            "BatchNormalization",
                            p,
                            in,
                            p + ".out",
                            AttributeProto.newBuilder()
                                    .setName("epsilon")
                                    .setType(AttributeProto.AttributeType.FLOAT)
                                    .setF((float) bn.eps())
                                    .build(),
                            intAttr("training_mode", 0));
                }
                case RELU -> node("Relu", p, List.of(x), p + ".out");
                case TANH -> node("Tanh", p, List.of(x), p + ".out");
            };
        }

        /** One step of the folded plan after {@code x}; returns its output's name. */
        String folded(InferencePlan.Op op, String x, int k) {
            String p = "op" + k;
            if (op instanceof InferencePlan.Dense d) {
                if (nonZero(d.center())) {
                    x = node(
                            "Sub", p + ".center", List.of(x, init(p + ".center", d.center(), d.in())), p + ".centered");
                }
                String w = init(p + ".weight_t", d.wt(), d.in(), d.out());
                String b = init(p + ".bias", d.b(), d.out());
                return node("Gemm", p, List.of(x, w, b), p + ".out");
            }
            if (op instanceof InferencePlan.Affine a) {
                int n = a.scale().length;
                if (nonZero(a.center())) {
                    x = node("Sub", p + ".center", List.of(x, init(p + ".center", a.center(), n)), p + ".centered");
                }
                x = node("Mul", p + ".scale", List.of(x, init(p + ".scale", a.scale(), n)), p + ".scaled");
                return node("Add", p + ".shift", List.of(x, init(p + ".shift", a.shift(), n)), p + ".out");
            }
            InferencePlan.Act act = (InferencePlan.Act) op;
            String type = switch (act.activation()) {
                case RELU -> "Relu";
                case TANH -> "Tanh";
            };
            return node(type, p, List.of(x), p + ".out");
        }

        String node(String type, String name, List<String> inputs, String output, AttributeProto... attributes) {
            NodeProto.Builder n = NodeProto.newBuilder()
                    .setOpType(type)
                    .setName(name)
                    .addAllInput(inputs)
                    .addOutput(output);
            for (AttributeProto a : attributes) n.addAttribute(a);
            graph.addNode(n);
            return output;
        }

        /** Renames the value {@code from} (the last node's output) to {@code to}. */
        void rename(String from, String to) {
            int last = graph.getNodeCount() - 1;
            NodeProto n = graph.getNode(last);
            if (!n.getOutput(0).equals(from)) throw new IllegalStateException("not the last output: " + from);
            graph.setNode(last, n.toBuilder().setOutput(0, to));
        }

        String init(String name, double[] values, long... dims) {
            return init(name, values.length, k -> values[k], dims);
        }

        /** An initializer of {@code n} values read one by one (a large weight matrix is never copied whole). */
        String init(String name, int n, java.util.function.IntToDoubleFunction values, long... dims) {
            TensorProto.Builder t =
                    TensorProto.newBuilder().setName(name).setDataType(TensorProto.DataType.DOUBLE_VALUE);
            for (long d : dims) t.addDims(d);
            // raw_data: little-endian IEEE 754, every bit of every value as stored
            java.nio.ByteBuffer buf = java.nio.ByteBuffer.allocate(8 * n).order(java.nio.ByteOrder.LITTLE_ENDIAN);
            for (int k = 0; k < n; k++) buf.putDouble(values.applyAsDouble(k));
            t.setRawData(UnsafeByteOperations.unsafeWrap(buf.array())); // no copy: the buffer is never written again
            graph.addInitializer(t);
            return name;
        }

        private static AttributeProto intAttr(String name, long value) {
            return AttributeProto.newBuilder()
                    .setName(name)
                    .setType(AttributeProto.AttributeType.INT)
                    .setI(value)
                    .build();
        }

        private static boolean nonZero(double[] v) {
            for (double d : v) if (d != 0) return true;
            return false;
        }
    }
}
