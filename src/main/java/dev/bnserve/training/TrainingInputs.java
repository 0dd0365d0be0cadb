package dev.bnserve.training;

import dev.bnserve.data.Dataset;
import dev.bnserve.data.NumericColumn;
import dev.bnserve.model.Task;
import dev.bnserve.model.TrainingSpec;
import dev.bnserve.nn.TrainingData;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.TreeSet;

/** The rows a spec trains on, as the core wants them. */
final class TrainingInputs {
    private TrainingInputs() {}

    /**
     * The features and targets of {@code ds} for {@code spec}; for classification, class {@code k} is
     * {@code classes.get(k)} (as computed by {@link #classes}).
     */
    static TrainingData of(Dataset ds, TrainingSpec spec, List<String> classes) {
        double[] x = ds.matrix(spec.features());
        int rows = ds.rows(), d = spec.features().size();
        if (spec.task() == Task.REGRESSION) {
            return TrainingData.regression(x, rows, d, ds.numeric(spec.label()), 1);
        }
        if (ds.column(spec.label()).orElseThrow() instanceof NumericColumn) {
            double[] y = ds.numeric(spec.label());
            List<Double> levels = new ArrayList<>(distinct(y));
            int[] codes = new int[rows];
            for (int r = 0; r < rows; r++) codes[r] = Collections.binarySearch(levels, y[r]);
            return TrainingData.classification(x, rows, d, codes, levels.size());
        }
        return TrainingData.classification(x, rows, d, ds.codes(spec.label()), classes.size());
    }

    /** Class labels in output order (null for regression): known before training starts, so the queued model has them. */
    static List<String> classes(Dataset ds, TrainingSpec spec) {
        if (spec.task() == Task.REGRESSION) return null;
        if (ds.column(spec.label()).orElseThrow() instanceof NumericColumn) {
            return distinct(ds.numeric(spec.label())).stream()
                    .map(TrainingInputs::label)
                    .toList();
        }
        return ds.levels(spec.label());
    }

    private static TreeSet<Double> distinct(double[] y) {
        TreeSet<Double> distinct = new TreeSet<>();
        for (double v : y) distinct.add(v);
        return distinct;
    }

    /** A numeric class label as people write it: {@code 3}, not {@code 3.0}. */
    static String label(double v) {
        return v == Math.rint(v) && Math.abs(v) < 1e15 ? Long.toString((long) v) : Double.toString(v);
    }
}
