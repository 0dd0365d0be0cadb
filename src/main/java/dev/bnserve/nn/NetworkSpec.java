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
     * One hidden layer of {@link #mlp(int, boolean, List, int, Placement, Double, double)}:
     * {@code Linear(units) → [BN] → activation → [BN]}, with a BatchNorm over the {@code units} features only when
     * {@code batchNorm} is set, on the side {@code placement} names.
     *
     * @param units      width of the layer's Linear output, ≥ 1
     * @param batchNorm  whether this layer has a BatchNorm
     * @param activation this layer's own nonlinearity
     * @param placement  where this layer's BatchNorm goes; {@code null} means the placement given to
     *                   {@link #mlp(int, boolean, List, int, Placement, Double, double)} (ignored without BN)
     */
    public record Hidden(int units, boolean batchNorm, Activation activation, Placement placement) {
        public Hidden {
            if (units < 1) throw new IllegalArgumentException("a hidden layer needs at least one unit, got " + units);
            if (activation == null) throw new IllegalArgumentException("a hidden layer needs an activation");
        }

        /** A hidden layer whose BatchNorm (if any) goes where the network's placement says. */
        public Hidden(int units, boolean batchNorm, Activation activation) {
            this(units, batchNorm, activation, null);
        }
    }

    /**
     * An MLP with per-hidden-layer choices: an optional input BatchNorm over the {@code inputs} features, then for
     * each {@link Hidden} {@code h} in order {@code Linear(h.units) → [BN] → h.activation → [BN]} (a BN only when
     * {@code h.batchNorm}, before the activation or after it as {@code h.placement}, else {@code placement}, says),
     * then a final {@code Linear(outputs)}. Every BatchNorm gets the same {@code momentum} (null: cumulative
     * average) and {@code eps}.
     *
     * <p>Layer count: {@code [1] + Σ_h (2 + [h.batchNorm]) + 1}.
     *
     * @param placement default side for the hidden BatchNorm layers; may be null when every hidden layer with BN
     *                  names its own
     * @throws IllegalArgumentException when a hidden layer wants BN but neither it nor {@code placement} says where
     */
    public static NetworkSpec mlp(
            int inputs,
            boolean inputBatchNorm,
            List<Hidden> hidden,
            int outputs,
            Placement placement,
            Double momentum,
            double eps) {
        List<LayerSpec> layers = new ArrayList<>();
        LayerSpec.BatchNorm bn = new LayerSpec.BatchNorm(momentum, eps);
        if (inputBatchNorm) layers.add(bn);
        for (int i = 0; i < hidden.size(); i++) {
            Hidden h = hidden.get(i);
            Placement p = h.placement() != null ? h.placement() : placement;
            if (h.batchNorm() && p == null) {
                throw new IllegalArgumentException("hidden layer " + i + " has batch norm but no placement");
            }
            layers.add(new LayerSpec.Linear(h.units()));
            if (h.batchNorm() && p == Placement.BEFORE_ACTIVATION) layers.add(bn);
            layers.add(h.activation().spec());
            if (h.batchNorm() && p == Placement.AFTER_ACTIVATION) layers.add(bn);
        }
        layers.add(new LayerSpec.Linear(outputs));
        return new NetworkSpec(inputs, layers);
    }

    /**
     * The standard MLP: optional input BatchNorm, then per hidden width {@code Linear → [BN] → act → [BN]}
     * (BN on the side given by {@code placement}), then a final {@code Linear(outputs)}. The same layers as
     * {@link #mlp(int, boolean, List, int, Placement, Double, double)} with every hidden layer alike
     * ({@code hiddenBatchNorm} with a null {@code placement} gives no hidden BN, as it always has).
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
        // a null placement has always meant "no hidden BN" here; the per-layer factory rejects it instead
        boolean bn = hiddenBatchNorm && placement != null;
        List<Hidden> layers = new ArrayList<>(hidden.size());
        for (int width : hidden) layers.add(new Hidden(width, bn, activation));
        return mlp(inputs, inputBatchNorm, layers, outputs, placement, momentum, eps);
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
