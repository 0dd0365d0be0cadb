package dev.bnserve.model;

import com.fasterxml.jackson.annotation.JsonInclude;
import dev.bnserve.nn.EpochStats;
import dev.bnserve.nn.LayerState;
import dev.bnserve.prep.Preprocessor;
import java.time.Instant;
import java.util.List;

/**
 * Everything known about one model, as an immutable snapshot: identity and status, what it was
 * trained on and how, its training history and metrics, and once ready its layers with every
 * parameter and running statistic. Saved and exported through {@link ModelJson}.
 *
 * @param inputs  feature names in the order the network reads them
 * @param classes class labels in output order (classification), else null
 * @param layers        the trained layers (null until ready)
 * @param source        where an imported model came from (its original id), else null
 * @param preprocessing how raw inputs become the network's inputs, fitted on the training split (null until ready,
 *                      and for models from before preprocessing, whose inputs are the network's)
 * @param ignored       columns the model does not learn from, with the reason
 * @param name          the name the model was trained or imported under ({@link ModelRef#NAME_SYNTAX}), else null
 * @param version       its version among the models of that name (1, 2, … in order of creation), null when unnamed
 * @param trainedBy     with the PostgreSQL store, the replica ({@code bnserve.instance-name}) that claimed its training
 *                      job, else null
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
        String source,
        Preprocessor preprocessing,
        List<IgnoredColumn> ignored,
        Derivation derivation,
        String name,
        Integer version,
        String trainedBy) {

    /**
     * How a model was made from another without training: {@code derivedFrom} is the source model's id, and
     * {@code statisticsSource} says where its BatchNorm running statistics came from.
     */
    public record Derivation(String derivedFrom, String statisticsSource) {}

    public ModelRecord {
        inputs = List.copyOf(inputs);
        classes = classes == null ? null : List.copyOf(classes);
        history = List.copyOf(history);
        layers = layers == null ? null : List.copyOf(layers);
        ignored = ignored == null ? List.of() : List.copyOf(ignored);
    }

    /** A model no replica has claimed (the filesystem store, an import, a queued job). */
    public ModelRecord(
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
            String source,
            Preprocessor preprocessing,
            List<IgnoredColumn> ignored,
            Derivation derivation,
            String name,
            Integer version) {
        this(
                id,
                status,
                error,
                created,
                finished,
                dataset,
                label,
                task,
                inputs,
                classes,
                request,
                epoch,
                epochs,
                history,
                metrics,
                layers,
                source,
                preprocessing,
                ignored,
                derivation,
                name,
                version,
                null);
    }

    /** A model without preprocessing (its inputs are the network's) and nothing ignored. */
    public ModelRecord(
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
        this(
                id, status, error, created, finished, dataset, label, task, inputs, classes, request, epoch, epochs,
                history, metrics, layers, source, null, List.of(), null, null, null);
    }

    /** The preprocessing predictions go through: the fitted one, else the identity over {@link #inputs}. */
    public Preprocessor encoding() {
        return preprocessing != null ? preprocessing : Preprocessor.identity(inputs);
    }

    /**
     * Training figures.
     *
     * @param trainingSeconds  time in training steps (forward, backward, update)
     * @param samplesPerSecond training rows processed per second of training
     * @param batchSize        the batch size used: the requested one, at most the training rows
     * @param bestEpoch        the epoch whose parameters and running statistics are served
     * @param droppedRows      rows left out of training: a missing label, or a missing feature with missing=drop
     * @param validation       metrics of the served model on the validation split ({@code accuracy}, {@code
     *                         logLoss}, … or {@code rmse}, {@code mae}, {@code r2}), null without one
     * @param statistics       which BatchNorm running statistics are served, how far the moving averages are from
     *                         the training split's, and the validation loss with each (null without BatchNorm)
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
            Double validationLoss,
            @JsonInclude(JsonInclude.Include.NON_NULL) Integer batchSize,
            @JsonInclude(JsonInclude.Include.NON_NULL) Integer bestEpoch,
            @JsonInclude(JsonInclude.Include.NON_NULL) Integer droppedRows,
            @JsonInclude(JsonInclude.Include.NON_NULL) Object validation,
            @JsonInclude(JsonInclude.Include.NON_NULL) Object statistics) {

        /** Figures of a model from before these were recorded. */
        public Metrics(
                double trainingSeconds,
                double samplesPerSecond,
                double wallSeconds,
                long rowsProcessed,
                int trainRows,
                int validationRows,
                Double validationAccuracy,
                Double validationRmse,
                Double validationLoss) {
            this(
                    trainingSeconds,
                    samplesPerSecond,
                    wallSeconds,
                    rowsProcessed,
                    trainRows,
                    validationRows,
                    validationAccuracy,
                    validationRmse,
                    validationLoss,
                    null,
                    null,
                    null,
                    null,
                    null);
        }
    }

    public ModelRecord withStatus(ModelStatus s, String err, Instant when) {
        return new ModelRecord(
                id,
                s,
                err,
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
                metrics,
                layers,
                source,
                preprocessing,
                ignored,
                derivation,
                name,
                version,
                trainedBy);
    }

    public ModelRecord withProgress(List<EpochStats> h) {
        int e = h.isEmpty() ? 0 : h.get(h.size() - 1).epoch();
        return new ModelRecord(
                id,
                status,
                error,
                created,
                finished,
                dataset,
                label,
                task,
                inputs,
                classes,
                request,
                e,
                epochs,
                h,
                metrics,
                layers,
                source,
                preprocessing,
                ignored,
                derivation,
                name,
                version,
                trainedBy);
    }

    /** Ready, with its trained layers, the preprocessing they read and the columns ignored in the end. */
    public ModelRecord ready(
            List<LayerState> trained, Preprocessor prep, List<IgnoredColumn> finalIgnored, Metrics m, Instant when) {
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
                source,
                prep,
                finalIgnored,
                derivation,
                name,
                version,
                trainedBy);
    }

    /** Ready, for models whose inputs are the network's. */
    public ModelRecord ready(List<LayerState> trained, Metrics m, Instant when) {
        return ready(trained, preprocessing, ignored, m, when);
    }

    /** A new model with these running statistics in place of this one's, made from it as {@code how} says. */
    public ModelRecord derived(String newId, List<LayerState> recalibrated, Derivation how, Instant when) {
        return new ModelRecord(
                newId,
                ModelStatus.READY,
                null,
                when,
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
                metrics,
                recalibrated,
                source,
                preprocessing,
                ignored,
                how,
                name,
                version,
                trainedBy);
    }

    public ModelRecord withIdentity(String newId, String origin, Instant when) {
        return new ModelRecord(
                newId,
                status,
                error,
                when,
                finished,
                dataset,
                label,
                task,
                inputs,
                classes,
                request,
                epoch,
                epochs,
                history,
                metrics,
                layers,
                origin,
                preprocessing,
                ignored,
                derivation,
                name,
                version,
                null);
    }

    /** This model as version {@code v} of the models named {@code n} (both null: unnamed). */
    public ModelRecord withVersion(String n, Integer v) {
        return new ModelRecord(
                id,
                status,
                error,
                created,
                finished,
                dataset,
                label,
                task,
                inputs,
                classes,
                request,
                epoch,
                epochs,
                history,
                metrics,
                layers,
                source,
                preprocessing,
                ignored,
                derivation,
                n,
                v,
                trainedBy);
    }

    /** This model as trained by {@code instance} (a replica's {@code bnserve.instance-name}). */
    public ModelRecord withTrainedBy(String instance) {
        return new ModelRecord(
                id,
                status,
                error,
                created,
                finished,
                dataset,
                label,
                task,
                inputs,
                classes,
                request,
                epoch,
                epochs,
                history,
                metrics,
                layers,
                source,
                preprocessing,
                ignored,
                derivation,
                name,
                version,
                instance);
    }

    /** {@code name@version}, or the id for an unnamed model: how answers and logs refer to it. */
    public String reference() {
        return name == null ? id : name + "@" + version;
    }
}
