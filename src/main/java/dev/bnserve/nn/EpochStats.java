package dev.bnserve.nn;

/**
 * What one epoch achieved; losses are {@link Loss} values (means over rows), {@code validationRmse =
 * sqrt(Σ(prediction − target)²/(rows·outputs))} in the target's units.
 *
 * @param epoch              1-based number of this epoch
 * @param epochs             epochs planned in total
 * @param loss               mean training loss over the epoch's rows: the training objective, i.e. the class-weighted
 *                           cross-entropy {@code Σ w[y]·ce / Σ w[y]} over the epoch's rows when class weights are set
 *                           (each batch's loss taken with the parameters before its update); the MSE of the
 *                           standardized targets for regression
 * @param validationLoss     loss on the validation split in inference mode, NaN without one: classification, the
 *                           <em>unweighted</em> mean cross-entropy {@code (1/n) Σ_r (log Σ_k e^{z_rk} − z_r,y_r)};
 *                           regression, the mean squared error in the labels' units²,
 *                           {@code Σ (prediction − target)² / (rows·outputs)} (so {@code = validationRmse²})
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
