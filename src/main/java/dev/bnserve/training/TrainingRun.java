package dev.bnserve.training;

import dev.bnserve.data.CategoricalColumn;
import dev.bnserve.data.Column;
import dev.bnserve.data.Dataset;
import dev.bnserve.data.DateColumn;
import dev.bnserve.data.NumericColumn;
import dev.bnserve.model.IgnoredColumn;
import dev.bnserve.model.ModelRecord;
import dev.bnserve.model.Task;
import dev.bnserve.model.TrainingSpec;
import dev.bnserve.nn.Gemm;
import dev.bnserve.nn.InferencePlan;
import dev.bnserve.nn.LayerState;
import dev.bnserve.nn.Network;
import dev.bnserve.nn.PopulationStatistics;
import dev.bnserve.nn.Split;
import dev.bnserve.nn.StatisticsMode;
import dev.bnserve.nn.Trainer;
import dev.bnserve.nn.TrainingConfig;
import dev.bnserve.nn.TrainingData;
import dev.bnserve.nn.TrainingException;
import dev.bnserve.nn.TrainingListener;
import dev.bnserve.nn.TrainingResult;
import dev.bnserve.prep.ColumnEncoding;
import dev.bnserve.prep.InputColumn;
import dev.bnserve.prep.Preprocessor;
import dev.bnserve.prep.Settings;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.TreeSet;
import java.util.function.BooleanSupplier;

/**
 * One training, from a dataset to the model that is served:
 *
 * <ol>
 *   <li>the rows: those with a label (and with every feature, under {@code missing: drop});
 *   <li>the split into training and validation rows (the Trainer's seeded split);
 *   <li>the preprocessing, fitted on the training rows alone, then applied to every row;
 *   <li>training on the encoded rows;
 *   <li>the metrics of the served network (BatchNorm folded, as predictions run it) on the validation rows.
 * </ol>
 */
final class TrainingRun {
    private TrainingRun() {}

    /** What a training produced. */
    record Outcome(
            List<LayerState> layers,
            Preprocessor preprocessing,
            List<IgnoredColumn> ignored,
            TrainingResult result,
            ModelRecord.Metrics metrics) {}

    /** Class labels in output order (null for regression): known before training, so the queued model has them. */
    static List<String> classes(Dataset ds, TrainingSpec spec) {
        if (spec.task() == Task.REGRESSION) return null;
        Column label = ds.column(spec.label()).orElseThrow();
        if (label instanceof NumericColumn) {
            return distinct(ds.numericColumn(spec.label())).stream()
                    .map(TrainingRun::label)
                    .toList();
        }
        return ds.levels(spec.label());
    }

