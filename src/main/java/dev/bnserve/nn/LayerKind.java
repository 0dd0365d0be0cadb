package dev.bnserve.nn;

import java.util.Arrays;
import java.util.stream.Collectors;

/**
 * The closed set of layer kinds: what {@link LayerSpec#kind()} and {@link LayerState#kind()} return and what
 * every dispatch over layers switches on (a switch expression without {@code default}, so adding a kind fails
 * compilation at each place that must handle it). {@link #id()} is the {@code type} name in model files.
 */
public enum LayerKind {
    /** {@code y = x·Wᵀ + b}, W out × in. */
    LINEAR("linear"),
    /** {@code y = γ·(x − μ)/sqrt(σ² + eps) + β} per feature. */
    BATCHNORM("batchnorm"),
    /** {@code y = max(x, 0)} elementwise. */
    RELU("relu"),
    /** {@code y = tanh(x)} elementwise. */
    TANH("tanh");

    private final String id;

    LayerKind(String id) {
        this.id = id;
    }

    /** The model-file type name: {@code linear}, {@code batchnorm}, {@code relu} or {@code tanh}. */
    public String id() {
        return id;
    }

    /** The kind whose {@link #id()} is exactly {@code s}; throws naming {@code s} and the expected ids otherwise. */
    public static LayerKind parse(String s) {
        for (LayerKind k : values()) {
            if (k.id.equals(s)) return k;
        }
        throw new IllegalArgumentException("unknown layer type '" + s + "' (expected " + expected() + ")");
    }

    /** "linear, batchnorm, relu or tanh". */
    private static String expected() {
        LayerKind[] all = values();
        String head = Arrays.stream(all, 0, all.length - 1).map(LayerKind::id).collect(Collectors.joining(", "));
        return head + " or " + all[all.length - 1].id;
    }
}
