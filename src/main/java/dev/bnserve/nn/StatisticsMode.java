package dev.bnserve.nn;

import java.util.Locale;

/**
 * How the BatchNorm running statistics that inference uses are finalized after training. {@link #id()} is
 * {@code ema}, {@code population} or {@code auto}.
 */
public enum StatisticsMode {
    /** Keep the moving averages accumulated during training. */
    EMA,
    /** Replace them with exact population statistics over the training split ({@link Network#recomputePopulationStatistics}). */
    POPULATION,
    /**
     * Train as {@link #EMA}; the service then keeps whichever of the moving averages and the population statistics
     * gives the lower validation loss, and records which.
     */
    AUTO;

    /** {@code ema} or {@code population}. */
    public String id() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** Parses {@link #id()} (case-insensitive). */
    public static StatisticsMode parse(String s) {
        for (StatisticsMode m : values()) if (m.id().equalsIgnoreCase(s)) return m;
        throw new IllegalArgumentException("unknown statistics mode '" + s + "' (expected ema, population or auto)");
    }
}
