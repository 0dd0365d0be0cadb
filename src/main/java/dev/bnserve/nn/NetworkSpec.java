package dev.bnserve.nn;

import java.util.ArrayList;
import java.util.List;

/**
 * A feed-forward network's architecture: the number of inputs and the layers in order.
 *
 * @param inputs number of input features
 * @param layers the layers; the widths follow from {@code inputs} and each {@link LayerSpec.Linear#out()}
 */
public record NetworkSpec(int inputs, List<LayerSpec> layers) {

    public NetworkSpec {
        if (inputs < 1) throw new IllegalArgumentException("a network needs at least one input, got " + inputs);
        layers = List.copyOf(layers);
        if (layers.isEmpty()) throw new IllegalArgumentException("a network needs at least one layer");
    }

    /** Where the hidden BatchNorm layers go relative to the activation. */
    public enum Placement {
        /** {@code Linear → BN → act}. */
        BEFORE_ACTIVATION("before-activation"),
        /** {@code Linear → act → BN}. */
        AFTER_ACTIVATION("after-activation");

        private final String id;

        Placement(String id) {
            this.id = id;
        }

        /** {@code before-activation} or {@code after-activation}. */
        public String id() {
            return id;
        }

        /** Parses {@link #id()} (case-insensitive). */
        public static Placement parse(String s) {
            for (Placement p : values()) if (p.id.equalsIgnoreCase(s)) return p;
            throw new IllegalArgumentException(
                    "unknown batch-norm placement '" + s + "' (expected before-activation or after-activation)");
        }
    }

    /**
     * The standard MLP: optional input BatchNorm, then per hidden width {@code Linear → [BN] → act → [BN]}
     * (BN on the side given by {@code placement}), then a final {@code Linear(outputs)}.
     */
    public static NetworkSpec mlp(
            int inputs,
            List<Integer> hidden,
            int outputs,
            Activation activation,
            boolean inputBatchNorm,
            boolean hiddenBatchNorm,
            Placement placement,
            Double momentum,
            double eps) {
        List<LayerSpec> layers = new ArrayList<>();
        LayerSpec.BatchNorm bn = new LayerSpec.BatchNorm(momentum, eps);
        if (inputBatchNorm) layers.add(bn);
        for (int width : hidden) {
            layers.add(new LayerSpec.Linear(width));
            if (hiddenBatchNorm && placement == Placement.BEFORE_ACTIVATION) layers.add(bn);
            layers.add(activation.spec());
            if (hiddenBatchNorm && placement == Placement.AFTER_ACTIVATION) layers.add(bn);
        }
        layers.add(new LayerSpec.Linear(outputs));
        return new NetworkSpec(inputs, layers);
    }

    /** Width of the data entering layer {@code i} ({@code i == layers.size()} gives the output width). */
    public int widthBefore(int i) {
        int d = inputs;
        for (int k = 0; k < i; k++) {
            if (layers.get(k) instanceof LayerSpec.Linear l) d = l.out();
        }
        return d;
    }

    public int outputs() {
        return widthBefore(layers.size());
    }
}
