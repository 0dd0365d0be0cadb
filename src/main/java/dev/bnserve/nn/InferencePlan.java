package dev.bnserve.nn;

import java.util.ArrayList;
import java.util.List;

/**
 * An immutable, thread-safe inference program compiled from a network's state. Every BatchNorm
 * layer is folded into the neighbouring Linear layer, so a prediction is a short chain of affine
 * maps and activations.
 *
 * <p>BN in inference form is {@code z = s⊙(x − c) + t} with {@code s = γ/sqrt(runningVar + eps)} and, per
 * feature j, a center {@code c_j} and shift {@code t_j}:
 * <ul>
 *   <li>where {@code |μ_j| > }{@value #CENTER_RATIO}{@code ·sqrt(σ²_j + eps)} ({@code μ = runningMean}):
 *       {@code c_j = μ_j}, {@code t_j = β_j};</li>
 *   <li>elsewhere {@code c_j = 0}, {@code t_j = β_j − s_j·μ_j} (the classic fold).</li>
 * </ul>
 * Folded:
 * <ul>
 *   <li>BN then Linear: {@code W·(s⊙(x − c) + t) + b = W'·(x − c) + b''} with {@code W' = W·diag(s)},
 *       {@code b'' = b + W·t}. The center stays a per-input subtraction ahead of the product (the {@code center}
 *       of a {@link Dense}, subtracted inside its fma chain). Folding a large μ into the bias instead would put a
 *       term of size |W'|·|μ| there that {@code W'·x} has to cancel, losing about log₂(|μ|/σ) bits (1.7e-10
 *       relative at |μ|/σ = 1e6) where the unfolded BN, whose {@code x − μ} is exact or nearly so, loses none;
 *       below the ratio the classic fold loses at most 10 bits (≲ 1e-13) and keeps the bits plans always had;</li>
 *   <li>Linear then BN: {@code s⊙(W·x + b − c) + t = W'·x + b'} with {@code W' = diag(s)·W},
 *       {@code b' = (b − c)⊙s + t} (the cancellation in {@code W·x + b − μ} is the unfolded network's too);</li>
 *   <li>adjacent BNs compose first; a BN with no Linear beside it stays an elementwise
 *       {@code fma(x − c, s, t)}.</li>
 * </ul>
 *
 * <p>Each output is {@code y_o = fma(x_{in−1} − c_{in−1}, W'_{o,in−1}, … fma(x_0 − c_0, W'_{o,0}, b'_o))}
 * ({@code c} the center, zeros when no BN precedes the Linear; {@code x − 0} is {@code x} exactly): one fused
 * multiply-add chain per output, in input order, for every row alike. The answer for a row is
 * therefore bit-identical whether it is computed alone or in a batch, on any thread, with the
 * vector or the scalar kernel.
 */
public final class InferencePlan {
    /**
     * A BatchNorm feature whose {@code |runningMean|} exceeds this many {@code sqrt(runningVar + eps)} keeps its
     * mean as a center subtracted before the folded product rather than in the folded bias (2¹⁰: the bias fold
     * then loses at most 10 bits to cancellation).
     */
    static final double CENTER_RATIO = 1024;

    private final int inputs;
    private final int outputs;
    private final Op[] ops;
    private final int maxWidth;
    private final DenseKernel kernel;

    /** One step of the compiled program: reads {@code width} values at {@code src[srcOff]}, writes {@code dst[dstOff]}. */
    public sealed interface Op permits Dense, Affine, Act {
        /** Applies the step and returns the width of its output. */
        int apply(DenseKernel kernel, double[] src, int srcOff, int width, double[] dst, int dstOff);
    }

    /**
     * {@code y = (x − center)·Wᵀ + b}; {@code center} has {@code in} values (zeros: a plain Linear), {@code wt} holds
     * Wᵀ row-major (in × out) so outputs are contiguous.
     */
    public record Dense(int in, int out, double[] center, double[] wt, double[] b) implements Op {
        @Override
        public int apply(DenseKernel kernel, double[] src, int srcOff, int width, double[] dst, int dstOff) {
            kernel.dense(src, srcOff, center, wt, b, in, out, dst, dstOff);
            return out;
        }
    }

