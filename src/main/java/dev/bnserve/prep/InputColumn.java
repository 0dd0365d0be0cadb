package dev.bnserve.prep;

import java.util.List;

/**
 * One raw input column over all rows of a dataset, as preprocessing reads it. Missing cells are {@code NaN}
 * (numeric, date) or code −1 (categorical).
 */
public sealed interface InputColumn {
    String name();

    /** Numbers; {@code NaN} = missing. */
    record Numeric(String name, double[] values) implements InputColumn {}

    /** Instants as UTC seconds since 1970; {@code NaN} = missing. {@code hasTime}: some value had a time of day. */
    record Date(String name, double[] epochSeconds, boolean hasTime) implements InputColumn {}

    /** Dictionary codes into {@code levels}; −1 = missing. */
    record Categorical(String name, int[] codes, List<String> levels) implements InputColumn {}
}
