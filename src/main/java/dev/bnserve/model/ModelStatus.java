package dev.bnserve.model;

import com.fasterxml.jackson.annotation.JsonValue;
import java.util.Locale;

/** Life cycle of a model: queued → training → ready | failed | cancelled. */
public enum ModelStatus {
    QUEUED,
    TRAINING,
    READY,
    FAILED,
    CANCELLED;

    @JsonValue
    public String id() {
        return name().toLowerCase(Locale.ROOT);
    }

    public boolean isTerminal() {
        return this == READY || this == FAILED || this == CANCELLED;
    }

    public static ModelStatus parse(String s) {
        for (ModelStatus m : values()) if (m.id().equals(s)) return m;
        throw new IllegalArgumentException("unknown status '" + s + "'");
    }
}