    /**
     * {@code y = fma(x − center, scale, shift)} elementwise: BatchNorm as {@code s⊙(x − μ) + β}, and at run time
     * a BatchNorm that no Linear layer could absorb.
     */
    public record Affine(double[] center, double[] scale, double[] shift) implements Op, Step {
        @Override
        public int apply(DenseKernel kernel, double[] src, int srcOff, int width, double[] dst, int dstOff) {
            for (int j = 0; j < width; j++) dst[dstOff + j] = Math.fma(src[srcOff + j] - center[j], scale[j], shift[j]);
            return width;
        }

        @Override
        public Op op() {
            return this;
        }
    }

    /** {@code y = f(x)} elementwise. */
    public record Act(Activation activation) implements Op, Step {
        @Override
        public int apply(DenseKernel kernel, double[] src, int srcOff, int width, double[] dst, int dstOff) {
            activation.forward(src, srcOff, dst, dstOff, width);
            return width;
        }

        @Override
        public Op op() {
            return this;
        }
    }

    /** A step while compiling: the layers with BatchNorm as {@link Affine}, before folding and transposition. */
    private sealed interface Step permits Linear, Affine, Act {
        /** The runtime op of this step once folding is done. */
        Op op();
    }

    /**
     * {@code y = W·(x − center) + b}, {@code w} row-major out × in as in {@link LayerState.Linear}; {@code center}
     * is zeros until a BatchNorm before it is folded in.
     */
    private record Linear(int in, int out, double[] center, double[] w, double[] b) implements Step {
        /** Transposes W (out × in) into Wᵀ (in × out) for the dense kernel. */
        @Override
        public Op op() {
            double[] wt = new double[in * out];
            for (int o = 0; o < out; o++) for (int i = 0; i < in; i++) wt[i * out + o] = w[o * in + i];
            return new Dense(in, out, center, wt, b);
        }
    }

    private InferencePlan(int inputs, int outputs, List<Op> ops, DenseKernel kernel) {
        this.inputs = inputs;
        this.outputs = outputs;
        this.ops = ops.toArray(new Op[0]);
        int w = inputs;
        for (Op op : ops) if (op instanceof Dense d) w = Math.max(w, d.out());
        this.maxWidth = w;
        this.kernel = kernel;
    }

    /** Compiles {@code layers} (as from {@link Network#state()}) with the fastest available kernel. */
    public static InferencePlan compile(int inputs, List<LayerState> layers) {
        return compile(inputs, layers, DenseKernel.best());
    }

    /** Compiles with the pure-Java kernel (for environments without the Vector API, and for tests). */
    public static InferencePlan compileScalar(int inputs, List<LayerState> layers) {
        return compile(inputs, layers, DenseKernel.SCALAR);
    }

    private static InferencePlan compile(int inputs, List<LayerState> layers, DenseKernel kernel) {
        Network.checkChain(inputs, layers);
        List<Step> seq = new ArrayList<>();
        for (LayerState s : layers) {
            seq.add(
                    switch (s.kind()) {
                        case LINEAR -> {
                            LayerState.Linear l = (LayerState.Linear) s;
                            yield new Linear(l.in(), l.out(), new double[l.in()], l.weight(), l.bias());
                        }
                        case BATCHNORM -> affine((LayerState.BatchNorm) s);
                        case RELU -> new Act(Activation.RELU);
                        case TANH -> new Act(Activation.TANH);
                    });
        }
        // Compose adjacent affine maps: s2⊙(s1⊙(x − c1) + t1 − c2) + t2 = (s1⊙s2)⊙(x − c1) + (s2⊙(t1 − c2) + t2).
        for (int i = 0; i + 1 < seq.size(); i++) {
            if (seq.get(i) instanceof Affine a && seq.get(i + 1) instanceof Affine b) {
                double[] scale = new double[a.scale().length];
                double[] shift = new double[scale.length];
                for (int j = 0; j < scale.length; j++) {
                    scale[j] = a.scale()[j] * b.scale()[j];
                    shift[j] = b.scale()[j] * (a.shift()[j] - b.center()[j]) + b.shift()[j];
                }
                seq.set(i, new Affine(a.center(), scale, shift));
                seq.remove(i + 1);
                i--;
            }
        }
        // Fold each affine map into the Linear after it, else into the Linear before it.
        for (int i = 0; i < seq.size(); i++) {
            if (!(seq.get(i) instanceof Affine a)) continue;
            if (i + 1 < seq.size() && seq.get(i + 1) instanceof Linear lin) {
                seq.set(i + 1, foldBefore(a, lin));
                seq.remove(i--);
            } else if (i > 0 && seq.get(i - 1) instanceof Linear lin) {
                seq.set(i - 1, foldAfter(lin, a));
                seq.remove(i--);
            }
        }
        List<Op> ops = new ArrayList<>();
        for (Step step : seq) ops.add(step.op());
        int outputs = layers.get(layers.size() - 1).outputs();
        return new InferencePlan(inputs, outputs, ops, kernel);
    }

