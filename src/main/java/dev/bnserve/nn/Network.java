package dev.bnserve.nn;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;

/**
 * A trainable feed-forward network: a chain of layers over row-major {@code n × width} batches.
 *
 * <p>Mutable and single-threaded: it owns its activation buffers and matrix-multiply workspace, so
 * a training step allocates nothing once the buffers are sized. For concurrent prediction compile
 * an {@link InferencePlan} from {@link #state()}.
 *
 * <p>Initialization follows PyTorch's defaults with a seeded generator: Linear weights and biases
 * {@code ~ U(−1/sqrt(in), 1/sqrt(in))}; BatchNorm {@code γ = 1, β = 0}, running mean 0, running variance 1.
 */
public final class Network {
    private final int inputs;
    private final Layer[] layers;
    private boolean fuse = true;
    private final int[] widths;
    /** Set by {@link #withGemm}, else a single-threaded {@link Gemm#create()} made on first use. */
    private Gemm gemm;
    /** {@code acts[i]}: the n × widths[i] input of layer i ({@code acts[0]} the batch, the last the output). */
    private double[][] acts = new double[0][];
    /** {@code grads[i] = ∂loss/∂acts[i]}; {@code grads[0]} stays null (no layer needs the input's gradient). */
    private double[][] grads = new double[0][];

    private int capacity;

    private Network(int inputs, List<LayerState> states) {
        this.inputs = inputs;
        this.widths = checkChain(inputs, states);
        this.layers = new Layer[states.size()];
        for (int i = 0; i < layers.length; i++) layers[i] = Layer.of(states.get(i));
    }

    /**
     * Checks that {@code states} is a non-empty chain whose widths match from {@code inputs} on, without building
     * anything; returns the widths {@code [inputs, out₀, out₁, …]}.
     */
    public static int[] checkChain(int inputs, List<LayerState> states) {
        if (states.isEmpty()) throw new IllegalArgumentException("a network needs at least one layer");
        int[] widths = new int[states.size() + 1];
        widths[0] = inputs;
        for (int i = 0; i < states.size(); i++) {
            LayerState s = states.get(i);
            if (s.inputs() != widths[i]) {
                throw new IllegalArgumentException(
                        "layer " + i + " expects " + s.inputs() + " inputs but receives " + widths[i]);
            }
            widths[i + 1] = s.outputs();
        }
        return widths;
    }

    /** A freshly initialized network for {@code spec}; the same seed gives the same parameters. */
    public static Network initialize(NetworkSpec spec, long seed) {
        SplittableRandom rng = new SplittableRandom(seed);
        List<LayerState> states = new ArrayList<>();
        int d = spec.inputs();
        for (LayerSpec l : spec.layers()) {
            final int in = d;
            LayerState s = switch (l.kind()) {
                case LINEAR -> {
                    LayerSpec.Linear lin = (LayerSpec.Linear) l;
                    double bound = 1.0 / Math.sqrt(in);
                    double[] w = new double[lin.out() * in];
                    double[] b = new double[lin.out()];
                    for (int i = 0; i < w.length; i++) w[i] = uniform(rng, bound);
                    for (int i = 0; i < b.length; i++) b[i] = uniform(rng, bound);
                    yield new LayerState.Linear(in, lin.out(), w, b);
                }
                case BATCHNORM -> {
                    LayerSpec.BatchNorm bn = (LayerSpec.BatchNorm) l;
                    double[] ones = new double[in];
                    Arrays.fill(ones, 1.0);
                    yield new LayerState.BatchNorm(
                            in, bn.momentum(), bn.eps(), ones, new double[in], new double[in], ones, 0);
                }
                case RELU -> new LayerState.Relu(in);
                case TANH -> new LayerState.Tanh(in);
            };
            states.add(s);
            d = s.outputs();
        }
        return new Network(spec.inputs(), states);
    }

    private static double uniform(SplittableRandom rng, double bound) {
        return (rng.nextDouble() * 2 - 1) * bound;
    }

    /** A network holding copies of the given parameters and statistics. */
    public static Network fromState(int inputs, List<LayerState> states) {
        return new Network(inputs, states);
    }

    /**
     * Uses {@code gemm} for the matrix products of this network (e.g. a multi-threaded one); without it the
     * network makes a single-threaded {@link Gemm#create()} when it first needs one. Results are the same bits
     * with any engine.
     */
    public Network withGemm(Gemm gemm) {
        this.gemm = gemm;
        return this;
    }

    Gemm gemm() {
        Gemm g = gemm;
        if (g == null) gemm = g = Gemm.create();
        return g;
    }

    public int inputs() {
        return inputs;
    }

    public int outputs() {
        return widths[layers.length];
    }

    /** Deep copy of every layer's parameters and statistics. */
    public List<LayerState> state() {
        List<LayerState> out = new ArrayList<>(layers.length);
        for (Layer l : layers) out.add(l.state());
        return List.copyOf(out);
    }

