package dev.bnserve.nn;

/**
 * Which rows of a {@link TrainingData} set train the network and which validate it, as row indices.
 *
 * <p>{@link Trainer#split(int, TrainingConfig)} makes the split the trainer uses by default; a caller that must fit
 * something on the training rows only (e.g. preprocessing) computes it first, fits on {@link #train()}, and hands the
 * same split to {@link Trainer#train(Network, TrainingData, Split, TrainingListener, java.util.function.BooleanSupplier)}.
 * The trainer checks it against the data: indices in {@code [0, rows)}, no row in both parts nor twice in one, at
 * least 2 training rows. Rows in neither part are simply unused.
 *
 * <p>The arrays are copied in and out, so a split is immutable. The order of {@link #train()} matters for
 * bit-for-bit reproducibility (target standardization sums in that order, and the epoch shuffles start from it).
 *
 * @param train      training row indices, in the order the trainer starts from
 * @param validation validation row indices (may be empty), in the order validation is evaluated
 */
public record Split(int[] train, int[] validation) {
    public Split {
        if (train == null || validation == null)
            throw new IllegalArgumentException("split needs train and validation row arrays (validation may be empty)");
        train = train.clone();
        validation = validation.clone();
    }

    /** A copy of the training row indices. */
    @Override
    public int[] train() {
        return train.clone();
    }

    /** A copy of the validation row indices. */
    @Override
    public int[] validation() {
        return validation.clone();
    }

    /** {@code train().length}. */
    public int trainRows() {
        return train.length;
    }

    /** {@code validation().length}. */
    public int validationRows() {
        return validation.length;
    }

    /** Package-private view without the copy, for the trainer. */
    int[] trainView() {
        return train;
    }

    int[] validationView() {
        return validation;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Split s
                && java.util.Arrays.equals(s.train, train)
                && java.util.Arrays.equals(s.validation, validation);
    }

    @Override
    public int hashCode() {
        return java.util.Arrays.hashCode(train) * 31 + java.util.Arrays.hashCode(validation);
    }

    @Override
    public String toString() {
        return "Split[" + train.length + " training rows, " + validation.length + " validation rows]";
    }
}
