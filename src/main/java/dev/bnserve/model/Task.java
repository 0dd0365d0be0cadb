package dev.bnserve.model;

import com.fasterxml.jackson.annotation.JsonValue;
import java.util.Locale;

/** What a model predicts: a class (softmax over classes) or a number. */
public enum Task {
    CLASSIFICATION,
    REGRESSION;

    @JsonValue
    public String id() {
        return name().toLowerCase(Locale.ROOT);
    }

    public static Task parse(String s) {
        for (Task t : values()) if (t.id().equals(s)) return t;
        throw new IllegalArgumentException("unknown task '" + s + "' (expected classification or regression)");
    }
}
