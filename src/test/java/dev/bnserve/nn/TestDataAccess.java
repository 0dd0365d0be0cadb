package dev.bnserve.nn;

/** The shipped test data sets for tests outside the core's package. */
public final class TestDataAccess {
    private TestDataAccess() {}

    /** Iris: 150 rows, 4 features, 3 classes (setosa, versicolor, virginica). */
    public static TrainingData iris() {
        return TestData.classification("/data/iris.csv", "species");
    }
}
