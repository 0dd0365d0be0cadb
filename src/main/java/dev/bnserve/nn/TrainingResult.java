package dev.bnserve.nn;

import java.util.List;

/**
 * The outcome of {@link Trainer#train}.
 *
 * @param history          one entry per epoch
 * @param trainingSeconds  time spent in training steps (forward, backward, update)
 * @param wallSeconds      total time including validation and statistics
 * @param rowsProcessed    training rows processed over all epochs
 * @param samplesPerSecond {@code rowsProcessed / trainingSeconds}
 * @param trainRows        rows in the training split
 * @param validationRows   rows in the validation split
 */
public record TrainingResult(
        List<EpochStats> history,
        double trainingSeconds,
        double wallSeconds,
        long rowsProcessed,
        double samplesPerSecond,
        int trainRows,
        int validationRows) {

    public TrainingResult {
        history = List.copyOf(history);
    }

    public EpochStats last() {
        return history.get(history.size() - 1);
    }
}
