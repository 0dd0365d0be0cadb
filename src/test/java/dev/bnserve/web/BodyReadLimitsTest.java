package dev.bnserve.web;

import static org.assertj.core.api.Assertions.assertThat;

import dev.bnserve.config.BnserveProperties;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The deadline arithmetic of {@link BodyReadLimits}, and which limit a failure names. */
class BodyReadLimitsTest {
    static final long S = 1_000_000_000L;

    @Test
    void theDefaultsAre240BytesASecondAfterFiveSecondsAndTenMinutesInAll() {
        BodyReadLimits limits = BodyReadLimits.of(BnserveProperties.defaults().limits());
        assertThat(limits).isEqualTo(new BodyReadLimits(240, 5 * S, 600 * S));
    }

    @Test
    void aBodyMayWaitTheGraceThenAsLongAsItsBytesKeepTheRate() {
        BodyReadLimits limits = new BodyReadLimits(100, 2 * S, 60 * S);
        assertThat(limits.allowedWaitNanos(0, 0)).isEqualTo(2 * S); // nothing yet: the grace
        assertThat(limits.allowedWaitNanos(50, S)).isEqualTo(S); // 50 bytes still fit the grace
        assertThat(limits.allowedWaitNanos(1000, 3 * S)).isEqualTo(7 * S); // 1,000 bytes cover 10 s at 100 B/s
        assertThat(limits.allowedWaitNanos(1_000_000, 50 * S)).isEqualTo(10 * S); // then the body timeout
        assertThat(limits.allowedWaitNanos(300, 3 * S)).isZero();
    }

    @Test
    void zeroTurnsALimitOff() {
        assertThat(BodyReadLimits.NONE.allowedWaitNanos(0, 100 * S)).isGreaterThan(1000 * S);
        BodyReadLimits limits =
                BodyReadLimits.of(BnserveProperties.of(Map.of("limits.min-body-rate", "0", "limits.body-timeout", "0"))
                        .limits());
        assertThat(limits.allowedWaitNanos(0, 3600 * S)).isGreaterThan(1000 * S);
    }

    @Test
    void aFailureNamesTheLimitItReached() {
        BodyReadLimits limits = new BodyReadLimits(100, 2 * S, 5 * S);
        assertThat(limits.exceeded(3, 2 * S).detail())
                .contains("1.5 bytes per second")
                .contains("minimum of 100 bytes per second (bnserve.limits.min-body-rate)")
                .contains("after 2 s (bnserve.limits.body-rate-grace)");
        assertThat(limits.exceeded(1500, 5 * S).detail())
                .contains("within 5 s (bnserve.limits.body-timeout)")
                .contains("1500 bytes");
        assertThat(limits.exceeded(3, 2 * S).status()).isEqualTo(408);
    }
}
