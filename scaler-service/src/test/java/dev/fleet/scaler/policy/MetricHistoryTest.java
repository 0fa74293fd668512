package dev.fleet.scaler.policy;

import static dev.fleet.scaler.policy.Comparison.ABOVE;
import static dev.fleet.scaler.policy.Comparison.BELOW;
import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;

import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

/** "Held continuously for D as of now", over instants the test chooses. */
class MetricHistoryTest {

    static final Instant T0 = Instant.parse("2026-11-23T10:00:00Z");
    static final Duration TWO_MIN = Duration.ofMinutes(2);

    /** cpu sampled every 5 s from T0 to T0 + seconds, at {@code value}. */
    static MetricHistory cpuEvery5s(int seconds, double value) {
        MetricHistory h = new MetricHistory();
        for (int s = 0; s <= seconds; s += 5) {
            h.record("cpu", T0.plusSeconds(s), value);
        }
        return h;
    }

    @Nested
    class HeldFor {

        @Test
        void holdsOnceTheHistoryCoversTheWholeWindowAndNotASecondEarlier() {
            MetricHistory h = cpuEvery5s(300, 80);
            assertThat(h.heldFor("cpu", ABOVE, 70, TWO_MIN, T0.plusSeconds(119))).isFalse();
            assertThat(h.heldFor("cpu", ABOVE, 70, TWO_MIN, T0.plusSeconds(120))).isTrue();
            assertThat(h.heldFor("cpu", BELOW, 90, TWO_MIN, T0.plusSeconds(120))).isTrue();
        }

        @Test
        void oneSampleInTheWindowThatBreaksTheConditionBreaksTheHold() {
            MetricHistory h = cpuEvery5s(300, 80);
            h.record("cpu", T0.plusSeconds(202), 65); // out of order, inside [t-120, t] for t in [202, 322)
            assertThat(h.heldFor("cpu", ABOVE, 70, TWO_MIN, T0.plusSeconds(300))).isFalse();
            assertThat(h.heldFor("cpu", ABOVE, 70, TWO_MIN, T0.plusSeconds(200))).isTrue();
        }

        @Test
        void theSampleBeforeTheWindowMustAlsoHoldBecauseItsValueLastsIntoTheWindow() {
            MetricHistory h = new MetricHistory();
            h.record("cpu", T0, 10);
            for (int s = 3; s <= 200; s += 5) {
                h.record("cpu", T0.plusSeconds(s), 80);
            }
            // At T0+121 the window starts at T0+1, still under the 10 % of T0.
            assertThat(h.heldFor("cpu", ABOVE, 70, TWO_MIN, T0.plusSeconds(122))).isFalse();
            assertThat(h.heldFor("cpu", ABOVE, 70, TWO_MIN, T0.plusSeconds(123))).isTrue();
        }

        @Test
        void aGapLongerThanMaxGapInsideTheWindowBreaksTheHold() {
            MetricHistory h = new MetricHistory(Duration.ofSeconds(30));
            for (int s = 0; s <= 300; s += 5) {
                if (s <= 150 || s >= 185) { // 35 s without a sample between 150 and 185
                    h.record("cpu", T0.plusSeconds(s), 80);
                }
            }
            assertThat(h.heldFor("cpu", ABOVE, 70, TWO_MIN, T0.plusSeconds(270))).isFalse();
            assertThat(h.heldFor("cpu", ABOVE, 70, TWO_MIN, T0.plusSeconds(305))).isTrue();
        }

        @Test
        void aStaleNewestSampleBreaksTheHold() {
            MetricHistory h = cpuEvery5s(120, 80);
            assertThat(h.heldFor("cpu", ABOVE, 70, TWO_MIN, T0.plusSeconds(150))).isTrue(); // newest is 30 s old
            assertThat(h.heldFor("cpu", ABOVE, 70, TWO_MIN, T0.plusSeconds(151))).isFalse();
        }

        @Test
        void samplesAfterNowAreIgnored() {
            MetricHistory h = cpuEvery5s(120, 80);
            h.record("cpu", T0.plusSeconds(125), 10);
            assertThat(h.heldFor("cpu", ABOVE, 70, TWO_MIN, T0.plusSeconds(120))).isTrue();
        }

        @Test
        void anUnknownMetricNeverHolds() {
            assertThat(new MetricHistory().heldFor("cpu", ABOVE, 0, Duration.ZERO, T0)).isFalse();
        }
    }

    @Nested
    class Latest {

        @Test
        void isTheNewestSampleAtOrBeforeNowWhileFresh() {
            MetricHistory h = cpuEvery5s(60, 50).record("cpu", T0.plusSeconds(62), 55);
            assertThat(h.latest("cpu", T0.plusSeconds(61))).hasValue(50);
            assertThat(h.latest("cpu", T0.plusSeconds(92))).hasValue(55);
            assertThat(h.latest("cpu", T0.plusSeconds(93))).isEmpty();
            assertThat(h.latest("cpu", T0.minusSeconds(1))).isEmpty();
        }
    }

    @Test
    void forgetBeforeDropsOldSamplesOnly() {
        MetricHistory h = cpuEvery5s(60, 50);
        h.forgetBefore(T0.plusSeconds(30));
        assertThat(h.samples("cpu")).extracting(Sample::at).first().isEqualTo(T0.plusSeconds(30));
        assertThat(h.samples("cpu")).hasSize(7);
    }
}
