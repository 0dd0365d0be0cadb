package dev.bnserve.predict;

import dev.bnserve.model.Task;
import java.util.List;

/**
 * The answers to a {@link PredictRequest}, row-major: row {@code r}'s outputs are
 * {@code outputs[r·width .. (r+1)·width)} — the class probabilities (classification, {@code width} = classes) or the
 * prediction in the label's units (regression, {@code width} = 1).
 *
 * @param model   the id of the model that answered
 * @param classes class labels in output order (classification), else null
 * @param best     per row, the index of the most probable class (classification), else null
 * @param warnings per row, what was assumed to answer it (a missing value imputed, an unknown level, an unknown
 *                 name), or null when nothing was; null when no row has any
 * @param name     the answering model's name, else null
 * @param version  its version among the models of that name, else null
 * @param notice   a warning about the whole answer, else null: set when the request named no model and the most
 *                 recently finished ready model answered, which may not be the one the client meant
 */
public record Predictions(
        String model,
        Task task,
        List<String> classes,
        boolean single,
        int rows,
        int width,
        double[] outputs,
        int[] best,
        List<String>[] warnings,
        String notice,
        String name,
        Integer version) {}
