package dev.bnserve.nn;

/** Training could not go on: the data is unusable, or the loss became NaN or infinite. */
public class TrainingException extends RuntimeException {
    public TrainingException(String message) {
        super(message);
    }
}
