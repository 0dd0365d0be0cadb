package dev.bnserve.nn;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import java.util.function.BooleanSupplier;

/**
 * Mini-batch gradient descent over a {@link TrainingData} set.
 *
 * <ol>
 *   <li>A seeded permutation holds out {@code floor(rows·validationSplit)} rows for validation
 *       ({@link #split(int, TrainingConfig)}); a caller may compute that split first and pass it in.</li>
 *   <li>Regression targets are standardized with the training split's mean and standard deviation;
 *       after training the last Linear layer is rescaled so the network predicts in the original units.</li>
 *   <li>Every epoch visits the training rows in a seeded shuffled order in batches of
 *       {@code min(batchSize, trainRows)}; a trailing batch of one row joins the batch before it, so no BatchNorm
 *       layer ever sees a one-row batch.</li>
 *   <li>Each step: training-mode forward, loss (cross-entropy weighted by {@link TrainingConfig#classWeights()} when
 *       given, see {@link Loss}), backward, optimizer update. A NaN or infinite loss stops training with a
 *       {@link TrainingException} naming the epoch and step.</li>
 *   <li>After each epoch: validation loss and accuracy (or RMSE) in inference mode, then the listener, then the
 *       early-stopping rule ({@link TrainingConfig.EarlyStopping}) when configured.</li>
 *   <li>With early stopping the network state of the best epoch is restored.</li>
 *   <li>With {@link StatisticsMode#POPULATION} the running statistics are then replaced by the exact
 *       population statistics of the training split.</li>
 * </ol>
 * The same network, data, split and config always give the same result.
 *
 * <p>Validation loss ({@link EpochStats#validationLoss()}): classification, the <em>unweighted</em> mean
 * cross-entropy {@code (1/n) Σ_r (log Σ_k e^{z_rk} − z_r,y_r)} of the validation rows' logits; regression, the mean
 * squared error in the labels' units², {@code Σ_rj (ŷ_rj − y_rj)² / (n·k)} with {@code ŷ} the un-standardized
 * prediction, so {@code validationRmse = sqrt(validationLoss)}.
 */
public final class Trainer {
    private final TrainingConfig config;

    public Trainer(TrainingConfig config) {
        this.config = config;
    }

    /** Trains on {@link #split(int, TrainingConfig) the default split}, without a listener or cancellation. */
    public TrainingResult train(Network net, TrainingData data) {
        return train(net, data, TrainingListener.NONE, () -> false);
    }

    /** Trains on {@link #split(int, TrainingConfig) the default split} of {@code data}. */
    public TrainingResult train(Network net, TrainingData data, TrainingListener listener, BooleanSupplier cancelled) {
        checkShapes(net, data);
        return train(net, data, split(data.rows(), config), listener, cancelled);
    }

    /**
     * The validation split {@link #train(Network, TrainingData, TrainingListener, BooleanSupplier)} uses for
     * {@code rows} rows: a permutation of {@code 0..rows−1} drawn by a {@link SplittableRandom} seeded with
     * {@link TrainingConfig#seed()} (Fisher–Yates from the end), of which the first
     * {@code nVal = floor(rows·validationSplit)} entries are the validation rows and the rest, in permutation order,
     * the training rows. Depends only on {@code rows}, the seed and the split fraction.
     *
     * @throws TrainingException if fewer than 2 rows would be left for training
     */
    public static Split split(int rows, TrainingConfig config) {
        if (rows < 0) throw new IllegalArgumentException("rows must be >= 0, got " + rows);
        int[] perm = identity(rows);
        shuffle(perm, perm.length, new SplittableRandom(config.seed()));
        int nVal = (int) Math.floor(rows * config.validationSplit());
        requireTrainingRows(rows - nVal, rows, nVal);
        return new Split(Arrays.copyOfRange(perm, nVal, perm.length), Arrays.copyOfRange(perm, 0, nVal));
    }

