package dev.bnserve.bench;

import dev.bnserve.data.CsvLimits;
import dev.bnserve.data.CsvParser;
import dev.bnserve.data.Dataset;
import dev.bnserve.data.NumericColumn;
import dev.bnserve.nn.Activation;
import dev.bnserve.nn.Gemm;
import dev.bnserve.nn.Network;
import dev.bnserve.nn.NetworkSpec;
import dev.bnserve.nn.OptimizerConfig;
import dev.bnserve.nn.StatisticsMode;
import dev.bnserve.nn.Trainer;
import dev.bnserve.nn.TrainingConfig;
import dev.bnserve.nn.TrainingData;
import dev.bnserve.nn.TrainingResult;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeSet;

/**
 * Training throughput of the real {@link Trainer} on a CSV, for comparison with {@code bench/torch_ref.py}
 * (not a unit test; run by {@code bench/train.sh}):
 * <pre>
 *   java --add-modules jdk.incubator.vector -cp target/classes:target/test-classes:$(cat target/bench-cp.txt) \
 *     dev.bnserve.bench.TrainBenchmark --csv examples/digits.csv --label digit --hidden 64,64 --batch 32 \
 *     --epochs 30 --threads 2 --seed 0 [--warmup-rows 20000] [--per-epoch true]
 * </pre>
 * Recipe as torch_ref.py: input BatchNorm, per hidden width Linear → BatchNorm → ReLU, a final Linear, Adam
 * 1e-3, cross-entropy, shuffled mini-batches, 20% held out (floor(rows·0.2) here, rows//5 in torch_ref.py).
 * Before the measured run, one short training run on (a prefix of) the same data warms up the JIT; it is
 * not reported. {@code samples_per_s} is {@link TrainingResult#samplesPerSecond()}: training rows per second
 * of forward + backward + update, excluding the per-epoch validation (as torch_ref.py times its loop).
 */
public final class TrainBenchmark {

    /** Features and class codes loaded from a CSV, as the service's training job prepares them. */
    record Loaded(TrainingData data, List<String> features, List<String> classes) {}

    public static void main(String[] args) throws IOException {
        Map<String, String> opt = parseArgs(args);
        Path csv = Path.of(require(opt, "csv"));
        String label = require(opt, "label");
        List<Integer> hidden = parseHidden(opt.getOrDefault("hidden", "64,64"));
        int batch = Integer.parseInt(opt.getOrDefault("batch", "32"));
        int epochs = Integer.parseInt(opt.getOrDefault("epochs", "30"));
        int threads = Integer.parseInt(opt.getOrDefault("threads", "1"));
        long seed = Long.parseLong(opt.getOrDefault("seed", "0"));
        int warmupRows = Integer.parseInt(opt.getOrDefault("warmup-rows", "20000"));

        long t0 = System.nanoTime();
        Loaded in = load(csv, label);
        double loadS = (System.nanoTime() - t0) / 1e9;
        TrainingData data = in.data();
        NetworkSpec spec = spec(data.features(), hidden, data.classes());
        TrainingConfig config =
                new TrainingConfig(epochs, batch, true, seed, 0.2, OptimizerConfig.adam(1e-3), StatisticsMode.EMA);

        if (warmupRows > 0) {
            // JIT warm-up: same code path, a prefix of the data (at most ~1.25×warmupRows rows), enough epochs
            // to process about warmupRows training rows. A fresh network, so the measured run starts from scratch.
            int rows = Math.min(data.rows(), Math.max(2 * batch + 10, warmupRows * 5 / 4));
            TrainingData prefix = rows == data.rows() ? data : prefix(data, rows);
            int trainRows = rows - (int) Math.floor(rows * 0.2);
            int wEpochs = Math.max(1, Math.min(epochs, (warmupRows + trainRows - 1) / trainRows));
            Network w = Network.initialize(spec, seed + 1).withGemm(Gemm.create(threads));
            TrainingResult wr = new Trainer(config.withEpochs(wEpochs)).train(w, prefix);
            System.out.printf(
                    Locale.ROOT,
                    "# warm-up (not reported): %d epoch(s) on %d rows, %.2f s, %.0f rows/s%n",
                    wEpochs,
                    rows,
                    wr.trainingSeconds(),
                    wr.samplesPerSecond());
        }

        Gemm gemm = Gemm.create(threads);
        Network net = Network.initialize(spec, seed).withGemm(gemm);
        boolean perEpoch = Boolean.parseBoolean(opt.getOrDefault("per-epoch", "false"));
        long[] lastRows = {0};
        double[] lastSeconds = {0};
        TrainingResult r = new Trainer(config)
                .train(
                        net,
                        data,
                        stats -> {
                            if (perEpoch) {
                                System.out.printf(
                                        Locale.ROOT,
                                        "#   epoch %d: %.0f rows/s, validation accuracy %.4f%n",
                                        stats.epoch(),
                                        (stats.rowsProcessed() - lastRows[0])
                                                / (stats.trainingSeconds() - lastSeconds[0]),
                                        stats.validationAccuracy());
                            }
                            lastRows[0] = stats.rowsProcessed();
                            lastSeconds[0] = stats.trainingSeconds();
                        },
                        () -> false);
        System.out.printf(
                Locale.ROOT,
                "# %s: %d rows x %d features, %d classes, loaded in %.2f s; gemm %s; train %d / validation %d rows; wall %.2f s%n",
                csv.getFileName(),
                data.rows(),
                data.features(),
                data.classes(),
                loadS,
                gemm.name(),
                r.trainRows(),
                r.validationRows(),
                r.wallSeconds());
        long flops = flopsPerRow(data.features(), hidden, data.classes());
        System.out.printf(
                Locale.ROOT,
                "bnserve hidden=%s batch=%d threads=%d epochs=%d accuracy=%.4f train_s=%.2f samples_per_s=%.0f"
                        + " flops_per_row=%d gflops=%.1f%n",
                join(hidden),
                batch,
                threads,
                epochs,
                r.last().validationAccuracy(),
                r.trainingSeconds(),
                r.samplesPerSecond(),
                flops,
                r.samplesPerSecond() * flops / 1e9);
    }

