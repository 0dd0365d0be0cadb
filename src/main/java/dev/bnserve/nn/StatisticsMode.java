package dev.bnserve.nn;

import java.util.Locale;

/** How BatchNorm running statistics are final after training. */
public enum StatisticsMode {
    /** Keep the moving averages accumulated during training. */
    EMA,
    /** Replace them with exact population statistics over the training split ({@link Network#recomputePopulationStatistics}). */
    POPULATION;

    public String id() {
        return name().toLowerCase(Locale.ROOT);
    }

    public static StatisticsMode parse(String s) {
        for (StatisticsMode m : values()) if (m.id().equalsIgnoreCase(s)) return m;
        throw new IllegalArgumentException("unknown statistics mode '" + s + "' (expected ema or population)");
    }
}