    /**
     * BatchNorm in inference form {@code s⊙(x − c) + t}, {@code s = γ/sqrt(runningVar + eps)}: per feature
     * {@code c = μ, t = β} where {@code |μ| > CENTER_RATIO·sqrt(runningVar + eps)}, else {@code c = 0, t = β − s·μ}.
     */
    private static Affine affine(LayerState.BatchNorm bn) {
        int d = bn.features();
        double[] scale = new double[d], center = new double[d], shift = new double[d];
        double[] g = bn.gamma(), be = bn.beta(), rm = bn.runningMean(), rv = bn.runningVar();
        for (int j = 0; j < d; j++) {
            double sd = Math.sqrt(rv[j] + bn.eps());
            scale[j] = g[j] / sd;
            if (Math.abs(rm[j]) > CENTER_RATIO * sd) {
                center[j] = rm[j];
                shift[j] = be[j];
            } else {
                shift[j] = be[j] - scale[j] * rm[j];
            }
        }
        return new Affine(center, scale, shift);
    }

    /**
     * Affine then Linear: {@code W·(s⊙(x − c) + t) + b = (W·diag(s))·(x − c) + (W·t + b)}; the center c moves
     * into the Linear (which has none yet: nothing folds before a Linear twice).
     */
    private static Linear foldBefore(Affine a, Linear lin) {
        double[] w = lin.w().clone(), b = lin.b().clone();
        int in = lin.in(), out = lin.out();
        for (int o = 0; o < out; o++) {
            double acc = b[o];
            for (int i = 0; i < in; i++) {
                acc += w[o * in + i] * a.shift()[i];
                w[o * in + i] *= a.scale()[i];
            }
            b[o] = acc;
        }
        return new Linear(in, out, a.center().clone(), w, b);
    }

    /**
     * Linear then Affine: {@code s⊙(W·(x − c) + b − c₂) + t = (diag(s)·W)·(x − c) + ((b − c₂)⊙s + t)}, the
     * Linear's own center c kept (with {@code c₂ = 0}, {@code b⊙s + t}: the classic fold's bits).
     */
    private static Linear foldAfter(Linear lin, Affine a) {
        double[] w = lin.w().clone(), b = lin.b().clone();
        int in = lin.in(), out = lin.out();
        for (int o = 0; o < out; o++) {
            for (int i = 0; i < in; i++) w[o * in + i] *= a.scale()[o];
            b[o] = (b[o] - a.center()[o]) * a.scale()[o] + a.shift()[o];
        }
        return new Linear(in, out, lin.center(), w, b);
    }

    public int inputs() {
        return inputs;
    }

    /**
     * The compiled program, step by step, as copies (the plan stays immutable): what an exporter writes to compute
     * exactly what {@link #predict} computes, centers included.
     */
    public List<Op> operations() {
        List<Op> out = new ArrayList<>(ops.length);
        for (Op op : ops) {
            if (op instanceof Dense d) {
                out.add(new Dense(d.in(), d.out(), d.center().clone(), d.wt().clone(), d.b().clone()));
            } else if (op instanceof Affine a) {
                out.add(new Affine(
                        a.center().clone(), a.scale().clone(), a.shift().clone()));
            } else {
                out.add(op); // Act holds no array
            }
        }
        return out;
    }

    public int outputs() {
        return outputs;
    }

