package dev.bnserve.training;

import dev.bnserve.nn.Loss;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Metrics of a model's outputs on labelled rows, as scikit-learn defines them. Framework-free: plain static functions
 * returning immutable records whose accessors serialize directly to JSON (a metric that is undefined is a null
 * {@link Double}, never NaN).
 *
 * <p>Classification takes the outputs either as probabilities ({@link #classification}, e.g. what the prediction
 * service returns) or as logits ({@link #classificationFromLogits}, what {@link dev.bnserve.nn.Network#forwardEval}
 * gives). The predicted class of a row is its argmax, ties going to the lowest index, as in the prediction service
 * and the trainer. For the same logits {@link #classificationFromLogits} reproduces the trainer's
 * {@link dev.bnserve.nn.EpochStats#validationLoss()} and {@code validationAccuracy} bit for bit.
 */
public final class Evaluation {
    private Evaluation() {}

    /**
     * Precision, recall and F1 of one class, one-vs-rest, with sklearn's {@code zero_division=0}: with
     * {@code tp, fp, fn} the class's true positives, false positives and false negatives,
     * {@code precision = tp/(tp+fp)} (0 if the class is never predicted), {@code recall = tp/(tp+fn)} (0 if it never
     * occurs), {@code f1 = 2tp/(2tp+fp+fn)} (0 if both).
     *
     * @param support rows whose true label is the class, {@code tp + fn}
     */
    public record ClassMetrics(double precision, double recall, double f1, int support) {}

    /**
     * Counts of (true, predicted) class pairs: {@code counts.get(t).get(p)} rows of true class {@code labels.get(t)}
     * were predicted as {@code labels.get(p)}. Rows sum to each class's support, columns to how often it was predicted.
     *
     * @param labels the class names, in the model's class order
     * @param counts {@code labels.size()} rows of {@code labels.size()} counts
     */
    public record ConfusionMatrix(List<String> labels, List<List<Integer>> counts) {
        public ConfusionMatrix {
            labels = List.copyOf(labels);
            List<List<Integer>> copy = new ArrayList<>(counts.size());
            for (List<Integer> row : counts) copy.add(List.copyOf(row));
            counts = List.copyOf(copy);
        }
    }

    /**
     * Classification metrics of {@code rows} labelled rows.
     *
     * @param rows            rows evaluated, {@code n}
     * @param accuracy        fraction of rows whose argmax is the true class
     * @param logLoss         mean cross-entropy {@code −(1/n) Σ_r log p_r,y_r} (natural log), see
     *                        {@link Evaluation#classification} for how it is computed from probabilities and logits
     * @param macroF1         unweighted mean of the per-class F1 over the classes that occur in the true labels or the
     *                        predictions, as sklearn's {@code f1_score(y_true, y_pred, average="macro",
     *                        zero_division=0)}; a class neither present nor predicted is left out (it is in
     *                        {@code perClass} with support 0)
     * @param confusionMatrix counts[true][predicted] over all classes
     * @param perClass        every class, in class order, to its one-vs-rest metrics
     * @param rocAuc          area under the ROC curve of the second class's probability for exactly two classes
     *                        (sklearn's {@code roc_auc_score(y == classes[1], p[:, 1])}); null for more classes or when
     *                        only one class occurs in the labels
     */
    public record Classification(
            int rows,
            double accuracy,
            double logLoss,
            double macroF1,
            ConfusionMatrix confusionMatrix,
            Map<String, ClassMetrics> perClass,
            Double rocAuc) {
        public Classification {
            perClass = Collections.unmodifiableMap(new LinkedHashMap<>(perClass));
        }
    }

    /**
     * Regression metrics over {@code rows × outputs} predictions, with {@code e = prediction − target} and
     * {@code N = rows·outputs}.
     *
     * @param rows    rows evaluated
     * @param mse     {@code Σe²/N}, in label units² (the trainer's regression {@code validationLoss})
     * @param rmse    {@code sqrt(mse)} (the trainer's {@code validationRmse})
     * @param mae     {@code Σ|e|/N}
     * @param r2      coefficient of determination {@code 1 − SS_res/SS_tot}, {@code SS_res = Σe²},
     *                {@code SS_tot = Σ(target − mean(target))²}; for several outputs the mean of the per-output values
     *                (sklearn's {@code multioutput="uniform_average"}); null when {@code SS_tot = 0} (for any output)
     */
    public record Regression(int rows, double mse, double rmse, double mae, Double r2) {}

    /**
     * Metrics of class probabilities.
     *
     * <p>{@code logLoss = (1/n)·Σ_r −log(max(p_r,y_r, Double.MIN_VALUE))}, summed over rows in order as the trainer
     * does. The only clipping is at the smallest positive double (so a probability that underflowed to 0 gives
     * −log = 744.4 instead of infinity); sklearn's {@code log_loss} clips at machine epsilon instead, which changes
     * the value only for rows with {@code p < 2.2e-16}. For probabilities that are the softmax
     * {@code exp(z − logsumexp(z))} of logits {@code z} the result equals the trainer's validation loss of those logits
     * within {@code |Δ| ≤ 1e-12·(1 + logLoss)} (each row's {@code −log p} differs from {@code logsumexp(z) − z_y} by a
     * few ulps of {@code 1 + |logsumexp(z) − z_y|}); use {@link #classificationFromLogits} for bit equality.
     *
     * @param probabilities row-major {@code n × k}, {@code k = classes.size()}, each in [0, 1], each row summing to 1
     *                      within 1e-6
     * @param labels        true class index per row, in {@code [0, k)}, {@code n >= 1}
     * @param classes       class names, distinct, in the model's output order
     * @throws IllegalArgumentException on mismatched sizes, labels out of range, or values that are not probabilities
     */
    public static Classification classification(double[] probabilities, int[] labels, List<String> classes) {
        int k = checkClasses(classes);
        int n = checkRows(probabilities.length, labels, k);
        for (int r = 0; r < n; r++) {
            double sum = 0;
            for (int j = 0; j < k; j++) {
                double p = probabilities[r * k + j];
                if (!(p >= 0 && p <= 1))
                    throw new IllegalArgumentException("probability " + p + " of row " + r + " outside [0, 1]");
                sum += p;
            }
            if (!(Math.abs(sum - 1) <= 1e-6))
                throw new IllegalArgumentException("probabilities of row " + r + " sum to " + sum + ", not 1");
        }
        double total = 0;
        for (int r = 0; r < n; r++) total += -Math.log(Math.max(probabilities[r * k + labels[r]], Double.MIN_VALUE));
        double logLoss = total * (1.0 / n);
        int[] predicted = new int[n];
        for (int r = 0; r < n; r++) predicted[r] = argmax(probabilities, r * k, k);
        return metrics(probabilities, labels, predicted, classes, logLoss);
    }

    /**
     * Metrics of logits (the network's raw outputs). {@code logLoss} is {@link Loss#CROSS_ENTROPY} of the logits,
     * {@code (1/n) Σ_r (log Σ_j e^{z_rj} − z_r,y_r)}, computed by the same code as the trainer's validation loss, and
     * the predicted class is the argmax of the logits as in the trainer, so for the validation rows' logits
     * {@code logLoss} and {@code accuracy} equal the trainer's {@code validationLoss} and {@code validationAccuracy}
     * bit for bit. The ROC AUC uses the probabilities {@code exp(z − logsumexp(z))}.
     *
     * @param logits  row-major {@code n × k} finite logits, {@code k = classes.size()}
     * @param labels  true class index per row, in {@code [0, k)}, {@code n >= 1}
     * @param classes class names, distinct, in the model's output order
     */
    public static Classification classificationFromLogits(double[] logits, int[] labels, List<String> classes) {
        int k = checkClasses(classes);
        int n = checkRows(logits.length, labels, k);
        for (int i = 0; i < n * k; i++) {
            if (!Double.isFinite(logits[i]))
                throw new IllegalArgumentException("logit " + logits[i] + " of row " + i / k + " is not finite");
        }
        double logLoss = Loss.CROSS_ENTROPY.evaluate(logits, n, k, labels, null, null);
        double[] p = new double[n * k];
        int[] predicted = new int[n];
        for (int r = 0; r < n; r++) {
            int o = r * k;
            predicted[r] = argmax(logits, o, k);
            double max = logits[o + predicted[r]];
            double sum = 0;
            for (int j = 0; j < k; j++) sum += Math.exp(logits[o + j] - max);
            double lse = max + Math.log(sum);
            for (int j = 0; j < k; j++) p[o + j] = Math.exp(logits[o + j] - lse);
        }
        return metrics(p, labels, predicted, classes, logLoss);
    }

    private static Classification metrics(
            double[] p, int[] labels, int[] predicted, List<String> classes, double logLoss) {
        int n = labels.length, k = classes.size();
        int[][] cm = new int[k][k];
        int correct = 0;
        for (int r = 0; r < n; r++) {
            cm[labels[r]][predicted[r]]++;
            if (labels[r] == predicted[r]) correct++;
        }
        Map<String, ClassMetrics> perClass = new LinkedHashMap<>();
        double f1Sum = 0;
        int f1Count = 0;
        for (int c = 0; c < k; c++) {
            int tp = cm[c][c], support = 0, predictedAs = 0;
            for (int j = 0; j < k; j++) {
                support += cm[c][j];
                predictedAs += cm[j][c];
            }
            int fp = predictedAs - tp, fn = support - tp;
            double precision = predictedAs > 0 ? (double) tp / predictedAs : 0.0;
            double recall = support > 0 ? (double) tp / support : 0.0;
            double f1 = 2 * tp + fp + fn > 0 ? 2.0 * tp / (2 * tp + fp + fn) : 0.0;
            perClass.put(classes.get(c), new ClassMetrics(precision, recall, f1, support));
            if (support > 0 || predictedAs > 0) {
                f1Sum += f1;
                f1Count++;
            }
        }
        List<List<Integer>> counts = new ArrayList<>(k);
        for (int[] row : cm) counts.add(Arrays.stream(row).boxed().toList());
        Double auc = k == 2 ? rocAuc(p, labels) : null;
        return new Classification(
                n, (double) correct / n, logLoss, f1Sum / f1Count, new ConfusionMatrix(classes, counts), perClass, auc);
    }

    /**
     * Mann–Whitney: {@code AUC = (R₊ − n₊(n₊+1)/2) / (n₊·n₋)} with {@code R₊} the sum of the positives' ranks among
     * all scores (tied scores get their mean rank), i.e. the fraction of (positive, negative) pairs ordered correctly,
     * ties counted 1/2. Positive = class 1, score = its probability. Null if either class is absent.
     */
    private static Double rocAuc(double[] p, int[] labels) {
        int n = labels.length;
        long pos = 0;
        for (int y : labels) if (y == 1) pos++;
        long neg = n - pos;
        if (pos == 0 || neg == 0) return null;
        Integer[] order = new Integer[n];
        for (int i = 0; i < n; i++) order[i] = i;
        Arrays.sort(order, (a, b) -> Double.compare(p[2 * a + 1], p[2 * b + 1]));
        double rankSum = 0;
        for (int i = 0; i < n; ) {
            int j = i;
            while (j + 1 < n && p[2 * order[j + 1] + 1] == p[2 * order[i] + 1]) j++;
            double midRank = (i + j) / 2.0 + 1; // 1-based mean rank of positions i..j
            for (int t = i; t <= j; t++) if (labels[order[t]] == 1) rankSum += midRank;
            i = j + 1;
        }
        return (rankSum - pos * (pos + 1) / 2.0) / ((double) pos * neg);
    }

    /** {@link #regression(double[], double[], int)} with one output per row. */
    public static Regression regression(double[] predictions, double[] targets) {
        return regression(predictions, targets, 1);
    }

    /**
     * Regression metrics of row-major {@code rows × outputs} predictions against targets in the same layout (see
     * {@link Regression} for the formulas). Sums run over the values in order, so {@code mse} and {@code rmse} equal
     * the trainer's {@code validationLoss} and {@code validationRmse} for the same predictions in label units up to
     * round-off of the predictions themselves.
     *
     * @param predictions finite, {@code rows·outputs} values, {@code rows >= 1}
     * @param targets     finite, the same length
     * @param outputs     values per row, {@code >= 1}
     */
    public static Regression regression(double[] predictions, double[] targets, int outputs) {
        if (outputs < 1) throw new IllegalArgumentException("outputs must be >= 1, got " + outputs);
        if (predictions.length != targets.length)
            throw new IllegalArgumentException(predictions.length + " predictions for " + targets.length + " targets");
        if (predictions.length == 0 || predictions.length % outputs != 0)
            throw new IllegalArgumentException(
                    "need a positive multiple of " + outputs + " values, got " + predictions.length);
        int len = predictions.length, n = len / outputs;
        for (int i = 0; i < len; i++) {
            if (!Double.isFinite(predictions[i]) || !Double.isFinite(targets[i]))
                throw new IllegalArgumentException("value " + i + " is not finite");
        }
        double se = 0, ae = 0;
        for (int i = 0; i < len; i++) {
            double e = predictions[i] - targets[i];
            se += e * e;
            ae += Math.abs(e);
        }
        double mse = se / len;
        Double r2 = 0.0;
        for (int j = 0; j < outputs && r2 != null; j++) {
            double mean = 0;
            for (int r = 0; r < n; r++) mean += targets[r * outputs + j];
            mean /= n;
            double res = 0, tot = 0;
            for (int r = 0; r < n; r++) {
                double t = targets[r * outputs + j];
                double e = predictions[r * outputs + j] - t;
                res += e * e;
                tot += (t - mean) * (t - mean);
            }
            r2 = tot > 0 ? r2 + (1 - res / tot) : null;
        }
        if (r2 != null) r2 = r2 / outputs;
        return new Regression(n, mse, Math.sqrt(mse), ae / len, r2);
    }

    private static int checkClasses(List<String> classes) {
        if (classes == null || classes.isEmpty()) throw new IllegalArgumentException("need at least one class");
        if (new HashSet<>(classes).size() != classes.size())
            throw new IllegalArgumentException("class names must be distinct: " + classes);
        return classes.size();
    }

    private static int checkRows(int values, int[] labels, int k) {
        int n = labels.length;
        if (n == 0) throw new IllegalArgumentException("need at least one labelled row");
        if (values != (long) n * k)
            throw new IllegalArgumentException(
                    "expected " + n + " rows × " + k + " classes = " + (long) n * k + " values, got " + values);
        for (int r = 0; r < n; r++) {
            if (labels[r] < 0 || labels[r] >= k)
                throw new IllegalArgumentException("label " + labels[r] + " of row " + r + " outside [0, " + k + ")");
        }
        return n;
    }

    private static int argmax(double[] a, int off, int k) {
        int best = 0;
        for (int j = 1; j < k; j++) if (a[off + j] > a[off + best]) best = j;
        return best;
    }
}
