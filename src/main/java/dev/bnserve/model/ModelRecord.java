package dev.bnserve.model;

import dev.bnserve.nn.EpochStats;
import dev.bnserve.nn.LayerState;
import java.time.Instant;
import java.util.List;

/**
 * Everything known about one model, as an immutable snapshot: identity and status, what it was
 * trained on and how, its training history and metrics, and once ready its layers with every
 * parameter and running statistic. Saved and exported through {@link ModelJson}.
 *
 * @param inputs  feature names in the order the network reads them
 * @param classes class labels in output order (classification), else null
 * @param layers  the trained layers (null until ready)
 * @param source  where an imported model came from (its original id), else null
 */
public record ModelRecord(
        String id,
        ModelStatus status,
        String error,
        Instant created,
        Instant finished,
        String dataset,
        String label,
        Task task,
        List<String> inputs,
        List<String> classes,
        TrainingSpec request,
        int epoch,
        int epochs,
        List<EpochStats> history,
        Metrics metrics,
        List<LayerState> layers,
        String source) {

    public ModelRecord {
        inputs = List.copyOf(inputs);
        classes = classes == null ? null : List.copyOf(classes);
        history = List.copyOf(history);
        layers = layers == null ? null : List.copyOf(layers);
    }

    /**
     * Training figures.
     *
     * @param trainingSeconds  time in training steps (forward, backward, update)
     * @param samplesPerSecond training rows processed per second of training
     */
    public record Metrics(
            double trainingSeconds,
            double samplesPerSecond,
            double wallSeconds,
            long rowsProcessed,
            int trainRows,
            int validationRows,
            Double validationAccuracy,
            Double validationRmse,
            Double validationLoss) {}

    public ModelRecord withStatus(ModelStatus s, String err, Instant when) {
        return new ModelRecord(
                id, s, err, created, when, dataset, label, task, inputs, classes, request, epoch, epochs, history,
                metrics, layers, source);
    }

    public ModelRecord withProgress(List<EpochStats> h) {
        int e = h.isEmpty() ? 0 : h.get(h.size() - 1).epoch();
        return new ModelRecord(
                id, status, error, created, finished, dataset, label, task, inputs, classes, request, e, epochs, h,
                metrics, layers, source);
    }

    public ModelRecord ready(List<LayerState> trained, Metrics m, Instant when) {
        return new ModelRecord(
                id,
                ModelStatus.READY,
                null,
                created,
                when,
                dataset,
                label,
                task,
                inputs,
                classes,
                request,
                epoch,
                epochs,
                history,
                m,
                trained,
                source);
    }

    public ModelRecord withIdentity(String newId, String origin, Instant when) {
        return new ModelRecord(
                newId, status, error, when, finished, dataset, label, task, inputs, classes, request, epoch, epochs,
                history, metrics, layers, origin);
    }
}
