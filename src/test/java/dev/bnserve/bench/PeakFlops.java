package dev.bnserve.bench;

import java.util.Locale;
import java.util.concurrent.CountDownLatch;
import jdk.incubator.vector.DoubleVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * The machine's measured float64 peak (not a unit test; run by {@code bench/train.sh}): every thread runs a
 * loop of independent fused multiply-adds on the widest vectors the JVM offers (12 accumulators, enough to cover
 * the FMA latency on two pipes), all threads at once; prints GFLOP/s for 1 thread and for {@code --threads}.
 * <pre>
 *   java --add-modules jdk.incubator.vector -cp target/test-classes dev.bnserve.bench.PeakFlops [--threads 2] [--seconds 1]
 * </pre>
 * An FMA counts 2 flops per lane. The best of 3 rounds is reported.
 */
public final class PeakFlops {
    private static final VectorSpecies<Double> S = DoubleVector.SPECIES_PREFERRED;
    private static volatile double sink;

    public static void main(String[] args) throws InterruptedException {
        var opt = TrainBenchmark.parseArgs(args);
        int threads = Integer.parseInt(opt.getOrDefault("threads", "2"));
        double seconds = Double.parseDouble(opt.getOrDefault("seconds", "1"));
        run(1, 0.3); // JIT warm-up
        double one = 0, all = 0;
        for (int round = 0; round < 3; round++) {
            one = Math.max(one, run(1, seconds / 2));
            all = Math.max(all, run(threads, seconds / 2));
        }
        System.out.printf(
                Locale.ROOT,
                "peak vector=%d bits threads=%d gflops_1=%.1f gflops_all=%.1f%n",
                S.vectorBitSize(),
                threads,
                one,
                all);
    }

    /** GFLOP/s of {@code threads} threads each running {@link #loop} for about {@code seconds}. */
    static double run(int threads, double seconds) throws InterruptedException {
        long iters = 1L << 20;
        // size the work from a short probe on this thread
        long t0 = System.nanoTime();
        sink += loop(iters);
        double perIter = (System.nanoTime() - t0) / 1e9 / iters;
        long n = Math.max(iters, (long) (seconds / perIter));
        CountDownLatch start = new CountDownLatch(1);
        Thread[] ts = new Thread[threads];
        long[] ns = new long[threads];
        for (int t = 0; t < threads; t++) {
            int id = t;
            ts[t] = new Thread(() -> {
                try {
                    start.await();
                } catch (InterruptedException e) {
                    return;
                }
                long a = System.nanoTime();
                sink += loop(n);
                ns[id] = System.nanoTime() - a;
            });
            ts[t].start();
        }
        start.countDown();
        for (Thread t : ts) t.join();
        long worst = 0;
        for (long x : ns) worst = Math.max(worst, x);
        return threads * (double) n * 12 * 2 * S.length() / worst;
    }

    /** {@code iters} steps of 12 independent vector FMAs. */
    static double loop(long iters) {
        DoubleVector m = DoubleVector.broadcast(S, 0.999999);
        DoubleVector a = DoubleVector.broadcast(S, 1e-9);
        DoubleVector c0 = DoubleVector.broadcast(S, 1.0), c1 = c0.add(1), c2 = c0.add(2), c3 = c0.add(3);
        DoubleVector c4 = c0.add(4), c5 = c0.add(5), c6 = c0.add(6), c7 = c0.add(7);
        DoubleVector c8 = c0.add(8), c9 = c0.add(9), c10 = c0.add(10), c11 = c0.add(11);
        for (long i = 0; i < iters; i++) {
            c0 = c0.fma(m, a);
            c1 = c1.fma(m, a);
            c2 = c2.fma(m, a);
            c3 = c3.fma(m, a);
            c4 = c4.fma(m, a);
            c5 = c5.fma(m, a);
            c6 = c6.fma(m, a);
            c7 = c7.fma(m, a);
            c8 = c8.fma(m, a);
            c9 = c9.fma(m, a);
            c10 = c10.fma(m, a);
            c11 = c11.fma(m, a);
        }
        return c0.add(c1)
                .add(c2)
                .add(c3)
                .add(c4)
                .add(c5)
                .add(c6)
                .add(c7)
                .add(c8)
                .add(c9)
                .add(c10)
                .add(c11)
                .reduceLanes(jdk.incubator.vector.VectorOperators.ADD);
    }
}
