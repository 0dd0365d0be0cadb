package dev.bnserve.nn;

/**
 * Rows to learn from: row-major features and either class labels or regression targets.
 *
 * @param x         row-major {@code rows × features}
 * @param labels    class index per row in {@code [0, classes)} for classification, else null
 * @param classes   number of classes (0 for regression)
 * @param targets   row-major {@code rows × targetDim} regression targets, else null
 * @param targetDim regression outputs per row (0 for classification)
 */
public record TrainingData(
        double[] x, int rows, int features, int[] labels, int classes, double[] targets, int targetDim) {

    public TrainingData {
        if (rows < 0 || features < 1 || x.length < (long) rows * features) {
            throw new IllegalArgumentException("features array too small for " + rows + " × " + features);
        }
        if ((labels == null) == (targets == null))
            throw new IllegalArgumentException("give exactly one of labels or targets");
        if (labels != null) {
            if (labels.length < rows || classes < 1)
                throw new IllegalArgumentException("need one label per row and at least one class");
            for (int r = 0; r < rows; r++) {
                if (labels[r] < 0 || labels[r] >= classes)
                    throw new IllegalArgumentException(
                            "label " + labels[r] + " of row " + r + " outside [0, " + classes + ")");
            }
        } else if (targetDim < 1 || targets.length < (long) rows * targetDim) {
            throw new IllegalArgumentException("targets array too small for " + rows + " × " + targetDim);
        }
    }

    public static TrainingData classification(double[] x, int rows, int features, int[] labels, int classes) {
        return new TrainingData(x, rows, features, labels, classes, null, 0);
    }

    public static TrainingData regression(double[] x, int rows, int features, double[] targets, int targetDim) {
        return new TrainingData(x, rows, features, null, 0, targets, targetDim);
    }

    public boolean isClassification() {
        return labels != null;
    }

    /** Width of the network's output layer. */
    public int outputs() {
        return isClassification() ? classes : targetDim;
    }

    public Loss loss() {
        return isClassification() ? Loss.CROSS_ENTROPY : Loss.MSE;
    }
}
