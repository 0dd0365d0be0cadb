package dev.bnserve.predict;

import dev.bnserve.model.ModelRecord;
import dev.bnserve.model.Task;
import dev.bnserve.model.TrainingSpec;
import dev.bnserve.nn.InferencePlan;
import dev.bnserve.nn.LayerState;
import dev.bnserve.prep.ColumnEncoding;
import dev.bnserve.prep.Preprocessor;
import dev.bnserve.prep.Settings;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * A ready model prepared for prediction once, when it becomes ready: the compiled (BatchNorm-folded) plan, its
 * preprocessing (null for a model from before preprocessing, whose inputs are the network's), and the lookups a
 * request needs. Immutable and shared by all request threads.
 *
 * @param levels per input, the level → index map of a categorical input, else null
 * @param layers the unfolded layers, for tracing a row through them
 * @param name    the model's name, else null
 * @param version its version of that name, else null
 */
record ServingModel(
        String id,
        Task task,
        List<String> inputs,
        Map<String, Integer> index,
        List<String> classes,
        InferencePlan plan,
        Instant finished,
        Preprocessor preprocessing,
        Settings settings,
        List<Map<String, Integer>> levels,
        List<LayerState> layers,
        String name,
        Integer version) {

    static ServingModel of(ModelRecord m) {
        Map<String, Integer> index = new HashMap<>();
        for (int i = 0; i < m.inputs().size(); i++) index.put(m.inputs().get(i), i);
        Preprocessor prep = m.preprocessing();
        List<Map<String, Integer>> levels = prep == null
                ? null
                : prep.columns().stream()
                        .map(c -> c instanceof ColumnEncoding.Categorical cat ? cat.index() : null)
                        .toList();
        Settings settings = m.request() != null ? m.request().preprocessing() : TrainingSpec.DEFAULTS.preprocessing();
        int width = prep == null ? m.inputs().size() : prep.width();
        return new ServingModel(
                m.id(),
                m.task(),
                m.inputs(),
                Map.copyOf(index),
                m.classes(),
                InferencePlan.compile(width, m.layers()),
                m.finished() == null ? Instant.EPOCH : m.finished(),
                prep,
                settings,
                levels,
                m.layers(),
                m.name(),
                m.version());
    }
}
