package dev.bnserve.prep;

import java.time.LocalDate;

/**
 * Recognizes ISO-8601 calendar dates and date-times in a cell, without exceptions or allocation on the way:
 * {@code 2012-01-01}, {@code 2012-01-01T13:00}, {@code 2012-01-01T13:00:00}, optional fraction ({@code .5},
 * up to 9 digits), optional zone {@code Z} or an offset ({@code +02:00}, {@code +0200}, {@code +02}). A date-time
 * without a zone is taken as UTC; {@code T} may also be written {@code t} or a space (RFC 3339). Years have four
 * digits, and so must the instant in UTC; surrounding blanks are ignored.
 */
public final class IsoDates {

    public static final int SECONDS_PER_DAY = 86_400;

    /** 0000-01-01T00:00:00Z: the first instant a date may be. */
    public static final double MIN_SECONDS = -62_167_219_200d;

    /** 10000-01-01T00:00:00Z: dates end before it. */
    public static final double END_SECONDS = 253_402_300_800d;

    private IsoDates() {}

    /** Result of a successful {@link #parse}; reused per column. */
    public static final class Parsed {
        /** UTC seconds since 1970-01-01T00:00:00Z. */
        public double seconds;
        /** A time of day was written. */
        public boolean hasTime;
        /**
         * The text is exactly what {@code DateColumn.format} would print for the value, i.e. recoverable from it
         * ({@code 2012-01-01}, or {@code 2012-01-01T13:00:00Z}).
         */
        public boolean canonical;
    }

    /** Parses {@code s} into {@code out}; false (and {@code out} unspecified) if it is no ISO date or date-time. */
    /** The instant of {@code text} in UTC seconds since 1970, or {@code NaN} when it is no ISO date or date-time. */
    public static double parse(String text) {
        Parsed p = new Parsed();
        return parse(text, p) ? p.seconds : Double.NaN;
    }

    public static boolean parse(String s, Parsed out) {
        int start = 0;
        int end = s.length();
        while (start < end && Character.isWhitespace(s.charAt(start))) {
            start++;
        }
        while (end > start && Character.isWhitespace(s.charAt(end - 1))) {
            end--;
        }
        boolean trimmed = start > 0 || end < s.length();
        if (end - start < 10 || s.charAt(start + 4) != '-' || s.charAt(start + 7) != '-') {
            return false;
        }
        int year = digits(s, start, 4);
        int month = digits(s, start + 5, 2);
        int day = digits(s, start + 8, 2);
        if (year < 0 || month < 1 || month > 12 || day < 1 || day > lengthOfMonth(year, month)) {
            return false;
        }
        long epochDay = LocalDate.of(year, month, day).toEpochDay();
        int p = start + 10;
        if (p == end) {
            out.seconds = (double) (epochDay * SECONDS_PER_DAY);
            out.hasTime = false;
            out.canonical = !trimmed;
            return true;
        }
        char t = s.charAt(p++);
        if (t != 'T' && t != 't' && t != ' ') {
            return false;
        }
        if (end - p < 5 || s.charAt(p + 2) != ':') {
            return false;
        }
        int hour = digits(s, p, 2);
        int minute = digits(s, p + 3, 2);
        if (hour < 0 || hour > 23 || minute < 0 || minute > 59) {
            return false;
        }
        p += 5;
        int second = 0;
        boolean hasSeconds = false;
        int nanos = 0;
        boolean hasFraction = false;
        if (p < end && s.charAt(p) == ':') {
            second = end - p >= 3 ? digits(s, p + 1, 2) : -1;
            if (second < 0 || second > 59) {
                return false;
            }
            hasSeconds = true;
            p += 3;
            if (p < end && (s.charAt(p) == '.' || s.charAt(p) == ',')) {
                p++;
                int n = 0;
                while (p < end && isDigit(s.charAt(p))) {
                    if (++n > 9) {
                        return false;
                    }
                    nanos = nanos * 10 + (s.charAt(p++) - '0');
                }
                if (n == 0) {
                    return false;
                }
                for (int k = n; k < 9; k++) {
                    nanos *= 10;
                }
                hasFraction = true;
            }
        }
        int offset = 0;
        boolean zulu = false;
        if (p < end) {
            char z = s.charAt(p);
            if ((z == 'Z' || z == 'z') && p + 1 == end) {
                zulu = z == 'Z';
            } else if (z == '+' || z == '-') {
                int rest = end - p - 1;
                int oh = rest >= 2 ? digits(s, p + 1, 2) : -1;
                int om;
                if (rest == 2) {
                    om = 0;
                } else if (rest == 4) {
                    om = digits(s, p + 3, 2);
                } else if (rest == 5 && s.charAt(p + 3) == ':') {
                    om = digits(s, p + 4, 2);
                } else {
                    return false;
                }
                if (oh < 0 || oh > 18 || om < 0 || om > 59) {
                    return false;
                }
                offset = (z == '-' ? -1 : 1) * (oh * 3600 + om * 60);
            } else {
                return false;
            }
        }
        long whole = epochDay * SECONDS_PER_DAY + hour * 3600L + minute * 60L + second - offset;
        if (whole < MIN_SECONDS || whole >= END_SECONDS) {
            return false; // an offset pushed it out of the years 0000-9999
        }
        out.seconds = (double) whole + nanos / 1e9;
        out.hasTime = true;
        out.canonical = !trimmed && t == 'T' && hasSeconds && !hasFraction && zulu;
        return true;
    }

    /** The value of {@code n} decimal digits at {@code at}, or -1 if any is no digit. */
    private static int digits(String s, int at, int n) {
        int v = 0;
        for (int i = at; i < at + n; i++) {
            char c = s.charAt(i);
            if (!isDigit(c)) {
                return -1;
            }
            v = v * 10 + (c - '0');
        }
        return v;
    }

    private static boolean isDigit(char c) {
        return c >= '0' && c <= '9';
    }

    private static int lengthOfMonth(int year, int month) {
        switch (month) {
            case 2:
                return (year % 4 == 0 && (year % 100 != 0 || year % 400 == 0)) ? 29 : 28;
            case 4:
            case 6:
            case 9:
            case 11:
                return 30;
            default:
                return 31;
        }
    }
}
