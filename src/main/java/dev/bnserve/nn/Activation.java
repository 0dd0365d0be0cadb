package dev.bnserve.nn;

import java.util.Locale;

/** The hidden-layer nonlinearity of an MLP. */
public enum Activation {
    RELU,
    TANH;

    LayerSpec spec() {
        return this == RELU ? new LayerSpec.Relu() : new LayerSpec.Tanh();
    }

    public String id() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** Parses {@code relu} or {@code tanh} (case-insensitive). */
    public static Activation parse(String s) {
        for (Activation a : values()) {
            if (a.id().equalsIgnoreCase(s)) return a;
        }
        throw new IllegalArgumentException("unknown activation '" + s + "' (expected relu or tanh)");
    }
}
