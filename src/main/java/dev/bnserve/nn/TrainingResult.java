package dev.bnserve.nn;

import java.util.List;

/**
 * The outcome of {@link Trainer#train}.
 *
 * @param history          one entry per epoch that ran, in order (all of them, also those after the best epoch
 *                         when early stopping ended the run)
 * @param trainingSeconds  time spent in training steps (forward, backward, update)
 * @param wallSeconds      total time including validation and statistics
 * @param rowsProcessed    training rows processed over all epochs
 * @param samplesPerSecond {@code rowsProcessed / trainingSeconds}
 * @param trainRows        rows in the training split
 * @param validationRows   rows in the validation split
 * @param bestEpoch        the 1-based epoch whose parameters and running statistics the network holds: the best
 *                         epoch under early stopping, else the last epoch run ({@code history.size()})
 * @param batchSize        the batch size actually used, {@code min(config.batchSize, trainRows)} (a trailing one-row
 *                         remainder joins the last batch, so one batch can be one row larger)
 */
public record TrainingResult(
        List<EpochStats> history,
        double trainingSeconds,
        double wallSeconds,
        long rowsProcessed,
        double samplesPerSecond,
        int trainRows,
        int validationRows,
        int bestEpoch,
        int batchSize) {

    public TrainingResult {
        history = List.copyOf(history);
        if (bestEpoch < 1 || bestEpoch > history.size())
            throw new IllegalArgumentException("bestEpoch " + bestEpoch + " outside [1, " + history.size() + "]");
    }

    /** The statistics of the last epoch that ran. */
    public EpochStats last() {
        return history.get(history.size() - 1);
    }

    /**
     * The statistics of {@link #bestEpoch()}, the epoch the trained network comes from ({@code = last()} without
     * early stopping). Its validation loss is the served network's, before any population statistics.
     */
    public EpochStats best() {
        return history.get(bestEpoch - 1);
    }

    /** Whether early stopping ended training before the planned epochs: {@code last().epoch() < last().epochs()}. */
    public boolean stoppedEarly() {
        EpochStats l = last();
        return l.epoch() < l.epochs();
    }
}
