package dev.bnserve.nn;

/** Training stopped because cancellation was requested. */
public class TrainingCancelledException extends RuntimeException {
    public TrainingCancelledException(int epoch) {
        super("training cancelled during epoch " + epoch);
    }
}
