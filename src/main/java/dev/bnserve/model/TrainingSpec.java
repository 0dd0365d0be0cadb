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
 * @param hidden   the hidden layers, input side first
 * @param seed          seeds the initialization, the validation split and the shuffles
 * @param preprocessing how raw columns are encoded (fitted on the training split only)
 * @param earlyStopping null, or when to stop and which epoch to serve
 * @param classWeights  null (unweighted loss) or how to weight the classes
 * @param name          null, or the name the model is a version of ({@link ModelRef#NAME_SYNTAX})
 */
public record TrainingSpec(
        String dataset,
        String label,
        List<String> features,
        Task task,
        List<HiddenLayer> hidden,
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
        ClassWeights classWeights,
        String name) {

    /** Every default of the training request (dataset, label, features and task have none). */
    public static final TrainingSpec DEFAULTS = new TrainingSpec(
            null,
            null,
            null,
            null,
            List.of(HiddenLayer.of(64), HiddenLayer.of(64)),
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
            null,
            null);

    public TrainingSpec {
        features = features == null ? null : List.copyOf(features);
        hidden = List.copyOf(hidden);
    }

    /**
     * One hidden layer: {@code units} wide, with BatchNorm and an activation of its own, or (null) the request-level
     * {@code batchNorm.hidden} and {@code activation}. Written as a plain width when it has neither.
     */
    public record HiddenLayer(int units, Boolean batchNorm, Activation activation) {
        public static HiddenLayer of(int units) {
            return new HiddenLayer(units, null, null);
        }
    }

    /** The widths of the hidden layers. */
    public List<Integer> widths() {
        return hidden.stream().map(HiddenLayer::units).toList();
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
            List<HiddenLayer> hidden,
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
                classWeights,
                name);
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
        List<HiddenLayer> layers = newHidden.stream().map(HiddenLayer::of).toList();
        return with(dataset, label, features, task, layers, epochs, newBatchSize, newValidationSplit);
    }

    /**
     * The network this spec trains, for {@code inputs} input and {@code outputs} output units: each hidden layer
     * with its own BatchNorm and activation, or the request-level ones.
     */
    public NetworkSpec networkSpec(int inputs, int outputs) {
        List<NetworkSpec.Hidden> layers = hidden.stream()
                .map(h -> new NetworkSpec.Hidden(
                        h.units(),
                        h.batchNorm() != null ? h.batchNorm() : batchNorm.hidden(),
                        h.activation() != null ? h.activation() : activation,
                        batchNorm.placement()))
                .toList();
        return NetworkSpec.mlp(
                inputs,
                batchNorm.input(),
                layers,
                outputs,
                batchNorm.placement(),
                batchNorm.momentum(),
                batchNorm.eps());
    }

    public TrainingConfig trainingConfig() {
        return new TrainingConfig(
                epochs, batchSize, shuffle, seed, validationSplit, optimizer.config(), batchNorm.statistics());
    }
}
