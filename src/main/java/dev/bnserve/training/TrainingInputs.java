package dev.bnserve.training;

import dev.bnserve.data.Dataset;
import dev.bnserve.data.NumericColumn;
import dev.bnserve.model.Task;
import dev.bnserve.nn.TrainingData;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeSet;

/** The rows a request trains on, as the core wants them, plus the class labels in output order. */
record TrainingInputs(TrainingData data, List<String> classes) {

    static TrainingInputs of(Dataset ds, TrainingRequest req) {
        double[] x = ds.matrix(req.features());
        int rows = ds.rows(), d = req.features().size();
        if (req.task() == Task.REGRESSION) {
            return new TrainingInputs(TrainingData.regression(x, rows, d, ds.numeric(req.label()), 1), null);
        }
        if (ds.column(req.label()).orElseThrow() instanceof NumericColumn) {
            double[] y = ds.numeric(req.label());
            TreeSet<Double> distinct = new TreeSet<>();
            for (double v : y) distinct.add(v);
            List<Double> levels = new ArrayList<>(distinct);
            int[] codes = new int[rows];
            for (int r = 0; r < rows; r++) codes[r] = java.util.Collections.binarySearch(levels, y[r]);
            return new TrainingInputs(
                    TrainingData.classification(x, rows, d, codes, levels.size()),
                    levels.stream().map(TrainingInputs::label).toList());
        }
        List<String> levels = ds.levels(req.label());
        return new TrainingInputs(
                TrainingData.classification(x, rows, d, ds.codes(req.label()), levels.size()), levels);
    }

    /** A numeric class label as people write it: {@code 3}, not {@code 3.0}. */
    static String label(double v) {
        return v == Math.rint(v) && Math.abs(v) < 1e15 ? Long.toString((long) v) : Double.toString(v);
    }

    /** Class labels are known before training starts: they go into the queued model. */
    static List<String> classes(Dataset ds, TrainingRequest req) {
        if (req.task() == Task.REGRESSION) return null;
        if (ds.column(req.label()).orElseThrow() instanceof NumericColumn) {
            TreeSet<Double> distinct = new TreeSet<>();
            for (double v : ds.numeric(req.label())) distinct.add(v);
            return distinct.stream().map(TrainingInputs::label).toList();
        }
        return ds.levels(req.label());
    }
}
