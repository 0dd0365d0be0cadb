package dev.bnserve.nn;

/**
 * What one epoch achieved; losses are {@link Loss} values (means over rows), {@code validationRmse =
 * sqrt(Σ(prediction − target)²/(rows·outputs))} in the target's units.
 *
 * @param epoch              1-based number of this epoch
 * @param epochs             epochs planned in total
 * @param loss               mean training loss over the epoch's rows (standardized targets for regression)
 * @param validationLoss     loss on the validation split in inference mode, NaN without one
 * @param validationAccuracy fraction correct (classification), else NaN
 * @param validationRmse     root mean squared error in the target's units (regression), else NaN
 * @param rowsProcessed      training rows seen so far
 * @param trainingSeconds    time spent in training steps so far (excludes validation)
 */
public record EpochStats(
        int epoch,
        int epochs,
        double loss,
        double validationLoss,
        double validationAccuracy,
        double validationRmse,
        long rowsProcessed,
        double trainingSeconds) {}
