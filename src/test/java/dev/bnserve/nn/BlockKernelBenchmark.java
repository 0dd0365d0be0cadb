package dev.bnserve.nn;

import java.util.List;
import java.util.SplittableRandom;

/**
 * Throughput of {@link InferencePlan#predictRows} (the block kernel) against one {@link InferencePlan#predict} per row,
 * one thread, by thread CPU time, for a 32 → [256, 256] → 5 network with BatchNorm: rows/s and GFLOP/s (2 flops per weight and row).
 * Not a test. {@code java --add-modules jdk.incubator.vector -cp … dev.bnserve.nn.BlockKernelBenchmark [rows]}
 */
public final class BlockKernelBenchmark {
    private BlockKernelBenchmark() {}

    private static final java.lang.management.ThreadMXBean CPU =
            java.lang.management.ManagementFactory.getThreadMXBean();

    public static void main(String[] args) {
        int n = args.length > 0 ? Integer.parseInt(args[0]) : 10_000;
        NetworkSpec spec = NetworkSpec.mlp(
                32,
                List.of(256, 256),
                5,
                Activation.RELU,
                true,
                true,
                NetworkSpec.Placement.BEFORE_ACTIVATION,
                0.1,
                1e-5);
        Network net = InvariantsTest.trained(spec, 1);
        InferencePlan plan = InferencePlan.compile(32, net.state());
        double flops = 2.0 * (32 * 256 + 256 * 256 + 256 * 5);
        double[] x = InvariantsTest.randomRows(new SplittableRandom(3), n, 32);
        double[] out = new double[n * 5];
        double[] scratch = new double[plan.blockScratchSize()];
        double[] rowScratch = new double[plan.scratchSize()];
        for (int round = 0; round < 8; round++) {
            // thread CPU time, not wall time: on a shared machine other processes' time slices are not counted
            long t0 = CPU.getCurrentThreadCpuTime();
            plan.predictRows(x, 0, n, out, 0, scratch);
            long t1 = CPU.getCurrentThreadCpuTime();
            for (int r = 0; r < n; r++) plan.predict(x, r * 32, out, r * 5, rowScratch);
            long t2 = CPU.getCurrentThreadCpuTime();
            double block = n / ((t1 - t0) / 1e9), single = n / ((t2 - t1) / 1e9);
            System.out.printf(
                    "%s kernel, %d rows: block %.0f rows/s = %.1f GFLOP/s; row by row %.0f rows/s = %.1f GFLOP/s (%.2fx)%n",
                    plan.kernelName(), n, block, block * flops / 1e9, single, single * flops / 1e9, block / single);
        }
    }
}
