/**
 * The framework-free numeric core of bnserve: layers ({@link dev.bnserve.nn.LayerSpec}, {@link
 * dev.bnserve.nn.LayerState}), BatchNorm with PyTorch semantics, losses, optimizers, the {@link
 * dev.bnserve.nn.Trainer} and the folded, thread-safe {@link dev.bnserve.nn.InferencePlan} used for serving.
 * All data is flat row-major {@code double[]} ({@code n × width} batches, Linear weights {@code out × in}), with
 * matrix products in {@link dev.bnserve.nn.Gemm} and no dependency outside the JDK.
 */
package dev.bnserve.nn;