    /**
     * Preallocated storage for the full state of this network that training changes: every parameter tensor and
     * every BatchNorm layer's running mean, running variance and {@code batchesTracked}. {@link #save} and
     * {@link #restore} copy into and out of it without allocating, so early stopping can keep the best epoch cheaply.
     */
    final class Snapshot {
        private final double[][] values;
        private final double[][] means;
        private final double[][] vars;
        private final long[] tracked;

        private Snapshot() {
            List<Param> ps = params();
            values = new double[ps.size()][];
            for (int i = 0; i < values.length; i++)
                values[i] = new double[ps.get(i).value().length];
            means = new double[layers.length][];
            vars = new double[layers.length][];
            tracked = new long[layers.length];
            for (int i = 0; i < layers.length; i++) {
                if (layers[i] instanceof BatchNormLayer bn) {
                    means[i] = new double[bn.runningMean.length];
                    vars[i] = new double[bn.runningVar.length];
                }
            }
        }

        /** Copies the network's current state in. */
        void save() {
            List<Param> ps = params();
            for (int i = 0; i < values.length; i++)
                System.arraycopy(ps.get(i).value(), 0, values[i], 0, values[i].length);
            for (int i = 0; i < layers.length; i++) {
                if (layers[i] instanceof BatchNormLayer bn) {
                    System.arraycopy(bn.runningMean, 0, means[i], 0, means[i].length);
                    System.arraycopy(bn.runningVar, 0, vars[i], 0, vars[i].length);
                    tracked[i] = bn.batchesTracked;
                }
            }
        }

        /** Puts the saved state back into the network. */
        void restore() {
            List<Param> ps = params();
            for (int i = 0; i < values.length; i++)
                System.arraycopy(values[i], 0, ps.get(i).value(), 0, values[i].length);
            for (int i = 0; i < layers.length; i++) {
                if (layers[i] instanceof BatchNormLayer bn) {
                    System.arraycopy(means[i], 0, bn.runningMean, 0, means[i].length);
                    System.arraycopy(vars[i], 0, bn.runningVar, 0, vars[i].length);
                    bn.batchesTracked = tracked[i];
                }
            }
        }
    }

    /** Storage for one snapshot of this network's state (empty until {@link Snapshot#save}). */
    Snapshot newSnapshot() {
        return new Snapshot();
    }

    /** The trainable tensors in layer order (live views: optimizers update them in place). */
    public List<Param> params() {
        List<Param> out = new ArrayList<>();
        for (Layer l : layers) out.addAll(l.params());
        return out;
    }

    /** Parameters of layer {@code i} (empty for activations). */
    public List<Param> params(int i) {
        return layers[i].params();
    }

    public int layerCount() {
        return layers.length;
    }

    /** Sizes the buffers for batches of up to {@code rows} rows. */
    public void ensureCapacity(int rows) {
        if (rows <= capacity) return;
        acts = new double[widths.length][];
        grads = new double[widths.length][];
        for (int i = 0; i < widths.length; i++) {
            acts[i] = new double[rows * widths[i]];
            if (i > 0) grads[i] = new double[rows * widths[i]];
        }
        for (Layer l : layers) l.ensureCapacity(rows);
        capacity = rows;
    }

    /** The buffer a training batch's inputs go into (row-major, at least n × inputs). */
    double[] inputBuffer(int n) {
        ensureCapacity(n);
        return acts[0];
    }

    /** Outputs of the last forward pass, row-major n × outputs (a live view). */
    public double[] lastOutput() {
        return acts[layers.length];
    }

    /**
     * One training step without the update: a training-mode forward of the {@code n} rows of
     * {@code x} (copied in), the loss, and a backward pass that leaves every gradient in
     * {@link #params()}. Running statistics are updated by the forward pass, as in PyTorch.
     */
    public double forwardBackward(double[] x, int n, Loss loss, int[] labels, double[] targets) {
        return forwardBackward(x, n, loss, labels, targets, null);
    }

    /**
     * {@link #forwardBackward(double[], int, Loss, int[], double[])} with the cross-entropy weighted by
     * {@code classWeights} ({@link Loss#evaluate(double[], int, int, int[], double[], double[], double[])}; null:
     * unweighted).
     */
    public double forwardBackward(double[] x, int n, Loss loss, int[] labels, double[] targets, double[] classWeights) {
        System.arraycopy(x, 0, inputBuffer(n), 0, n * inputs);
        return trainStep(n, loss, labels, targets, classWeights);
    }

