package dev.bnserve.nn;

/** Receives progress while a network trains: once per epoch, after its validation, on the training thread. */
@FunctionalInterface
public interface TrainingListener {
    void onEpoch(EpochStats stats);

    TrainingListener NONE = s -> {};
}
