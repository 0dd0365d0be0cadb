package dev.bnserve.nn;

import java.util.Arrays;
import java.util.Objects;

/**
 * How to train.
 *
 * <p>The seven-argument constructor is the plain configuration (unweighted loss, no early stopping); the options are
 * added with {@link #withClassWeights(double[])} and {@link #withEarlyStopping(EarlyStopping)}, which leave every
 * other field as it is. With both options off the trainer computes exactly what it did before they existed.
 *
 * @param epochs          passes over the training split (the most that run with early stopping)
 * @param batchSize       rows per mini-batch, at least 2 (a trailing one-row batch joins the one before); the trainer
 *                        uses {@code min(batchSize, trainRows)}, reported as {@link TrainingResult#batchSize()}
 * @param shuffle         reshuffle the training rows every epoch (seeded)
 * @param seed            seeds the validation split and the shuffles
 * @param validationSplit fraction of rows held out for validation, in [0, 0.5]
 * @param optimizer       update rule
 * @param statistics      how the BatchNorm running statistics are finalized
 * @param classWeights    per-class weights of the cross-entropy (PyTorch {@code CrossEntropyLoss(weight=w)}), finite
 *                        and {@code >= 0}, one per class; null for the unweighted loss. Ignored by regression. See
 *                        {@link Loss} for the formula and {@link #balancedWeights} for sklearn's "balanced" weights.
 * @param earlyStopping   stop when the validation loss stops improving and serve the best epoch; null for off. Needs
 *                        a non-empty validation split ({@code validationSplit > 0}).
 */