    /**
     * Trains {@code net} on the rows {@code split.train()} of {@code data} and validates on {@code split.validation()}
     * after every epoch. The epoch shuffles use the same seeded generator as the default split, advanced past the
     * split's permutation of {@code data.rows()}, so {@code train(net, data, split(data.rows(), config), …)} is
     * bit-for-bit the same as {@code train(net, data, …)}.
     *
     * @param split     row indices in {@code [0, data.rows())}, the two parts disjoint and without repeats, at least 2
     *                  training rows; non-empty validation when early stopping is on
     * @param listener  receives every epoch's statistics (also the epochs after the best one)
     * @param cancelled polled before every step; true stops with {@link TrainingCancelledException}
     * @throws IllegalArgumentException if the network does not fit the data, the split is invalid, the class weights do
     *     not match the classes, or early stopping has no validation rows
     * @throws TrainingException if there are fewer than 2 training rows or training diverges
     */
    public TrainingResult train(
            Network net, TrainingData data, Split split, TrainingListener listener, BooleanSupplier cancelled) {
        long wallStart = System.nanoTime();
        checkShapes(net, data);
        final int d = data.features();
        final int k = data.outputs();
        final boolean classify = data.isClassification();
        checkSplit(split, data.rows());

        // the generator of the shuffles continues where the default split's permutation left it
        SplittableRandom rng = new SplittableRandom(config.seed());
        for (int i = data.rows() - 1; i > 0; i--) rng.nextInt(i + 1);
        int[] train = split.train();
        int[] val = split.validation();
        int nTrain = train.length;
        int nVal = val.length;

        double[] weights = classify ? config.classWeightsView() : null;
        if (weights != null && weights.length != data.classes())
            throw new IllegalArgumentException(
                    "classWeights has " + weights.length + " weights, the data has " + data.classes() + " classes");
        TrainingConfig.EarlyStopping early = config.earlyStopping();
        if (early != null && nVal == 0)
            throw new IllegalArgumentException("earlyStopping needs validation rows, the split has none");

        double[] targetMean = new double[k];
        double[] targetStd = new double[k];
        double[] targets = classify ? null : standardizeTargets(data, train, targetMean, targetStd);

        int batch = Math.min(config.batchSize(), nTrain);
        int[] bounds = batchBounds(nTrain, batch);
        int maxBatch = 0;
        for (int i = 1; i < bounds.length; i++) maxBatch = Math.max(maxBatch, bounds[i] - bounds[i - 1]);
        net.ensureCapacity(maxBatch);
        int[] batchLabels = classify ? new int[maxBatch] : null;
        double[] batchTargets = classify ? null : new double[maxBatch * k];

        double[] valX = gather(data.x(), d, val);
        double[] valOut = new double[nVal * k];

        Network.Snapshot best = early == null ? null : net.newSnapshot();
        double bestLoss = Double.POSITIVE_INFINITY;
        int bestEpoch = 0;

        Optimizer optimizer = config.optimizer().create(net.params(), net.gemm());
        List<EpochStats> history = new ArrayList<>();
        long rows = 0;
        long trainNanos = 0;
        for (int epoch = 1; epoch <= config.epochs(); epoch++) {
            long t0 = System.nanoTime();
            if (config.shuffle()) shuffle(train, nTrain, rng);
            double lossSum = 0;
            double weightSum = 0;
            for (int b = 0; b + 1 < bounds.length; b++) {
                if (cancelled.getAsBoolean()) throw new TrainingCancelledException(epoch);
                int from = bounds[b], n = bounds[b + 1] - from;
                double[] in = net.inputBuffer(n);
                for (int r = 0; r < n; r++) {
                    int row = train[from + r];
                    System.arraycopy(data.x(), row * d, in, r * d, d);
                    if (classify) batchLabels[r] = data.labels()[row];
                    else System.arraycopy(targets, row * k, batchTargets, r * k, k);
                }
                double loss;
                try {
                    loss = net.trainStep(n, data.loss(), batchLabels, batchTargets, weights);
                } catch (ArithmeticException e) {
                    throw new TrainingException(
                            "batch statistics became NaN/Inf at epoch " + epoch + ", step " + (b + 1) + " ("
                                    + e.getMessage() + "); values this large cannot be normalized, rescale the data");
                }
                if (!Double.isFinite(loss)) {
                    throw new TrainingException(
                            "loss became " + (Double.isNaN(loss) ? "NaN" : "Inf") + " at epoch " + epoch + ", step "
                                    + (b + 1) + "; lower the learning rate or check the data for extreme values");
                }
                optimizer.step();
                if (weights == null) {
                    lossSum += loss * n;
                } else {
                    double w = Loss.weightSum(batchLabels, n, weights);
                    lossSum += loss * w;
                    weightSum += w;
                }
                rows += n;
            }
            trainNanos += System.nanoTime() - t0;
            requireFiniteParameters(net, epoch);
            double epochLoss = weights == null ? lossSum / nTrain : (weightSum > 0 ? lossSum / weightSum : 0.0);
            EpochStats stats =
                    validate(net, data, epoch, epochLoss, valX, val, valOut, targetMean, targetStd, rows, trainNanos);
            history.add(stats);
            listener.onEpoch(stats);
            if (early != null) {
                if (stats.validationLoss() < bestLoss - early.minDelta()) {
                    bestLoss = stats.validationLoss();
                    bestEpoch = epoch;
                    best.save();
                } else if (epoch - bestEpoch >= early.patience()) {
                    break;
                }
            }
        }
        if (early != null && bestEpoch > 0) best.restore();
        else bestEpoch = history.size();
        if (config.statistics() == StatisticsMode.POPULATION)
            net.recomputePopulationStatistics(data.x(), train, nTrain);
        requireFiniteStatistics(net);
        if (!classify) net.rescaleOutputs(targetStd, targetMean);
        double seconds = trainNanos / 1e9;
        return new TrainingResult(
                history,
                seconds,
                (System.nanoTime() - wallStart) / 1e9,
                rows,
                rows / Math.max(seconds, 1e-9),
                nTrain,
                nVal,
                bestEpoch,
                batch);
    }

