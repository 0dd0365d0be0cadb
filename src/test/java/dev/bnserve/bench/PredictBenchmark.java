package dev.bnserve.bench;

import dev.bnserve.nn.Gemm;
import dev.bnserve.nn.InferencePlan;
import dev.bnserve.nn.Network;
import dev.bnserve.nn.OptimizerConfig;
import dev.bnserve.nn.StatisticsMode;
import dev.bnserve.nn.Trainer;
import dev.bnserve.nn.TrainingConfig;
import dev.bnserve.nn.TrainingData;
import dev.bnserve.nn.TrainingResult;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Prediction latency and throughput of a compiled {@link InferencePlan} (not a unit test; run by
 * {@code bench/predict.sh}):
 * <pre>
 *   java --add-modules jdk.incubator.vector -cp target/classes:target/test-classes:$(cat target/bench-cp.txt) \
 *     dev.bnserve.bench.PredictBenchmark [--csv examples/digits.csv --label digit --hidden 64,64 --epochs 30 --calls 200000]
 * </pre>
 * Trains the default digits model (input BN, Linear → BN → ReLU per hidden width, 10 outputs) with the real
 * {@link Trainer}, compiles its plan, then measures on the dataset's rows (cycled):
 * <ul>
 *   <li>single-row {@code predict}: each of {@code calls} calls timed with {@link System#nanoTime()} after as
 *       many warm-up calls (p50/p90/p99/p99.9/max include ~20 ns of timer overhead), and the mean of an
 *       untimed tight loop;</li>
 *   <li>bytes allocated per single-row call ({@code com.sun.management.ThreadMXBean#getThreadAllocatedBytes});</li>
 *   <li>rows/s of {@code predictBatch} for batches of 1, 32 and 1024 rows (and, for reference, of the
 *       training network's GEMM-based {@code forwardEval}).</li>
 * </ul>
 */
public final class PredictBenchmark {
    private static volatile double sink;

    public static void main(String[] args) throws IOException {
        Map<String, String> opt = TrainBenchmark.parseArgs(args);
        Path csv = Path.of(opt.getOrDefault("csv", "examples/digits.csv"));
        String label = opt.getOrDefault("label", "digit");
        List<Integer> hidden = TrainBenchmark.parseHidden(opt.getOrDefault("hidden", "64,64"));
        int epochs = Integer.parseInt(opt.getOrDefault("epochs", "30"));
        int calls = Integer.parseInt(opt.getOrDefault("calls", "200000"));

        TrainBenchmark.Loaded in = TrainBenchmark.load(csv, label);
        TrainingData data = in.data();
        int d = data.features();
        Network net = Network.initialize(TrainBenchmark.spec(d, hidden, data.classes()), 0)
                .withGemm(Gemm.create());
        TrainingResult tr = new Trainer(
                        new TrainingConfig(epochs, 32, true, 0, 0.2, OptimizerConfig.adam(1e-3), StatisticsMode.EMA))
                .train(net, data);
        InferencePlan plan = InferencePlan.compile(d, net.state());
        int k = plan.outputs();
        System.out.printf(
                Locale.ROOT,
                "# model: %s, %d features -> hidden %s -> %d classes, trained %d epochs (validation accuracy %.4f)%n",
                csv.getFileName(),
                d,
                TrainBenchmark.join(hidden),
                k,
                epochs,
                tr.last().validationAccuracy());
        System.out.printf(
                Locale.ROOT,
                "# plan: %d folded ops, dense kernel %s; java %s%n",
                plan.operationCount(),
                plan.kernelName(),
                System.getProperty("java.vm.version"));

        double[] x = data.x();
        int rows = data.rows();
        double[] out = new double[k];
        double[] scratch = new double[plan.scratchSize()];

        // Sanity: the plan agrees with the training network in inference mode.
        double[] ref = new double[rows * k];
        net.forwardEval(x, rows, ref);
        double maxDiff = 0;
        int agree = 0;
        for (int r = 0; r < rows; r++) {
            plan.predict(x, r * d, out, 0, scratch);
            for (int j = 0; j < k; j++) maxDiff = Math.max(maxDiff, Math.abs(out[j] - ref[r * k + j]));
            if (argmax(out, 0, k) == argmax(ref, r * k, k)) agree++;
        }
        System.out.printf(
                Locale.ROOT,
                "# plan vs network.forwardEval: max |diff| %.2e, same class on %d/%d rows%n",
                maxDiff,
                agree,
                rows);

        // Warm-up, then each call timed.
        double acc = 0;
        for (int i = 0, r = 0; i < calls; i++, r = r + 1 == rows ? 0 : r + 1) {
            plan.predict(x, r * d, out, 0, scratch);
            acc += out[0];
        }
        long[] lat = new long[calls];
        for (int i = 0, r = 0; i < calls; i++, r = r + 1 == rows ? 0 : r + 1) {
            long t0 = System.nanoTime();
            plan.predict(x, r * d, out, 0, scratch);
            lat[i] = System.nanoTime() - t0;
            acc += out[0];
        }
        Arrays.sort(lat);
        long timer = timerOverhead();

        // Tight loop (no per-call timer): best of 5 rounds.
        double bestMean = Double.MAX_VALUE;
        for (int round = 0; round < 5; round++) {
            long t0 = System.nanoTime();
            for (int i = 0, r = 0; i < calls; i++, r = r + 1 == rows ? 0 : r + 1) {
                plan.predict(x, r * d, out, 0, scratch);
                acc += out[0];
            }
            bestMean = Math.min(bestMean, (System.nanoTime() - t0) / (double) calls);
        }

        // Allocation per single-row call.
        com.sun.management.ThreadMXBean mx = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        long tid = Thread.currentThread().getId();
        long a0 = mx.getThreadAllocatedBytes(tid);
        long a1 = mx.getThreadAllocatedBytes(tid); // cost of the probe itself
        for (int i = 0, r = 0; i < calls; i++, r = r + 1 == rows ? 0 : r + 1) {
            plan.predict(x, r * d, out, 0, scratch);
            acc += out[0];
        }
        long a2 = mx.getThreadAllocatedBytes(tid);
        long allocated = Math.max(0, (a2 - a1) - (a1 - a0));

        System.out.println();
        System.out.println("single-row InferencePlan.predict (" + calls + " calls timed one by one, after " + calls
                + " warm-up calls):");
        System.out.printf(Locale.ROOT, "  %-34s %10s%n", "measure", "value");
        System.out.printf(Locale.ROOT, "  %-34s %10.3f%n", "p50 latency, us", lat[calls / 2] / 1e3);
        System.out.printf(Locale.ROOT, "  %-34s %10.3f%n", "p90 latency, us", lat[(int) (calls * 0.90)] / 1e3);
        System.out.printf(Locale.ROOT, "  %-34s %10.3f%n", "p99 latency, us", lat[(int) (calls * 0.99)] / 1e3);
        System.out.printf(Locale.ROOT, "  %-34s %10.3f%n", "p99.9 latency, us", lat[(int) (calls * 0.999)] / 1e3);
        System.out.printf(Locale.ROOT, "  %-34s %10.3f%n", "max latency, us", lat[calls - 1] / 1e3);
        System.out.printf(Locale.ROOT, "  %-34s %10.3f%n", "nanoTime pair overhead, us", timer / 1e3);
        System.out.printf(Locale.ROOT, "  %-34s %10.3f%n", "mean, tight loop (best of 5), us", bestMean / 1e3);
        System.out.printf(Locale.ROOT, "  %-34s %10.0f%n", "rows/s, tight loop", 1e9 / bestMean);
        System.out.printf(Locale.ROOT, "  %-34s %10.2f%n", "bytes allocated per call", allocated / (double) calls);

        System.out.println();
        System.out.println("batch throughput (best of 5 rounds of ~0.3 s after warm-up):");
        System.out.printf(
                Locale.ROOT, "  %-44s %6s %12s %12s %12s%n", "method", "batch", "rows/s", "us/batch", "bytes/batch");
        for (int n : new int[] {1, 32, 1024}) {
            double[] xb = batchOf(x, rows, d, n);
            double[] ob = new double[n * k];
            acc += batchRun("InferencePlan.predictBatch", n, k, () -> plan.predictBatch(xb, n, ob), ob, mx, tid);
        }
        for (int n : new int[] {32, 1024}) {
            double[] xb = batchOf(x, rows, d, n);
            double[] ob = new double[n * k];
            acc += batchRun(
                    "Network.forwardEval (GEMM, 1 thread)", n, k, () -> net.forwardEval(xb, n, ob), ob, mx, tid);
        }
        sink = acc;
        System.out.printf(
                Locale.ROOT,
                "%nbnserve predict1_us=%.3f p50_us=%.3f p99_us=%.3f alloc_bytes_per_call=%.2f%n",
                bestMean / 1e3,
                lat[calls / 2] / 1e3,
                lat[(int) (calls * 0.99)] / 1e3,
                allocated / (double) calls);
    }

    private static double batchRun(
            String name, int n, int k, Runnable body, double[] ob, com.sun.management.ThreadMXBean mx, long tid) {
        double acc = 0;
        long warmEnd = System.nanoTime() + 500_000_000L;
        int reps = 0;
        while (System.nanoTime() < warmEnd) {
            body.run();
            acc += ob[0];
            reps++;
        }
        int perRound = Math.max(1, (int) (reps * 0.3 / 0.5));
        double bestNs = Double.MAX_VALUE;
        for (int round = 0; round < 5; round++) {
            long t0 = System.nanoTime();
            for (int i = 0; i < perRound; i++) {
                body.run();
                acc += ob[0];
            }
            bestNs = Math.min(bestNs, (System.nanoTime() - t0) / (double) perRound);
        }
        long a0 = mx.getThreadAllocatedBytes(tid);
        long a1 = mx.getThreadAllocatedBytes(tid);
        for (int i = 0; i < perRound; i++) body.run();
        long a2 = mx.getThreadAllocatedBytes(tid);
        double bytes = Math.max(0, (a2 - a1) - (a1 - a0)) / (double) perRound;
        System.out.printf(
                Locale.ROOT, "  %-44s %6d %12.0f %12.2f %12.1f%n", name, n, n * 1e9 / bestNs, bestNs / 1e3, bytes);
        return acc;
    }

    /** n rows taken cyclically from the data. */
    private static double[] batchOf(double[] x, int rows, int d, int n) {
        double[] b = new double[n * d];
        for (int i = 0; i < n; i++) System.arraycopy(x, (i % rows) * d, b, i * d, d);
        return b;
    }

    private static long timerOverhead() {
        long[] t = new long[100_000];
        for (int i = 0; i < t.length; i++) {
            long t0 = System.nanoTime();
            t[i] = System.nanoTime() - t0;
        }
        Arrays.sort(t);
        return t[t.length / 2];
    }

    private static int argmax(double[] a, int off, int k) {
        int best = 0;
        for (int j = 1; j < k; j++) if (a[off + j] > a[off + best]) best = j;
        return best;
    }
}
