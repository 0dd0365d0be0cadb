package dev.bnserve.web;

import dev.bnserve.config.BnserveProperties;
import java.util.Locale;

/**
 * How long {@link BodyReadProtocol} waits for a request body: after {@code graceNanos} of waiting, at least
 * {@code minBytesPerSecond} on average over the time waited, and at most {@code timeoutNanos} in all. Only time spent
 * waiting for the client counts, not the time the service takes between reads (parsing a large upload, say). Zero
 * turns a limit off.
 */
record BodyReadLimits(long minBytesPerSecond, long graceNanos, long timeoutNanos) {
    static final String RATE = "bnserve.limits.min-body-rate";
    static final String GRACE = "bnserve.limits.body-rate-grace";
    static final String TIMEOUT = "bnserve.limits.body-timeout";

    static final BodyReadLimits NONE = new BodyReadLimits(0, 0, 0);

    static BodyReadLimits of(BnserveProperties.Limits limits) {
        return new BodyReadLimits(
                limits.minBodyRate().toBytes(),
                limits.bodyRateGrace().toNanos(),
                limits.bodyTimeout().toNanos());
    }

    /** How much longer a body of which {@code bytes} arrived in {@code waitedNanos} may wait; MAX_VALUE: unbounded. */
    long allowedWaitNanos(long bytes, long waitedNanos) {
        return Math.min(rateDeadline(bytes), timeoutNanos > 0 ? timeoutNanos : Long.MAX_VALUE) - waitedNanos;
    }

    /** The waiting time at which {@code bytes} fall below the minimum rate. */
    private long rateDeadline(long bytes) {
        if (minBytesPerSecond <= 0) return Long.MAX_VALUE;
        double atRate = bytes * 1e9 / minBytesPerSecond;
        return Math.max(graceNanos, atRate >= Long.MAX_VALUE ? Long.MAX_VALUE : (long) atRate);
    }

    /** The failure of a body of which {@code bytes} arrived in {@code waitedNanos}, at a limit. */
    BodyReadFailure.TooSlow exceeded(long bytes, long waitedNanos) {
        boolean timedOut = timeoutNanos > 0 && timeoutNanos <= rateDeadline(bytes);
        if (timedOut) {
            return BodyReadFailure.timeout("The request body did not arrive within " + seconds(timeoutNanos) + " ("
                    + TIMEOUT + "), " + bytes + " bytes of it did; the connection is closed.");
        }
        double rate = waitedNanos <= 0 ? 0 : bytes * 1e9 / waitedNanos;
        return BodyReadFailure.timeout(String.format(
                Locale.ROOT,
                "The request body arrived at %.1f bytes per second, slower than the minimum of %d bytes per second"
                        + " (%s) that applies after %s (%s); the connection is closed.",
                rate,
                minBytesPerSecond,
                RATE,
                seconds(graceNanos),
                GRACE));
    }

    /** {@code nanos} as seconds for a reader: "5 s", "0.5 s". */
    static String seconds(long nanos) {
        double s = nanos / 1e9;
        return (s == Math.rint(s) ? Long.toString((long) s) : String.format(Locale.ROOT, "%.3g", s)) + " s";
    }
}