    /** Floating-point operations of one row: a multiply and an add per dense weight, one per element elsewhere. */
    public long flopsPerRow() {
        long f = 0;
        for (Op op : ops) {
            if (op instanceof Dense d) f += 2L * d.in() * d.out() + d.out();
            else if (op instanceof Affine a) f += 2L * a.scale().length;
            else f += maxWidth;
        }
        return Math.max(1, f);
    }

    /** Doubles of scratch space {@link #predict(double[], int, double[], int, double[])} needs. */
    public int scratchSize() {
        return 2 * maxWidth;
    }

    /** Name of the dense kernel in use ("vector" or "scalar"). */
    public String kernelName() {
        return kernel.name();
    }

    /** Number of folded operations (dense maps with their input centering, elementwise affine maps, activations). */
    public int operationCount() {
        return ops.length;
    }

    /**
     * Predicts one row: reads {@code inputs} values at {@code x[xOff]}, writes {@code outputs}
     * values at {@code out[outOff]}. Allocation-free; {@code scratch} must hold {@link #scratchSize()}.
     */
    public void predict(double[] x, int xOff, double[] out, int outOff, double[] scratch) {
        double[] src = x;
        int srcOff = xOff;
        int width = inputs;
        int half = maxWidth;
        int buf = 0;
        for (int k = 0; k < ops.length; k++) {
            Op op = ops[k];
            boolean last = k == ops.length - 1;
            double[] dst = last ? out : scratch;
            int dstOff = last ? outOff : buf * half;
            width = op.apply(kernel, src, srcOff, width, dst, dstOff);
            src = dst;
            srcOff = dstOff;
            buf ^= 1;
        }
    }

    /** Predicts one row into a new array. */
    public double[] predict(double[] x) {
        if (x.length != inputs) throw new IllegalArgumentException("expected " + inputs + " inputs, got " + x.length);
        double[] out = new double[outputs];
        predict(x, 0, out, 0, new double[scratchSize()]);
        return out;
    }

    /** Rows {@link #predictRows} runs through the whole program at a time (their activations stay in cache). */
    public static final int BLOCK = 64;

    /** Doubles of scratch space {@link #predictRows} needs. */
    public int blockScratchSize() {
        return 2 * BLOCK * maxWidth + DenseKernel.BLOCK_ROWS * maxWidth;
    }

    /** Predicts {@code n} rows of the row-major {@code x} into {@code out} (n × outputs). */
    public void predictBatch(double[] x, int n, double[] out) {
        predictRows(x, 0, n, out, 0, new double[blockScratchSize()]);
    }

    /**
     * Predicts {@code n} rows of the row-major {@code x} from {@code x[xOff]} into {@code out[outOff]} (n ×
     * outputs), {@link #BLOCK} rows at a time through every step. Each row's outputs are the bits {@link #predict}
     * gives it alone: the dense kernel blocks over rows, never over a sum. Allocation-free; {@code scratch} must hold
     * {@link #blockScratchSize()}.
     */
    public void predictRows(double[] x, int xOff, int n, double[] out, int outOff, double[] scratch) {
        int half = BLOCK * maxWidth;
        int xcOff = 2 * half;
        for (int r0 = 0; r0 < n; r0 += BLOCK) {
            int rows = Math.min(BLOCK, n - r0);
            double[] src = x;
            int srcOff = xOff + r0 * inputs;
            int width = inputs;
            int buf = 0;
            for (int k = 0; k < ops.length; k++) {
                Op op = ops[k];
                boolean last = k == ops.length - 1;
                double[] dst = last ? out : scratch;
                int dstOff = last ? outOff + r0 * outputs : buf * half;
                if (op instanceof Dense d) {
                    kernel.denseRows(
                            src, srcOff, rows, d.center(), d.wt(), d.b(), d.in(), d.out(), dst, dstOff, scratch, xcOff);
                    width = d.out();
                } else if (op instanceof Act a) {
                    a.activation().forward(src, srcOff, dst, dstOff, rows * width);
                } else {
                    for (int r = 0; r < rows; r++)
                        op.apply(kernel, src, srcOff + r * width, width, dst, dstOff + r * width);
                }
                src = dst;
                srcOff = dstOff;
                buf ^= 1;
            }
        }
    }
}
