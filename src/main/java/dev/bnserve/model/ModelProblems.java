package dev.bnserve.model;

import dev.bnserve.problem.Problem;
import dev.bnserve.problem.Violation;
import java.util.List;

/** The problems of model references and documents, phrased once for every caller. */
public final class ModelProblems {
    private ModelProblems() {}

    public static Problem notFound(String id) {
        return Problem.notFound("model", id);
    }

    /** The 422 for a model name (in {@code field}) that does not match {@link ModelRef#NAME_SYNTAX}. */
    public static Problem invalidName(String field) {
        return Problem.invalid(
                "invalid-model-name",
                "Invalid model name",
                "'" + field + "' must match " + ModelRef.NAME_SYNTAX + ".",
                List.of(Violation.field(field, "must match " + ModelRef.NAME_SYNTAX)));
    }

    /** A 409: {@code m} is not ready, so it cannot {@code action} (e.g. "predict", "be exported"). */
    public static Problem notReady(ModelRecord m, String action) {
        return Problem.conflict(
                "model-not-ready",
                "Model not ready",
                "Model " + m.id() + " is " + m.status().id() + (m.error() != null ? " (" + m.error() + ")" : "")
                        + "; only ready models " + action + ".");
    }

    /** A 422 for a model document that cannot be imported, naming the field at fault. */
    public static Problem invalidDocument(String detail, Violation at) {
        return Problem.invalid("invalid-model-document", "Invalid model document", detail, List.of(at));
    }
}
