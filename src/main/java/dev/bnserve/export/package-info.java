/**
 * The ONNX export: a ready model as an ONNX {@code ModelProto} (opset 15, IR version 8, {@code tensor(double)}), either
 * layer by layer ({@code BatchNormalization} nodes in inference mode holding the running statistics) or as the folded
 * program that {@code /predict} runs ({@code Gemm}s, activations and {@code Softmax}).
 *
 * <p>The protobuf is written with protobuf-java and classes that the build generates from the official
 * {@code onnx.proto}, vendored unchanged under {@code src/main/proto/onnx} with its Apache-2.0 licence; the
 * build's protobuf plugin resolves {@code protoc} as a Maven artifact, so no system compiler is needed. Depends on
 * model, nn and prep only.
 */
package dev.bnserve.export;
