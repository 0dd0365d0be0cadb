package dev.bnserve.nn;

import java.util.ArrayList;
import java.util.List;

/**
 * Population statistics of a model's BatchNorm inputs over a data set, read-only ({@link #measure}) or written into
 * a copy of the layers ({@link #recalibrate}, PreciseBN).
 *
 * <p>Rows: {@code x} is row-major with {@code inputs} values per row; the rows used are {@code 0..rows−1}, or
 * {@code rowIndex[0..rows−1]} (indices of rows of {@code x}) when {@code rowIndex} is non-null. At least 2 rows.
 *
 * <p>Statistics per BatchNorm layer b over feature j of its input {@code h} (width {@code features}):
 * {@code mean_j = Σ_r h_rj / N}, {@code var_j = Σ_r (h_rj − mean_j)² / (N − 1)} (unbiased, as PyTorch keeps in
 * {@code running_var}). Rows are streamed in chunks of at most {@value #CHUNK} through the layers in inference mode;
 * each chunk's two-pass moments ({@code BatchNormLayer.moments}) are merged by Chan's parallel update
 * ({@code M2 = M2a + M2b + δ²·na·nb/n}), exactly as {@link Network#recomputePopulationStatistics} does, so memory is
 * one chunk of activations per layer width, never every layer's activations for all rows.
 */
public final class PopulationStatistics {
    /** Rows per chunk: the same as {@link Network#recomputePopulationStatistics} on a fresh network. */
    static final int CHUNK = 1024;

    private PopulationStatistics() {}

    /**
     * The moments of one BatchNorm layer's input.
     *
     * @param layer index of the BatchNorm layer in the layer list
     * @param mean  per feature, the mean of the layer's input over the rows ({@code features} values)
     * @param var   per feature, the unbiased variance ({@code Σ(h − mean)²/(N − 1)})
     */
    public record Moments(int layer, double[] mean, double[] var) {
        public Moments {
            if (mean.length != var.length)
                throw new IllegalArgumentException("mean and var lengths differ: " + mean.length + " vs " + var.length);
            mean = mean.clone();
            var = var.clone();
        }

        @Override
        public double[] mean() {
            return mean.clone();
        }

        @Override
        public double[] var() {
            return var.clone();
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof Moments m
                    && m.layer == layer
                    && java.util.Arrays.equals(m.mean, mean)
                    && java.util.Arrays.equals(m.var, var);
        }

        @Override
        public int hashCode() {
            return layer * 31 + java.util.Arrays.hashCode(mean);
        }

        @Override
        public String toString() {
            return "Moments[layer=" + layer + ", mean=" + java.util.Arrays.toString(mean) + ", var="
                    + java.util.Arrays.toString(var) + "]";
        }
    }

    /**
     * For every BatchNorm layer in order, the mean and unbiased variance of its input over the rows, with the model
     * as it is: the network runs in inference mode, so earlier BatchNorm layers normalize with their stored running
     * statistics. Nothing is changed. One pass over the rows serves every layer.
     *
     * @return one {@link Moments} per BatchNorm layer, in layer order (empty without BatchNorm)
     * @throws IllegalArgumentException for fewer than 2 rows, a chain that does not fit {@code inputs}, or rows
     *                                  outside {@code x}
     */
    public static List<Moments> measure(int inputs, List<LayerState> layers, double[] x, int rows, int[] rowIndex) {
        int[] widths = Network.checkChain(inputs, layers);
        checkRows(inputs, x, rows, rowIndex);
        int chunk = Math.min(rows, CHUNK);
        Layer[] live = new Layer[layers.size()];
        double[][] acts = new double[widths.length][];
        for (int i = 0; i < live.length; i++) live[i] = Layer.of(layers.get(i));
        for (int i = 0; i < widths.length; i++) acts[i] = new double[chunk * widths[i]];
        double[][] mean = new double[live.length][], m2 = new double[live.length][];
        double[][] cm = new double[live.length][], c2 = new double[live.length][];
        int last = -1;
        for (int b = 0; b < live.length; b++) {
            if (live[b].kind() != LayerKind.BATCHNORM) continue;
            int d = widths[b];
            mean[b] = new double[d];
            m2[b] = new double[d];
            cm[b] = new double[d];
            c2[b] = new double[d];
            last = b;
        }
        Gemm gemm = Gemm.create();
        long count = 0;
        for (int start = 0; start < rows; start += chunk) {
            int m = Math.min(chunk, rows - start);
            gather(inputs, x, rowIndex, start, m, acts[0]);
            // only as far as the last BatchNorm's input
            for (int i = 0; i <= last; i++) {
                if (mean[i] != null) {
                    BatchNormLayer.moments(acts[i], m, widths[i], cm[i], c2[i]);
                    BatchNormLayer.combine(mean[i], m2[i], count, cm[i], c2[i], m, widths[i]);
                }
                if (i < last) live[i].forwardEval(gemm, acts[i], acts[i + 1], m);
            }
            count += m;
        }
        List<Moments> out = new ArrayList<>();
        for (int b = 0; b < live.length; b++) {
            if (mean[b] == null) continue;
            for (int j = 0; j < m2[b].length; j++) m2[b][j] /= (count - 1);
            out.add(new Moments(b, mean[b], m2[b]));
        }
        return List.copyOf(out);
    }

    /**
     * PreciseBN: a copy of {@code layers} in which each BatchNorm layer's running mean and variance are replaced,
     * layer by layer in order, by the population mean and unbiased variance of its input over the rows, computed in
     * inference mode with the earlier BatchNorm layers already replaced. Exactly (bit for bit)
     * {@link Network#recomputePopulationStatistics(double[], int[], int)} on {@code Network.fromState(inputs,
     * layers)}; {@code batchesTracked}, γ, β, momentum, eps and every other layer are kept, and {@code layers} is
     * not changed.
     *
     * @throws IllegalArgumentException as {@link #measure}
     */
    public static List<LayerState> recalibrate(
            int inputs, List<LayerState> layers, double[] x, int rows, int[] rowIndex) {
        Network.checkChain(inputs, layers);
        checkRows(inputs, x, rows, rowIndex);
        Network net = Network.fromState(inputs, layers);
        net.recomputePopulationStatistics(x, rowIndex, rows);
        return net.state();
    }

    private static void checkRows(int inputs, double[] x, int rows, int[] rowIndex) {
        if (rows < 2) throw new IllegalArgumentException("population statistics need at least 2 rows, got " + rows);
        int available = x.length / inputs;
        if (rowIndex == null) {
            if (rows > available) throw new IllegalArgumentException(rows + " rows asked for but x holds " + available);
            return;
        }
        if (rowIndex.length < rows)
            throw new IllegalArgumentException(rows + " rows asked for but rowIndex holds " + rowIndex.length);
        for (int r = 0; r < rows; r++) {
            if (rowIndex[r] < 0 || rowIndex[r] >= available)
                throw new IllegalArgumentException(
                        "rowIndex[" + r + "] = " + rowIndex[r] + " is not a row of x (0.." + (available - 1) + ")");
        }
    }

    /** Copies rows {@code start..start+m−1} (through {@code rowIndex} when non-null) into {@code dst}. */
    private static void gather(int inputs, double[] x, int[] rowIndex, int start, int m, double[] dst) {
        for (int r = 0; r < m; r++) {
            int row = rowIndex == null ? start + r : rowIndex[start + r];
            System.arraycopy(x, row * inputs, dst, r * inputs, inputs);
        }
    }
}
