package dev.bnserve.training;

import dev.bnserve.model.ModelRecord;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.function.Consumer;

/**
 * Training jobs shared by several replicas ({@code bnserve.store=postgres}): a queued model has a job; one replica
 * claims it, holds it by renewing a lease, and writes the model's states only while it holds it. Without a queue
 * (the filesystem store) {@link TrainingService} runs its in-process executor.
 */
public interface JobQueue {

    /** Jobs waiting to be claimed, across all replicas. */
    int queued();

    /** Claims the oldest queued job for {@code instance} with a lease of {@code lease}: its model id, else empty. */
    Optional<String> claim(String instance, Duration lease);

    /** What renewing a lease found. */
    enum Lease {
        /** Still this replica's. */
        HELD,
        /** Still this replica's, and someone asked to cancel it. */
        CANCEL,
        /** No longer this replica's (its lease expired and another replica failed it, or it was deleted). */
        LOST
    }

    Lease renew(String modelId, String instance, Duration lease);

    /**
     * Saves {@code m}, a state of the job {@code instance} holds (and ends the job when {@code last}); false, with
     * nothing written, when the job is no longer held.
     */
    boolean write(String modelId, String instance, ModelRecord m, boolean last);

    /** What a cancellation found. */
    enum Cancel {
        /** The job was still queued: it is now cancelled. */
        CANCELLED,
        /** A replica trains it: it was asked to stop. */
        REQUESTED,
        /** No active job. */
        NONE
    }

    Cancel cancel(String modelId);

    /** Fails the jobs whose lease ran out ("lease expired on &lt;instance&gt;"); returns their model ids. */
    List<String> expire();

    /** Called when a job may be waiting (a submission anywhere). */
    void onQueued(Runnable listener);

    /** Called with a model id whose job someone asked to cancel. */
    void onCancelRequested(Consumer<String> listener);
}
