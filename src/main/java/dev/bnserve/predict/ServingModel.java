package dev.bnserve.predict;

import dev.bnserve.model.ModelRecord;
import dev.bnserve.model.Task;
import dev.bnserve.nn.InferencePlan;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * A ready model prepared for prediction once, when it becomes ready: the compiled (BatchNorm-folded)
 * plan, and the lookups a request needs. Immutable and shared by all request threads.
 */
record ServingModel(
        String id,
        Task task,
        List<String> inputs,
        Map<String, Integer> index,
        List<String> classes,
        InferencePlan plan,
        Instant finished) {

    static ServingModel of(ModelRecord m) {
        Map<String, Integer> index = new HashMap<>();
        for (int i = 0; i < m.inputs().size(); i++) index.put(m.inputs().get(i), i);
        return new ServingModel(
                m.id(),
                m.task(),
                m.inputs(),
                Map.copyOf(index),
                m.classes(),
                InferencePlan.compile(m.inputs().size(), m.layers()),
                m.finished() == null ? Instant.EPOCH : m.finished());
    }
}