public record TrainingConfig(
        int epochs,
        int batchSize,
        boolean shuffle,
        long seed,
        double validationSplit,
        OptimizerConfig optimizer,
        StatisticsMode statistics,
        double[] classWeights,
        EarlyStopping earlyStopping) {

    public TrainingConfig {
        if (epochs < 1) throw new IllegalArgumentException("epochs must be >= 1, got " + epochs);
        if (batchSize < 2)
            throw new IllegalArgumentException(
                    "batchSize must be >= 2 (batch normalization needs two rows to estimate a variance), got "
                            + batchSize);
        if (!(validationSplit >= 0 && validationSplit <= 0.5))
            throw new IllegalArgumentException("validationSplit must be in [0, 0.5], got " + validationSplit);
        if (optimizer == null || statistics == null)
            throw new IllegalArgumentException("optimizer and statistics are required");
        if (classWeights != null) {
            if (classWeights.length == 0) throw new IllegalArgumentException("classWeights must not be empty");
            for (int c = 0; c < classWeights.length; c++) {
                double w = classWeights[c];
                if (!(w >= 0) || !Double.isFinite(w))
                    throw new IllegalArgumentException(
                            "classWeights must be finite and >= 0, got " + w + " for class " + c);
            }
            classWeights = classWeights.clone();
        }
        if (earlyStopping != null && !(validationSplit > 0))
            throw new IllegalArgumentException(
                    "earlyStopping needs a validation split: validationSplit must be > 0, got " + validationSplit);
    }

    /** The plain configuration: unweighted loss, no early stopping. */
    public TrainingConfig(
            int epochs,
            int batchSize,
            boolean shuffle,
            long seed,
            double validationSplit,
            OptimizerConfig optimizer,
            StatisticsMode statistics) {
        this(epochs, batchSize, shuffle, seed, validationSplit, optimizer, statistics, null, null);
    }

    /**
     * Stop training once the validation loss has not improved for {@code patience} epochs, and keep the network of
     * the best epoch.
     *
     * <p>After each epoch {@code e} with validation loss {@code v}: if {@code v < best − minDelta} then
     * {@code best = v}, {@code bestEpoch = e} and the whole network state (parameters and every BatchNorm's running
     * mean, running variance and batch count) is snapshotted; otherwise, if {@code e − bestEpoch >= patience},
     * training stops. At the end the snapshot is restored (before population statistics and the regression rescale).
     * A NaN validation loss never counts as an improvement. This is Keras' {@code EarlyStopping(monitor="val_loss",
     * patience, min_delta, restore_best_weights=True)} with the running statistics restored too.
     *
     * @param patience epochs without improvement before stopping, {@code >= 1}
     * @param minDelta how much lower than the best the loss must be to count as an improvement, finite, {@code >= 0}
     */
    public record EarlyStopping(int patience, double minDelta) {
        public EarlyStopping {
            if (patience < 1)
                throw new IllegalArgumentException("earlyStopping.patience must be >= 1, got " + patience);
            if (!(minDelta >= 0) || !Double.isFinite(minDelta))
                throw new IllegalArgumentException("earlyStopping.minDelta must be finite and >= 0, got " + minDelta);
        }
    }

    /** A copy of the class weights, or null for the unweighted loss. */
    @Override
    public double[] classWeights() {
        return classWeights == null ? null : classWeights.clone();
    }

    /** Package-private view without the copy, for the trainer. */
    double[] classWeightsView() {
        return classWeights;
    }

    public TrainingConfig withEpochs(int e) {
        return new TrainingConfig(
                e, batchSize, shuffle, seed, validationSplit, optimizer, statistics, classWeights, earlyStopping);
    }

    /** This configuration with the cross-entropy weighted by {@code weights} (null: unweighted). */
    public TrainingConfig withClassWeights(double[] weights) {
        return new TrainingConfig(
                epochs, batchSize, shuffle, seed, validationSplit, optimizer, statistics, weights, earlyStopping);
    }

    /** This configuration with early stopping {@code es} (null: off). */
    public TrainingConfig withEarlyStopping(EarlyStopping es) {
        return new TrainingConfig(
                epochs, batchSize, shuffle, seed, validationSplit, optimizer, statistics, classWeights, es);
    }

    /**
     * scikit-learn's {@code compute_class_weight("balanced")} over the rows {@code rows} of {@code labels}:
     * {@code w_c = n / (classes · count_c)} with {@code n = rows.length} and {@code count_c} the number of those rows
     * labelled {@code c}. Pass the <em>training</em> rows ({@link Split#train()}) so the validation split does not
     * leak into the weights. Weighted this way every present class contributes the same total weight {@code n/classes}.
     *
     * <p>A class absent from the rows gets weight 0 (sklearn raises instead): it cannot occur in a training batch, so
     * the weight only matters for the loss of rows that are not trained on, and 0 keeps the weights finite.
     *
     * @param labels  class index per row of the data set, in {@code [0, classes)}
     * @param rows    the row indices to count (typically the training split), non-empty
     * @param classes the number of classes, {@code >= 1}
     * @return {@code classes} weights
     */
    public static double[] balancedWeights(int[] labels, int[] rows, int classes) {
        if (classes < 1) throw new IllegalArgumentException("classes must be >= 1, got " + classes);
        if (rows.length == 0) throw new IllegalArgumentException("balanced class weights need at least one row");
        long[] count = new long[classes];
        for (int r : rows) {
            if (r < 0 || r >= labels.length)
                throw new IllegalArgumentException("row " + r + " outside [0, " + labels.length + ")");
            int y = labels[r];
            if (y < 0 || y >= classes)
                throw new IllegalArgumentException("label " + y + " of row " + r + " outside [0, " + classes + ")");
            count[y]++;
        }
        double[] w = new double[classes];
        for (int c = 0; c < classes; c++) w[c] = count[c] == 0 ? 0.0 : rows.length / ((double) classes * count[c]);
        return w;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof TrainingConfig c
                && c.epochs == epochs
                && c.batchSize == batchSize
                && c.shuffle == shuffle
                && c.seed == seed
                && Double.compare(c.validationSplit, validationSplit) == 0
                && c.optimizer.equals(optimizer)
                && c.statistics == statistics
                && Arrays.equals(c.classWeights, classWeights)
                && Objects.equals(c.earlyStopping, earlyStopping);
    }

    @Override
    public int hashCode() {
        return Objects.hash(epochs, batchSize, shuffle, seed, validationSplit, optimizer, statistics, earlyStopping)
                        * 31
                + Arrays.hashCode(classWeights);
    }

    @Override
    public String toString() {
        return "TrainingConfig[epochs=" + epochs + ", batchSize=" + batchSize + ", shuffle=" + shuffle + ", seed="
                + seed + ", validationSplit=" + validationSplit + ", optimizer=" + optimizer + ", statistics="
                + statistics + ", classWeights=" + Arrays.toString(classWeights) + ", earlyStopping=" + earlyStopping
                + "]";
    }
}