    private static void checkShapes(Network net, TrainingData data) {
        if (net.inputs() != data.features())
            throw new IllegalArgumentException(
                    "network has " + net.inputs() + " inputs, data has " + data.features() + " features");
        if (net.outputs() != data.outputs())
            throw new IllegalArgumentException(
                    "network has " + net.outputs() + " outputs, data needs " + data.outputs());
    }

    private static void requireTrainingRows(int nTrain, int rows, int nVal) {
        if (nTrain < 2) {
            throw new TrainingException("need at least 2 training rows for batch normalization, have " + nTrain
                    + " (of " + rows + " rows, " + nVal + " held out for validation)");
        }
    }

    private static void checkSplit(Split split, int rows) {
        if (split == null) throw new IllegalArgumentException("split is required");
        boolean[] seen = new boolean[rows];
        for (int[] part : new int[][] {split.trainView(), split.validationView()}) {
            String name = part == split.trainView() ? "training" : "validation";
            for (int r : part) {
                if (r < 0 || r >= rows)
                    throw new IllegalArgumentException("split " + name + " row " + r + " outside [0, " + rows + ")");
                if (seen[r])
                    throw new IllegalArgumentException(
                            "split row " + r + " appears twice (the parts must be disjoint)");
                seen[r] = true;
            }
        }
        requireTrainingRows(split.trainRows(), rows, split.validationRows());
    }

