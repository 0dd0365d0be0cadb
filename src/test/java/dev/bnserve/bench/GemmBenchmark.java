package dev.bnserve.bench;

import dev.bnserve.nn.Gemm;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;

/**
 * GFLOP/s of {@link Gemm} for the training shapes of dense layers (not a unit test; run by hand):
 * <pre>
 *   ./mvnw -q -o test-compile
 *   java --add-modules jdk.incubator.vector -cp target/classes:target/test-classes dev.bnserve.bench.GemmBenchmark [seconds-per-cell] [filter]
 * </pre>
 * For a layer in→out at batch B: forward {@code Y = X·Wᵀ} (NT, m=B n=out k=in), weight gradient
 * {@code dW = dYᵀ·X} (TN, m=out n=in k=B), input gradient {@code dX = dY·W} (NN, m=B n=in k=out).
 * Each cell is warmed up, then the best of 5 timed rounds is reported.
 */
public final class GemmBenchmark {
    private record Shape(String label, boolean ta, boolean tb, int m, int n, int k) {
        static void layer(int batch, int in, int out, List<Shape> into) {
            String l = "B=" + batch + " " + in + "->" + out;
            into.add(new Shape(l + " fwd", false, true, batch, out, in));
            into.add(new Shape(l + " dW", true, false, out, in, batch));
            into.add(new Shape(l + " dX", false, false, batch, in, out));
        }
    }

    private static volatile double sink;

    public static void main(String[] args) {
        double seconds = args.length > 0 ? Double.parseDouble(args[0]) : 0.3;
        String filter = args.length > 1 ? args[1] : "";
        List<Shape> shapes = new ArrayList<>();
        shapes.add(new Shape("256x256x256 NN", false, false, 256, 256, 256));
        shapes.add(new Shape("128x64x64 NN", false, false, 128, 64, 64));
        shapes.add(new Shape("32x16x16 NN", false, false, 32, 16, 16));
        Shape.layer(32, 64, 64, shapes);
        Shape.layer(32, 64, 10, shapes);
        Shape.layer(256, 32, 256, shapes);
        Shape.layer(256, 256, 256, shapes);
        Shape.layer(256, 256, 5, shapes);
        Shape.layer(256, 1024, 1024, shapes);
        // around the threshold for using a second thread
        for (int[] t : new int[][] {
            {64, 128, 128}, {128, 128, 128}, {64, 256, 256}, {128, 256, 128}, {128, 256, 256}, {256, 512, 128}
        }) {
            shapes.add(new Shape("split " + t[0] + "x" + t[1] + "x" + t[2], false, false, t[0], t[1], t[2]));
        }
        shapes.add(new Shape("m=1 256->256 fwd", false, true, 1, 256, 256));
        shapes.add(new Shape("m=1 1024->1024 fwd", false, true, 1, 1024, 1024));

        Gemm scalar = Gemm.scalar();
        Gemm vec1 = Gemm.create();
        Gemm vec2 = Gemm.create(2);
        System.out.printf(
                Locale.ROOT,
                "java %s, kernel: %s, threshold for threads: %,d flops%n",
                System.getProperty("java.version"),
                Gemm.describe(),
                Gemm.PARALLEL_MIN_FLOPS);
        System.out.printf(
                Locale.ROOT,
                "%-26s %5s %5s %5s | %18s | %18s | %18s%n",
                "shape",
                "m",
                "n",
                "k",
                "scalar GF/s (us)",
                "vector-1T GF/s (us)",
                "vector-2T GF/s (us)");
        // warm up every kernel on a few shapes so that the first row is not measured in the interpreter
        for (Gemm g : new Gemm[] {scalar, vec1, vec2}) {
            for (Shape s : shapes) {
                if (s.m * (long) s.n * s.k <= 256L * 256 * 256) measure(g, s, g == scalar ? 0.02 : 0.05);
            }
        }
        for (Shape s : shapes) {
            if (!s.label.contains(filter)) continue;
            StringBuilder line =
                    new StringBuilder(String.format(Locale.ROOT, "%-26s %5d %5d %5d", s.label, s.m, s.n, s.k));
            for (Gemm g : new Gemm[] {scalar, vec1, vec2}) {
                double[] r = measure(g, s, seconds);
                line.append(String.format(Locale.ROOT, " | %7.1f (%8.2f)", r[0], r[1]));
            }
            System.out.println(line);
        }
    }

    /** Returns {GFLOP/s, µs per call}. */
    private static double[] measure(Gemm g, Shape s, double seconds) {
        SplittableRandom rnd = new SplittableRandom(42);
        int aLen = s.m * s.k, bLen = s.k * s.n;
        double[] a = new double[aLen], b = new double[bLen], c = new double[s.m * s.n];
        for (int i = 0; i < aLen; i++) a[i] = rnd.nextDouble(-1, 1);
        for (int i = 0; i < bLen; i++) b[i] = rnd.nextDouble(-1, 1);
        int lda = s.ta ? s.m : s.k, ldb = s.tb ? s.k : s.n;
        double flops = 2.0 * s.m * s.n * s.k;
        // calibrate the number of calls per round to ~seconds/5
        long calls = 1;
        while (true) {
            long t0 = System.nanoTime();
            for (long i = 0; i < calls; i++) g.gemm(s.ta, s.tb, s.m, s.n, s.k, a, 0, lda, b, 0, ldb, c, 0, s.n, false);
            long dt = System.nanoTime() - t0;
            if (dt > seconds * 1e9 / 5) break;
            calls *= 2;
        }
        double best = Double.MAX_VALUE;
        for (int round = 0; round < 5; round++) {
            long t0 = System.nanoTime();
            for (long i = 0; i < calls; i++) g.gemm(s.ta, s.tb, s.m, s.n, s.k, a, 0, lda, b, 0, ldb, c, 0, s.n, false);
            best = Math.min(best, (System.nanoTime() - t0) / (double) calls);
        }
        sink += c[0];
        return new double[] {flops / best, best / 1e3};
    }

    private GemmBenchmark() {}
}