    static Outcome run(
            Dataset ds,
            TrainingSpec spec,
            List<String> classes,
            List<IgnoredColumn> ignoredBefore,
            Gemm gemm,
            TrainingListener listener,
            BooleanSupplier cancelled) {
        int[] rows = rows(ds, spec);
        int dropped = ds.rows() - rows.length;
        List<InputColumn> columns = new ArrayList<>();
        for (String f : spec.features()) columns.add(input(ds.requireColumn(f), rows));

        TrainingConfig config = spec.trainingConfig();
        if (spec.earlyStopping() != null) {
            config = config.withEarlyStopping(new TrainingConfig.EarlyStopping(
                    spec.earlyStopping().patience(), spec.earlyStopping().minDelta()));
        }
        if (rows.length - (int) Math.floor(rows.length * spec.validationSplit()) < 2) {
            throw new TrainingException("need at least 2 training rows, have " + rows.length + " rows with a label"
                    + (spec.preprocessing().missing() == Settings.Missing.DROP ? " and every feature" : ""));
        }
        Split split = Trainer.split(rows.length, config);
        Preprocessor prep = Preprocessor.fit(columns, split.train(), spec.preprocessing());
        List<IgnoredColumn> ignored = new ArrayList<>(ignoredBefore);
        for (ColumnEncoding c : prep.columns()) {
            if (c instanceof ColumnEncoding.Constant) {
                ignored.add(new IgnoredColumn(c.name(), "constant over the training split"));
            }
        }
        if (prep.width() == 0) {
            throw new TrainingException("every feature is constant over the training split: nothing to learn from");
        }
        int d = prep.width();
        double[] x = prep.encodeAll(columns);
        TrainingData data;
        int[] codes = null;
        double[] targets = null;
        if (spec.task() == Task.REGRESSION) {
            targets = ds.numericColumn(spec.label()).gather(rows);
            data = TrainingData.regression(x, rows.length, d, targets, 1);
        } else {
            codes = labelCodes(ds, spec, rows);
            data = TrainingData.classification(x, rows.length, d, codes, classes.size());
            if (spec.classWeights() == TrainingSpec.ClassWeights.BALANCED) {
                config = config.withClassWeights(TrainingConfig.balancedWeights(codes, split.train(), classes.size()));
            }
        }
        Network net = Network.initialize(spec.networkSpec(d, data.outputs()), spec.seed())
                .withGemm(gemm);
        TrainingResult r = new Trainer(config).train(net, data, split, listener, cancelled);
        List<LayerState> layers = net.state();
        Object validation = evaluate(layers, d, x, split.validation(), codes, targets, classes);
        StatisticsChoice stats = null;
        StatisticsMode mode = spec.batchNorm().statistics();
        if (mode != StatisticsMode.POPULATION && BatchNormStatistics.hasBatchNorm(layers) && validation != null) {
            // the moving averages beside the exact population statistics of the training split, and what each
            // would score on the validation split; 'auto' serves the better one
            List<LayerState> population =
                    PopulationStatistics.recalibrate(d, layers, x, split.train().length, split.train());
            Object populationValidation = evaluate(population, d, x, split.validation(), codes, targets, classes);
            double drift = BatchNormStatistics.maxDrift(
                    layers, PopulationStatistics.measure(d, layers, x, split.train().length, split.train()));
            double ema = loss(validation), pop = loss(populationValidation);
            boolean usePopulation = mode == StatisticsMode.AUTO && pop < ema;
            if (usePopulation) {
                layers = population;
                validation = populationValidation;
            }
            List<String> warnings = new ArrayList<>();
            if (!usePopulation && pop < 0.9 * ema) {
                warnings.add(String.format(
                        java.util.Locale.ROOT,
                        "the BatchNorm moving averages are far from the training split's statistics (max relative"
                                + " drift %.3g): validation loss %.4g with them, %.4g with population statistics;"
                                + " train with batchNorm.statistics \"population\" or \"auto\", or recalibrate",
                        drift,
                        ema,
                        pop));
            }
            stats = new StatisticsChoice(
                    usePopulation ? "population" : "ema", drift, new ValidationLosses(ema, pop), warnings);
        }
        ModelRecord.Metrics metrics = new ModelRecord.Metrics(
                r.trainingSeconds(),
                r.samplesPerSecond(),
                r.wallSeconds(),
                r.rowsProcessed(),
                r.trainRows(),
                r.validationRows(),
                validation instanceof Evaluation.Classification c ? c.accuracy() : null,
                validation instanceof Evaluation.Regression g ? g.rmse() : null,
                validation instanceof Evaluation.Classification c
                        ? Double.valueOf(c.logLoss())
                        : validation instanceof Evaluation.Regression g ? g.rmse() * g.rmse() : null,
                r.batchSize(),
                r.bestEpoch(),
                dropped,
                validation,
                stats);
        return new Outcome(layers, prep, ignored, r, metrics);
    }

    /**
     * Which running statistics the model serves ({@code ema} or {@code population}), how far the moving averages
     * are from the training split's exact statistics, what each scores on the validation split, and a warning when
     * the served ones are materially worse.
     */
    public record StatisticsChoice(
            String served, double maxRelativeDrift, ValidationLosses validationLoss, List<String> warnings) {}

    /** The validation loss with the moving averages and with the population statistics. */
    public record ValidationLosses(double movingAverages, double population) {}