    private EpochStats validate(
            Network net,
            TrainingData data,
            int epoch,
            double trainLoss,
            double[] valX,
            int[] val,
            double[] out,
            double[] mean,
            double[] std,
            long rows,
            long nanos) {
        int n = val.length;
        int k = data.outputs();
        double vLoss = Double.NaN, acc = Double.NaN, rmse = Double.NaN;
        if (n > 0) {
            net.forwardEval(valX, n, out);
            if (data.isClassification()) {
                int[] labels = new int[n];
                int correct = 0;
                for (int r = 0; r < n; r++) {
                    labels[r] = data.labels()[val[r]];
                    if (argmax(out, r * k, k) == labels[r]) correct++;
                }
                vLoss = Loss.CROSS_ENTROPY.evaluate(out, n, k, labels, null, null);
                acc = (double) correct / n;
            } else {
                // in the labels' units: the outputs are for standardized targets until the final rescale
                double se = 0;
                for (int r = 0; r < n; r++) {
                    for (int j = 0; j < k; j++) {
                        double e = (out[r * k + j] * std[j] + mean[j]) - data.targets()[val[r] * k + j];
                        se += e * e;
                    }
                }
                vLoss = se / ((double) n * k);
                rmse = Math.sqrt(vLoss);
            }
        }
        return new EpochStats(epoch, config.epochs(), trainLoss, vLoss, acc, rmse, rows, nanos / 1e9);
    }

    /** Batch boundaries {@code [0, b, 2b, …, n]}; a trailing remainder of one row joins the previous batch. */
    static int[] batchBounds(int n, int batch) {
        int full = n / batch;
        int rem = n % batch;
        int count = full + (rem >= 2 ? 1 : 0);
        int[] bounds = new int[count + 1];
        for (int i = 1; i <= full; i++) bounds[i] = i * batch;
        bounds[count] = n;
        return bounds;
    }

    private static void requireFiniteParameters(Network net, int epoch) {
        for (Param p : net.params()) {
            for (double v : p.value()) {
                if (!Double.isFinite(v))
                    throw new TrainingException(
                            "parameters became NaN/Inf at epoch " + epoch + "; lower the learning rate");
            }
        }
    }

    private static void requireFiniteStatistics(Network net) {
        List<LayerState> states = net.state();
        for (int i = 0; i < states.size(); i++) {
            if (!(states.get(i) instanceof LayerState.BatchNorm bn)) continue;
            for (double[] a : new double[][] {bn.runningMean(), bn.runningVar()}) {
                for (double v : a) {
                    if (!Double.isFinite(v)) {
                        throw new TrainingException("running statistics of layer " + i
                                + " became NaN/Inf; values this large cannot be normalized, rescale the data");
                    }
                }
            }
        }
    }

    private static double[] standardizeTargets(TrainingData data, int[] train, double[] mean, double[] std) {
        int k = data.targetDim();
        double[] t = data.targets();
        for (int r : train) for (int j = 0; j < k; j++) mean[j] += t[r * k + j];
        for (int j = 0; j < k; j++) mean[j] /= train.length;
        for (int r : train) for (int j = 0; j < k; j++) std[j] += (t[r * k + j] - mean[j]) * (t[r * k + j] - mean[j]);
        for (int j = 0; j < k; j++) {
            std[j] = Math.sqrt(std[j] / Math.max(1, train.length - 1));
            if (!(std[j] > 0) || !Double.isFinite(std[j])) std[j] = 1.0;
        }
        double[] out = new double[data.rows() * k];
        for (int i = 0; i < out.length; i++) out[i] = (t[i] - mean[i % k]) / std[i % k];
        return out;
    }

    static int argmax(double[] a, int off, int k) {
        int best = 0;
        for (int j = 1; j < k; j++) if (a[off + j] > a[off + best]) best = j;
        return best;
    }

    private static double[] gather(double[] x, int d, int[] rows) {
        double[] out = new double[rows.length * d];
        for (int r = 0; r < rows.length; r++) System.arraycopy(x, rows[r] * d, out, r * d, d);
        return out;
    }

    private static int[] identity(int n) {
        int[] a = new int[n];
        for (int i = 0; i < n; i++) a[i] = i;
        return a;
    }

    private static void shuffle(int[] a, int n, SplittableRandom rng) {
        for (int i = n - 1; i > 0; i--) {
            int j = rng.nextInt(i + 1);
            int t = a[i];
            a[i] = a[j];
            a[j] = t;
        }
    }
}
