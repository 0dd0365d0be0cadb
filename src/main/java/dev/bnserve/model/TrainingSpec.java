package dev.bnserve.model;

import dev.bnserve.nn.Activation;
import dev.bnserve.nn.NetworkSpec;
import dev.bnserve.nn.NetworkSpec.Placement;
import dev.bnserve.nn.OptimizerConfig;
import dev.bnserve.nn.StatisticsMode;
import dev.bnserve.nn.TrainingConfig;
import dev.bnserve.prep.Settings;
import java.util.List;

/**
 * How a model is trained: the training request with every default filled in, stored in the model (its
 * {@code request} field) so that a model says how it was made. Field names are the HTTP contract's.
 *
 * <p>{@link #DEFAULTS} is the one place defaults live: the request reader fills absent fields from it, the service
 * documents it, and the tests train with it. As read from a request, {@code features} and {@code task} may be null
 * ("every other numeric column", "inferred from the label"); once resolved against a dataset they never are.
 *
 * @param features feature columns in the order the network reads them
 * @param hidden   widths of the hidden layers, input side first
 * @param seed          seeds the initialization, the validation split and the shuffles
 * @param preprocessing how raw columns are encoded (fitted on the training split only)
 * @param earlyStopping null, or when to stop and which epoch to serve
 * @param classWeights  null (unweighted loss) or how to weight the classes
 */
public record TrainingSpec(
        String dataset,
        String label,
        List<String> features,
        Task task,
        List<Integer> hidden,
        Activation activation,
        BatchNormSpec batchNorm,
        OptimizerSpec optimizer,
        int epochs,
        int batchSize,
        long seed,
        double validationSplit,
        boolean shuffle,
        Settings preprocessing,
        EarlyStoppingSpec earlyStopping,
        ClassWeights classWeights) {

    /** Every default of the training request (dataset, label, features and task have none). */
    public static final TrainingSpec DEFAULTS = new TrainingSpec(
            null,
            null,
            null,
            null,
            List.of(64, 64),
            Activation.RELU,
            new BatchNormSpec(true, true, Placement.BEFORE_ACTIVATION, 0.1, 1e-5, StatisticsMode.EMA),
            new OptimizerSpec(OptimizerConfig.Type.ADAM, 1e-3, 0.9, 0.0),
            30,
            32,
            0L,
            0.2,
            true,
            new Settings(Settings.Missing.IMPUTE, true, 50, Settings.UnknownCategory.IGNORE),
            null,
            null);

    public TrainingSpec {
        features = features == null ? null : List.copyOf(features);
        hidden = List.copyOf(hidden);
    }

    /**
     * BatchNorm settings: on the input and/or after every hidden Linear layer, before or after its activation.
     *
     * @param momentum   PyTorch's: {@code running = (1 − momentum)·running + momentum·batch}; null means the
     *                   cumulative average over all batches
     * @param eps        added to the variance before the square root
     * @param statistics which running statistics the model keeps after training
     */
    public record BatchNormSpec(
            boolean input,
            boolean hidden,
            Placement placement,
            Double momentum,
            double eps,
            StatisticsMode statistics) {}

    /**
     * The optimizer, with PyTorch's meaning; for Adam, {@code momentum} is beta1 and beta2/epsilon are PyTorch's
     * defaults ({@value #ADAM_BETA2}, {@value #ADAM_EPSILON}).
     */
    public record OptimizerSpec(OptimizerConfig.Type type, double learningRate, double momentum, double weightDecay) {
        public static final double ADAM_BETA2 = 0.999;
        public static final double ADAM_EPSILON = 1e-8;

        public OptimizerConfig config() {
            return new OptimizerConfig(type, learningRate, momentum, ADAM_BETA2, ADAM_EPSILON, weightDecay);
        }
    }

    /**
     * Stop when the validation loss has not fallen below {@code best − minDelta} for {@code patience} epochs, and
     * serve the best epoch's parameters and BatchNorm running statistics.
     */
    public record EarlyStoppingSpec(int patience, double minDelta) {
        public static final EarlyStoppingSpec DEFAULTS = new EarlyStoppingSpec(10, 0.0);
    }

    /** How the classes' losses are weighted. */
    public enum ClassWeights {
        /** By inverse frequency in the training split: {@code w_c = n / (classes · n_c)}. */
        BALANCED;

        public String id() {
            return name().toLowerCase(java.util.Locale.ROOT);
        }
    }

    /** A copy with the given fields changed; used by the withers below. */
    private TrainingSpec with(
            String dataset,
            String label,
            List<String> features,
            Task task,
            List<Integer> hidden,
            int epochs,
            int batchSize,
            double validationSplit) {
        return new TrainingSpec(
                dataset,
                label,
                features,
                task,
                hidden,
                activation,
                batchNorm,
                optimizer,
                epochs,
                batchSize,
                seed,
                validationSplit,
                shuffle,
                preprocessing,
                earlyStopping,
                classWeights);
    }

    /** This spec with its dataset-dependent fields resolved. */
    public TrainingSpec resolved(String datasetId, List<String> features, Task task) {
        return with(datasetId, label, features, task, hidden, epochs, batchSize, validationSplit);
    }

    /** This spec predicting {@code newLabel}. */
    public TrainingSpec withLabel(String newLabel) {
        return with(dataset, newLabel, features, task, hidden, epochs, batchSize, validationSplit);
    }

    /** This spec with other epochs, for tests and warm-ups that train briefly. */
    public TrainingSpec withEpochs(int e) {
        return with(dataset, label, features, task, hidden, e, batchSize, validationSplit);
    }

    /** This spec with other hidden widths, batch size and validation split (for the kernel warm-up and tests). */
    public TrainingSpec withShape(List<Integer> newHidden, int newBatchSize, double newValidationSplit) {
        return with(dataset, label, features, task, newHidden, epochs, newBatchSize, newValidationSplit);
    }

    /** The network this spec trains, for {@code inputs} input and {@code outputs} output units. */
    public NetworkSpec networkSpec(int inputs, int outputs) {
        return NetworkSpec.mlp(
                inputs,
                hidden,
                outputs,
                activation,
                batchNorm.input(),
                batchNorm.hidden(),
                batchNorm.placement(),
                batchNorm.momentum(),
                batchNorm.eps());
    }

    public TrainingConfig trainingConfig() {
        return new TrainingConfig(
                epochs, batchSize, shuffle, seed, validationSplit, optimizer.config(), batchNorm.statistics());
    }
}
