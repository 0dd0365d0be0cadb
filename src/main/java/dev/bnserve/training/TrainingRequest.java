package dev.bnserve.training;

import com.fasterxml.jackson.annotation.JsonInclude;
import dev.bnserve.model.Task;
import dev.bnserve.nn.Activation;
import dev.bnserve.nn.NetworkSpec;
import dev.bnserve.nn.OptimizerConfig;
import dev.bnserve.nn.StatisticsMode;
import dev.bnserve.nn.TrainingConfig;
import java.util.List;
import java.util.Locale;

/**
 * The effective training request: what the client sent with every default filled in
 * (the {@code request} field of a model). Field names are the HTTP contract's.
 */
public record TrainingRequest(
        String dataset,
        String label,
        List<String> features,
        Task task,
        List<Integer> hidden,
        String activation,
        BatchNormSettings batchNorm,
        OptimizerSettings optimizer,
        int epochs,
        int batchSize,
        long seed,
        double validationSplit,
        boolean shuffle) {

    public TrainingRequest {
        features = List.copyOf(features);
        hidden = List.copyOf(hidden);
    }

    /** {@code momentum} null means the cumulative average; it is always written, even when null. */
    public record BatchNormSettings(
            boolean input,
            boolean hidden,
            String placement,
            @JsonInclude(JsonInclude.Include.ALWAYS) Double momentum,
            double eps,
            String statistics) {
        public static final String BEFORE = "before-activation";
        public static final String AFTER = "after-activation";

        NetworkSpec.Placement placementValue() {
            return AFTER.equals(placement)
                    ? NetworkSpec.Placement.AFTER_ACTIVATION
                    : NetworkSpec.Placement.BEFORE_ACTIVATION;
        }
    }

    public record OptimizerSettings(String type, double learningRate, double momentum, double weightDecay) {
        OptimizerConfig config() {
            OptimizerConfig.Type t = OptimizerConfig.Type.valueOf(type.toUpperCase(Locale.ROOT));
            return new OptimizerConfig(t, learningRate, momentum, 0.999, 1e-8, weightDecay);
        }
    }

    /** The network this request trains, for {@code outputs} output units. */
    public NetworkSpec networkSpec(int outputs) {
        return NetworkSpec.mlp(
                features.size(),
                hidden,
                outputs,
                Activation.parse(activation),
                batchNorm.input(),
                batchNorm.hidden(),
                batchNorm.placementValue(),
                batchNorm.momentum(),
                batchNorm.eps());
    }

    public TrainingConfig trainingConfig() {
        return new TrainingConfig(
                epochs,
                batchSize,
                shuffle,
                seed,
                validationSplit,
                optimizer.config(),
                StatisticsMode.parse(batchNorm.statistics()));
    }
}
