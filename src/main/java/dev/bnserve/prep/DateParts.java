package dev.bnserve.prep;

import java.time.LocalDateTime;
import java.time.ZoneOffset;

/**
 * The numeric parts an instant is encoded as, from UTC seconds since 1970 {@code s}:
 *
 * <ul>
 *   <li>{@code year}: the continuous year, {@code y + (dayOfYear − 1 + secondOfDay/86400) / daysInYear};
 *   <li>{@code month_sin}, {@code month_cos}: {@code sin/cos(2π·(month − 1)/12)};
 *   <li>{@code weekday_sin}, {@code weekday_cos}: {@code sin/cos(2π·(isoWeekday − 1)/7)} (Monday = 1);
 *   <li>with a time of day only, {@code hour_sin}, {@code hour_cos}: {@code sin/cos(2π·secondOfDay/86400)}.
 * </ul>
 *
 * The cyclic pairs put December next to January and Sunday next to Monday.
 */
final class DateParts {
    static final String[] DAY_PARTS = {"year", "month_sin", "month_cos", "weekday_sin", "weekday_cos"};
    static final String[] TIME_PARTS = {"hour_sin", "hour_cos"};

    private DateParts() {}

    /** Every part's name, in {@link #write} order (with a time of day). */
    static final java.util.List<String> ALL =
            java.util.List.of("year", "month_sin", "month_cos", "weekday_sin", "weekday_cos", "hour_sin", "hour_cos");

    /** The index of part {@code name} in {@link #write}'s output. */
    static int index(String name) {
        int i = ALL.indexOf(name);
        if (i < 0) throw new IllegalArgumentException("unknown date part '" + name + "' (expected one of " + ALL + ")");
        return i;
    }

    static int count(boolean hasTime) {
        return DAY_PARTS.length + (hasTime ? TIME_PARTS.length : 0);
    }

    /** Writes the parts of {@code s} at {@code out[off..off + count(hasTime))}. */
    static void write(double s, boolean hasTime, double[] out, int off) {
        long whole = (long) Math.floor(s);
        int nanos = (int) Math.round((s - whole) * 1e9);
        if (nanos >= 1_000_000_000) {
            whole++;
            nanos -= 1_000_000_000;
        }
        LocalDateTime t = LocalDateTime.ofEpochSecond(whole, nanos, ZoneOffset.UTC);
        double secondOfDay = t.toLocalTime().toSecondOfDay() + t.getNano() / 1e9;
        out[off] = t.getYear()
                + (t.getDayOfYear() - 1 + secondOfDay / 86400) / t.toLocalDate().lengthOfYear();
        double month = 2 * Math.PI * (t.getMonthValue() - 1) / 12;
        out[off + 1] = Math.sin(month);
        out[off + 2] = Math.cos(month);
        double day = 2 * Math.PI * (t.getDayOfWeek().getValue() - 1) / 7;
        out[off + 3] = Math.sin(day);
        out[off + 4] = Math.cos(day);
        if (hasTime) {
            double hour = 2 * Math.PI * secondOfDay / 86400;
            out[off + 5] = Math.sin(hour);
            out[off + 6] = Math.cos(hour);
        }
    }
}
