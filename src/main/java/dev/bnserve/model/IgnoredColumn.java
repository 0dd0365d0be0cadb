package dev.bnserve.model;

/**
 * A column the model does not learn from, and why: a categorical with more levels than
 * {@code preprocessing.maxCategories} (left out of the default features, not an input), or an input constant over the
 * training split (kept in {@code inputs}, not encoded).
 */
public record IgnoredColumn(String name, String reason) {}
