package dev.bnserve.nn;

/**
 * A trainable parameter tensor, flattened: its values and the gradient of the loss with respect to
 * them (overwritten by every backward pass).
 */
public record Param(String name, double[] value, double[] grad) {}
