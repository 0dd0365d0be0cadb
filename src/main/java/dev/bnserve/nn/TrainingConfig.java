package dev.bnserve.nn;

/**
 * How to train.
 *
 * @param epochs          passes over the training split
 * @param batchSize       rows per mini-batch, at least 2 (a trailing one-row batch joins the one before)
 * @param shuffle         reshuffle the training rows every epoch (seeded)
 * @param seed            seeds the validation split and the shuffles
 * @param validationSplit fraction of rows held out for validation, in [0, 0.5]
 * @param optimizer       update rule
 * @param statistics      how the BatchNorm running statistics are finalized
 */
public record TrainingConfig(
        int epochs,
        int batchSize,
        boolean shuffle,
        long seed,
        double validationSplit,
        OptimizerConfig optimizer,
        StatisticsMode statistics) {

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
    }

    public TrainingConfig withEpochs(int e) {
        return new TrainingConfig(e, batchSize, shuffle, seed, validationSplit, optimizer, statistics);
    }
}
