package dev.bnserve.prep;

import java.util.Locale;

/**
 * How to preprocess, as the training request says.
 *
 * @param missing           what a missing feature value does
 * @param missingIndicators add one 0/1 input per column that had missing values in the training split
 * @param maxCategories     categorical columns with more levels are left out of the default features
 * @param unknownCategory   what a level never seen in the training split does at prediction
 */
public record Settings(Missing missing, boolean missingIndicators, int maxCategories, UnknownCategory unknownCategory) {

    /** What a missing feature value does. */
    public enum Missing {
        /** Numeric and date columns: the training split's mean; categorical: no level set. */
        IMPUTE,
        /** Rows with a missing feature are left out of training; a prediction with one is refused. */
        DROP,
        /** A feature with missing values is refused at training, and a missing value at prediction. */
        ERROR;

        public String id() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    /** What a categorical level never seen in the training split does at prediction. */
    public enum UnknownCategory {
        /** Every one-hot input 0, and the answer carries a warning. */
        IGNORE,
        /** A 422 naming the column and the level. */
        ERROR;

        public String id() {
            return name().toLowerCase(Locale.ROOT);
        }
    }
}