    /**
     * Matrix-product flops of one training row: per Linear layer in→out, 2·in·out for the forward, 2·in·out for the
     * weight gradient and 2·in·out for the input gradient, except the first layer, whose input gradient is not
     * computed (4·in·out). Elementwise work (BatchNorm, ReLU, Adam) is not counted.
     */
    static long flopsPerRow(int inputs, List<Integer> hidden, int classes) {
        long f = 0;
        int in = inputs;
        List<Integer> widths = new ArrayList<>(hidden);
        widths.add(classes);
        for (int i = 0; i < widths.size(); i++) {
            int out = widths.get(i);
            f += (i == 0 ? 4L : 6L) * in * out;
            in = out;
        }
        return f;
    }

    /** The benchmark network: input BN, per hidden width Linear → BN → ReLU, final Linear. */
    static NetworkSpec spec(int inputs, List<Integer> hidden, int classes) {
        return NetworkSpec.mlp(
                inputs,
                hidden,
                classes,
                Activation.RELU,
                true,
                true,
                NetworkSpec.Placement.BEFORE_ACTIVATION,
                0.1,
                1e-5);
    }

    /**
     * Parses a CSV with {@link CsvParser}: every column but {@code label} is a feature (must be numeric);
     * the label's classes are its sorted distinct values (numeric or text), as the service's training job does.
     */
    static Loaded load(Path csv, String label) throws IOException {
        Dataset ds;
        try (InputStream s = Files.newInputStream(csv)) {
            ds = new CsvParser(CsvLimits.unlimited())
                    .parse(s, StandardCharsets.UTF_8, csv.getFileName().toString());
        }
        List<String> features = new ArrayList<>(ds.columnNames());
        if (!features.remove(label)) throw new IllegalArgumentException("no column '" + label + "' in " + csv);
        int rows = ds.rows();
        double[] x = ds.matrix(features);
        for (double v : x) {
            if (Double.isNaN(v)) throw new IllegalArgumentException(csv + " has missing feature values");
        }
        int[] codes;
        List<String> classes;
        if (ds.requireColumn(label) instanceof NumericColumn) {
            double[] y = ds.numeric(label);
            TreeSet<Double> distinct = new TreeSet<>();
            for (double v : y) distinct.add(v);
            List<Double> levels = new ArrayList<>(distinct);
            codes = new int[rows];
            for (int r = 0; r < rows; r++) codes[r] = Collections.binarySearch(levels, y[r]);
            classes = levels.stream().map(String::valueOf).toList();
        } else {
            codes = ds.codes(label);
            classes = ds.levels(label);
        }
        for (int c : codes) {
            if (c < 0) throw new IllegalArgumentException(csv + " has rows without a label");
        }
        return new Loaded(
                TrainingData.classification(x, rows, features.size(), codes, classes.size()), features, classes);
    }

    static TrainingData prefix(TrainingData d, int rows) {
        return TrainingData.classification(
                Arrays.copyOf(d.x(), rows * d.features()),
                rows,
                d.features(),
                Arrays.copyOf(d.labels(), rows),
                d.classes());
    }

    static Map<String, String> parseArgs(String[] args) {
        Map<String, String> m = new HashMap<>();
        for (int i = 0; i < args.length; i++) {
            if (!args[i].startsWith("--") || i + 1 >= args.length)
                throw new IllegalArgumentException("expected --name value, got " + args[i]);
            m.put(args[i].substring(2), args[++i]);
        }
        return m;
    }

    static String require(Map<String, String> opt, String name) {
        String v = opt.get(name);
        if (v == null) throw new IllegalArgumentException("missing --" + name);
        return v;
    }

    static List<Integer> parseHidden(String s) {
        List<Integer> out = new ArrayList<>();
        for (String p : s.split(",")) if (!p.isBlank()) out.add(Integer.parseInt(p.trim()));
        return out;
    }

    static String join(List<Integer> hidden) {
        return String.join(",", hidden.stream().map(String::valueOf).toList());
    }
}