    private static double loss(Object evaluation) {
        return evaluation instanceof Evaluation.Classification c
                ? c.logLoss()
                : ((Evaluation.Regression) evaluation).mse();
    }

    /** The metrics of the served network on the validation rows, or null without any. */
    static Object evaluate(
            List<LayerState> layers,
            int d,
            double[] x,
            int[] validation,
            int[] codes,
            double[] targets,
            List<String> classes) {
        if (validation.length == 0) return null;
        InferencePlan plan = InferencePlan.compile(d, layers);
        int k = plan.outputs();
        double[] out = new double[validation.length * k];
        double[] scratch = new double[plan.scratchSize()];
        for (int i = 0; i < validation.length; i++) plan.predict(x, validation[i] * d, out, i * k, scratch);
        if (codes == null) {
            double[] y = new double[validation.length];
            for (int i = 0; i < y.length; i++) y[i] = targets[validation[i]];
            return Evaluation.regression(out, y);
        }
        int[] labels = new int[validation.length];
        for (int i = 0; i < labels.length; i++) labels[i] = codes[validation[i]];
        return Evaluation.classificationFromLogits(out, labels, classes);
    }

    /** The rows that train: with a label, and under {@code missing: drop} with every feature. */
    static int[] rows(Dataset ds, TrainingSpec spec) {
        Column label = ds.requireColumn(spec.label());
        boolean drop = spec.preprocessing().missing() == Settings.Missing.DROP;
        List<Column> features = spec.features().stream().map(ds::requireColumn).toList();
        int[] out = new int[ds.rows()];
        int n = 0;
        for (int r = 0; r < ds.rows(); r++) {
            if (missing(label, r)) continue;
            boolean complete = true;
            if (drop) for (Column c : features) complete &= !missing(c, r);
            if (complete) out[n++] = r;
        }
        return java.util.Arrays.copyOf(out, n);
    }

    private static boolean missing(Column c, int r) {
        if (c instanceof NumericColumn n) return Double.isNaN(n.get(r));
        if (c instanceof DateColumn d) return Double.isNaN(d.get(r));
        return ((CategoricalColumn) c).code(r) < 0;
    }

    static InputColumn input(Column c, int[] rows) {
        // only the rows used, read from the (memory-mapped) column: no copy of the whole column
        if (c instanceof NumericColumn n) return new InputColumn.Numeric(c.name(), n.gather(rows));
        if (c instanceof DateColumn d) return new InputColumn.Date(c.name(), d.gather(rows), d.hasTime());
        CategoricalColumn cat = (CategoricalColumn) c;
        return new InputColumn.Categorical(c.name(), cat.gather(rows), cat.levels());
    }

    static int[] labelCodes(Dataset ds, TrainingSpec spec, int[] rows) {
        if (ds.requireColumn(spec.label()) instanceof NumericColumn n) {
            double[] y = n.gather(rows);
            List<Double> levels = new ArrayList<>(distinct(n)); // the classes of every row, as classes() has them
            int[] codes = new int[rows.length];
            for (int i = 0; i < rows.length; i++) codes[i] = Collections.binarySearch(levels, y[i] == 0 ? 0.0 : y[i]);
            return codes;
        }
        return ds.categoricalColumn(spec.label()).gather(rows);
    }

    /** The distinct values of a numeric label, by value: {@code 0} and {@code -0} are one class, NaN (missing) none. */
    private static TreeSet<Double> distinct(NumericColumn y) {
        TreeSet<Double> distinct = new TreeSet<>();
        for (int r = 0, n = y.size(); r < n; r++) {
            double v = y.get(r);
            if (!Double.isNaN(v)) distinct.add(v == 0 ? 0.0 : v);
        }
        return distinct;
    }

    /** A numeric class label as people write it: {@code 3}, not {@code 3.0}. */
    static String label(double v) {
        return v == Math.rint(v) && Math.abs(v) < 1e15 ? Long.toString((long) v) : Double.toString(v);
    }
}
