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
 *   <li>A seeded permutation holds out {@code floor(rows·validationSplit)} rows for validation.</li>
 *   <li>Regression targets are standardized with the training split's mean and standard deviation;
 *       after training the last Linear layer is rescaled so the network predicts in the original units.</li>
 *   <li>Every epoch visits the training rows in a seeded shuffled order in batches of
 *       {@code batchSize}; a trailing batch of one row joins the batch before it, so no BatchNorm layer
 *       ever sees a one-row batch.</li>
 *   <li>Each step: training-mode forward, loss, backward, optimizer update. A NaN or infinite loss
 *       stops training with a {@link TrainingException} naming the epoch and step.</li>
 *   <li>After each epoch: validation loss and accuracy (or RMSE) in inference mode, then the listener.</li>
 *   <li>With {@link StatisticsMode#POPULATION} the running statistics are finally replaced by the exact
 *       population statistics of the training split.</li>
 * </ol>
 * The same network, data and config always give the same result.
 */
public final class Trainer {
    private final TrainingConfig config;

    public Trainer(TrainingConfig config) {
        this.config = config;
    }

    public TrainingResult train(Network net, TrainingData data) {
        return train(net, data, TrainingListener.NONE, () -> false);
    }

    public TrainingResult train(Network net, TrainingData data, TrainingListener listener, BooleanSupplier cancelled) {
        long wallStart = System.nanoTime();
        if (net.inputs() != data.features())
            throw new IllegalArgumentException(
                    "network has " + net.inputs() + " inputs, data has " + data.features() + " features");
        if (net.outputs() != data.outputs())
            throw new IllegalArgumentException(
                    "network has " + net.outputs() + " outputs, data needs " + data.outputs());
        final int d = data.features();
        final int k = data.outputs();
        final boolean classify = data.isClassification();

        SplittableRandom rng = new SplittableRandom(config.seed());
        int[] perm = identity(data.rows());
        shuffle(perm, perm.length, rng);
        int nVal = (int) Math.floor(data.rows() * config.validationSplit());
        int nTrain = data.rows() - nVal;
        if (nTrain < 2) {
            throw new TrainingException("need at least 2 training rows for batch normalization, have " + nTrain
                    + " (of " + data.rows() + " rows, " + nVal + " held out for validation)");
        }
        int[] train = Arrays.copyOfRange(perm, nVal, perm.length);
        int[] val = Arrays.copyOfRange(perm, 0, nVal);

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

        Optimizer optimizer = config.optimizer().create(net.params());
        List<EpochStats> history = new ArrayList<>();
        long rows = 0;
        long trainNanos = 0;
        for (int epoch = 1; epoch <= config.epochs(); epoch++) {
            long t0 = System.nanoTime();
            if (config.shuffle()) shuffle(train, nTrain, rng);
            double lossSum = 0;
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
                    loss = net.trainStep(n, data.loss(), batchLabels, batchTargets);
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
                lossSum += loss * n;
                rows += n;
            }
            trainNanos += System.nanoTime() - t0;
            requireFiniteParameters(net, epoch);
            history.add(validate(
                    net,
                    data,
                    epoch,
                    lossSum / nTrain,
                    valX,
                    val,
                    valOut,
                    targets,
                    targetMean,
                    targetStd,
                    rows,
                    trainNanos));
            listener.onEpoch(history.get(history.size() - 1));
        }
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
                nVal);
    }

    private EpochStats validate(
            Network net,
            TrainingData data,
            int epoch,
            double trainLoss,
            double[] valX,
            int[] val,
            double[] out,
            double[] stdTargets,
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
                double[] t = new double[n * k];
                double se = 0;
                for (int r = 0; r < n; r++) {
                    for (int j = 0; j < k; j++) {
                        t[r * k + j] = stdTargets[val[r] * k + j];
                        double e = (out[r * k + j] * std[j] + mean[j]) - data.targets()[val[r] * k + j];
                        se += e * e;
                    }
                }
                vLoss = Loss.MSE.evaluate(out, n, k, null, t, null);
                rmse = Math.sqrt(se / ((double) n * k));
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
