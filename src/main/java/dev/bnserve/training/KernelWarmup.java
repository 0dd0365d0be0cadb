package dev.bnserve.training;

import dev.bnserve.config.BnserveProperties;
import dev.bnserve.model.TrainingSpec;
import dev.bnserve.nn.Gemm;
import dev.bnserve.nn.InferencePlan;
import dev.bnserve.nn.Network;
import dev.bnserve.nn.Trainer;
import dev.bnserve.nn.TrainingData;
import java.util.List;
import java.util.SplittableRandom;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.boot.context.event.ApplicationReadyEvent;
import org.springframework.context.event.EventListener;
import org.springframework.stereotype.Component;

/**
 * Vector API code runs boxed and ~100× slower until the JIT compiles it, so a fresh JVM's first
 * job would crawl through its first epochs (measured: 3,000 rows/s in epoch 1, 270,000 from epoch 5
 * on digits). Once the service is up, this trains two throw-away networks on synthetic data through
 * the same Trainer and inference plan, in the background, so real jobs start on compiled kernels.
 */
@Component
class KernelWarmup {
    private static final Logger log = LoggerFactory.getLogger(KernelWarmup.class);
    private final boolean enabled;

    KernelWarmup(BnserveProperties properties) {
        this.enabled = properties.training().warmup();
    }

    @EventListener(ApplicationReadyEvent.class)
    void start() {
        if (!enabled) return;
        Thread t = new Thread(KernelWarmup::run, "bnserve-warmup");
        t.setDaemon(true);
        t.setPriority(Thread.MIN_PRIORITY);
        t.start();
    }

    static void run() {
        long start = System.nanoTime();
        try {
            // Small layers (batch 32, width 64, 10 classes) and wide ones (batch 256, width 256) hit every kernel edge
            // case.
            warm(64, List.of(64, 64), 10, 32, 2000, 12);
            warm(32, List.of(256, 256), 5, 256, 2000, 3);
            log.info(
                    "numeric kernels warmed up in {} ms ({})",
                    (System.nanoTime() - start) / 1_000_000,
                    Gemm.describe());
        } catch (RuntimeException e) {
            log.warn("kernel warm-up failed; the first training will be slower: {}", e.toString());
        }
    }

    private static void warm(int d, List<Integer> hidden, int classes, int batch, int rows, int epochs) {
        SplittableRandom rng = new SplittableRandom(1);
        double[] x = new double[rows * d];
        int[] y = new int[rows];
        for (int i = 0; i < x.length; i++) x[i] = rng.nextGaussian();
        for (int r = 0; r < rows; r++) y[r] = rng.nextInt(classes);
        // The service's defaults, with the warm-up's widths, batch and epochs.
        TrainingSpec spec = TrainingSpec.DEFAULTS.withShape(hidden, batch, 0.1).withEpochs(epochs);
        Network net = Network.initialize(spec.networkSpec(d, classes), 0)
                .withGemm(Gemm.create(Runtime.getRuntime().availableProcessors()));
        new Trainer(spec.trainingConfig()).train(net, TrainingData.classification(x, rows, d, y, classes));
        InferencePlan plan = InferencePlan.compile(d, net.state());
        double[] out = new double[classes];
        double[] scratch = new double[plan.scratchSize()];
        for (int i = 0; i < 20_000; i++) plan.predict(x, (i % rows) * d, out, 0, scratch);
    }
}