    /** Like {@link #forwardBackward} with the inputs already in {@link #inputBuffer}. */
    double trainStep(int n, Loss loss, int[] labels, double[] targets, double[] classWeights) {
        ensureCapacity(n);
        Gemm gemm = gemm();
        int last = layers.length;
        for (int i = 0; i < last; i++) {
            try {
                if (fuseRelu(i)) {
                    // BatchNorm then ReLU in one pass: acts[i + 1] (the BN output) is skipped
                    ((BatchNormLayer) layers[i]).forwardTrain(gemm, acts[i], acts[i + 2], n, true);
                    i++;
                } else {
                    layers[i].forwardTrain(gemm, acts[i], acts[i + 1], n);
                }
            } catch (ArithmeticException e) {
                throw new ArithmeticException("layer " + i + ": " + e.getMessage());
            }
        }
        double value = loss.evaluate(acts[last], n, widths[last], labels, targets, classWeights, grads[last]);
        for (int i = last - 1; i >= 0; i--) {
            if (i >= 1 && fuseRelu(i - 1)) {
                ((BatchNormLayer) layers[i - 1])
                        .backward(gemm, grads[i + 1], acts[i + 1], i - 1 == 0 ? null : grads[i - 1], n);
                i--;
            } else {
                layers[i].backward(gemm, acts[i], acts[i + 1], grads[i + 1], i == 0 ? null : grads[i], n);
            }
        }
        return value;
    }

    /** Whether layer i is a BatchNorm followed by a ReLU that training runs as one fused layer. */
    private boolean fuseRelu(int i) {
        return fuse
                && i + 1 < layers.length
                && layers[i].kind() == LayerKind.BATCHNORM
                && layers[i + 1].kind() == LayerKind.RELU;
    }

    /** Off: every layer on its own (for tests comparing the fused step with the plain one). */
    Network fusion(boolean on) {
        this.fuse = on;
        return this;
    }

    /**
     * Inference-mode forward of {@code n} rows of {@code x} into {@code out} (n × outputs), using the
     * running statistics; changes nothing in the network but its scratch buffers.
     */
    public void forwardEval(double[] x, int n, double[] out) {
        int chunk = Math.max(capacity, Math.min(n, 1024));
        ensureCapacity(chunk);
        int k = outputs();
        Gemm gemm = gemm();
        for (int start = 0; start < n; start += chunk) {
            int m = Math.min(chunk, n - start);
            System.arraycopy(x, start * inputs, acts[0], 0, m * inputs);
            for (int i = 0; i < layers.length; i++) layers[i].forwardEval(gemm, acts[i], acts[i + 1], m);
            System.arraycopy(acts[layers.length], 0, out, start * k, m * k);
        }
    }

    /**
     * Rescales the outputs, {@code y ← scale⊙y + shift}, by rewriting the final Linear layer
     * ({@code W ← diag(scale)·W}, {@code b ← scale⊙b + shift}). Used to return standardized
     * regression targets to their units.
     */
    public void rescaleOutputs(double[] scale, double[] shift) {
        if (!(layers[layers.length - 1] instanceof LinearLayer last)) {
            throw new IllegalStateException("the network must end with a linear layer to rescale its outputs");
        }
        for (int o = 0; o < last.out; o++) {
            for (int i = 0; i < last.in; i++) last.w[o * last.in + i] *= scale[o];
            last.b[o] = last.b[o] * scale[o] + shift[o];
        }
    }

    /**
     * Population statistics: each BatchNorm layer in order gets the exact mean and unbiased variance
     * of its inputs over all {@code n} rows, computed in inference mode with the earlier BatchNorm
     * layers already replaced. Chunks are combined with Chan's parallel update
     * ({@code M2 = M2a + M2b + δ²·na·nb/n}), so memory stays at one chunk.
     */
    public void recomputePopulationStatistics(double[] x, int n) {
        recomputePopulationStatistics(x, null, n);
    }

    /** As {@link #recomputePopulationStatistics(double[], int)} over the rows {@code rowIndex[0..n)} of {@code x}. */
    public void recomputePopulationStatistics(double[] x, int[] rowIndex, int n) {
        if (n < 2) throw new IllegalArgumentException("population statistics need at least 2 rows, got " + n);
        int chunk = Math.max(capacity, Math.min(n, 1024));
        ensureCapacity(chunk);
        Gemm gemm = gemm();
        for (int b = 0; b < layers.length; b++) {
            if (!(layers[b] instanceof BatchNormLayer bn)) continue;
            int d = widths[b];
            double[] mean = new double[d];
            double[] m2 = new double[d];
            double[] cm = new double[d];
            double[] c2 = new double[d];
            long count = 0;
            for (int start = 0; start < n; start += chunk) {
                int m = Math.min(chunk, n - start);
                for (int r = 0; r < m; r++) {
                    int row = rowIndex == null ? start + r : rowIndex[start + r];
                    System.arraycopy(x, row * inputs, acts[0], r * inputs, inputs);
                }
                for (int i = 0; i < b; i++) layers[i].forwardEval(gemm, acts[i], acts[i + 1], m);
                BatchNormLayer.moments(acts[b], m, d, cm, c2); // the chunk's mean and Σ(x − mean)², as in training
                count = BatchNormLayer.combine(mean, m2, count, cm, c2, m, d);
            }
            for (int j = 0; j < d; j++) m2[j] /= (count - 1);
            bn.setRunningStatistics(mean, m2);
        }
    }
}
