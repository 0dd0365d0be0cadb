package dev.bnserve.nn;

/**
 * A trainable parameter tensor, flattened: its values and the gradient of the loss with respect to
 * them, {@code grad[i] = ∂loss/∂value[i]} (overwritten by every backward pass). Both arrays are live views of
 * the layer's storage and have the same length: a Linear {@code weight} is row-major out × in
 * ({@code value[o·in + i] = W[o][i]}), {@code bias}, BatchNorm {@code gamma} and {@code beta} one value per
 * output feature.
 *
 * @param name  {@code weight}, {@code bias}, {@code gamma} or {@code beta}
 * @param value the parameter values, updated in place by the optimizer
 * @param grad  the gradient of the last backward pass
 */
public record Param(String name, double[] value, double[] grad) {}
