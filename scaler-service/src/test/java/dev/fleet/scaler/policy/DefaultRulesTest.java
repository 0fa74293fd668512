package dev.fleet.scaler.policy;

import static dev.fleet.scaler.policy.Fixtures.at;
import static dev.fleet.scaler.policy.Fixtures.evaluate;
import static dev.fleet.scaler.policy.Fixtures.policy;
import static dev.fleet.scaler.policy.Fixtures.steady;
import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

import dev.fleet.scaler.policy.Decision.Kind;

/**
 * Each default threshold rule fires exactly when its hold is complete, not a second earlier,
 * and not when the window is broken or not covered. Samples every 5 s from T0.
 */
class DefaultRulesTest {

    static final PoolPolicy DEFAULTS = policy(1, 50).build();

    static void assertNoChange(Decision d) {
        assertThat(d.kind()).isEqualTo(Kind.NONE);
        assertThat(d.to()).isEqualTo(d.from());
    }

    static void assertChange(Decision d, String rule, int from, int to) {
        assertThat(d.rule()).isEqualTo(rule);
        assertThat(d.from()).isEqualTo(from);
        assertThat(d.to()).isEqualTo(to);
        assertThat(d.kind()).isEqualTo(to > from ? Kind.SCALE_OUT : Kind.SCALE_IN);
    }

    @Nested
    class Timing {

        @Test
        void cpuOver70For2MinutesAddsOne() {
            MetricHistory h = steady("cpu", 75, 0, 600);
            assertNoChange(evaluate(DEFAULTS, 3, h, at(119)));
            Decision d = evaluate(DEFAULTS, 3, h, at(120));
            assertChange(d, "cpu-high", 3, 4);
            assertThat(d.reason()).isEqualTo("cpu > 70 for 2 min (now 75): +1; 3 → 4");
            assertThat(d.inputs()).containsEntry("cpu", 75.0);
        }

        @Test
        void cpuOver85For1MinuteAddsThree() {
            MetricHistory h = steady("cpu", 90, 0, 600);
            assertNoChange(evaluate(DEFAULTS, 3, h, at(59)));
            assertChange(evaluate(DEFAULTS, 3, h, at(60)), "cpu-surge", 3, 6);
        }

        @Test
        void queueDepthOver100For2MinutesAddsFive() {
            MetricHistory h = steady("queueDepth", 150, 0, 600);
            assertNoChange(evaluate(DEFAULTS, 3, h, at(119)));
            assertChange(evaluate(DEFAULTS, 3, h, at(120)), "queue-deep", 3, 8);
        }

        @Test
        void cpuUnder30For10MinutesRemovesOne() {
            MetricHistory h = steady("cpu", 25, 0, 1200);
            assertNoChange(evaluate(DEFAULTS, 5, h, at(599)));
            assertChange(evaluate(DEFAULTS, 5, h, at(600)), "cpu-low", 5, 4);
        }

        @Test
        void cpuUnder20For15MinutesRemovesTwo() {
            MetricHistory h = steady("cpu", 15, 0, 1200);
            assertChange(evaluate(DEFAULTS, 5, h, at(899)), "cpu-low", 5, 4); // the 10-minute rule, already
            assertChange(evaluate(DEFAULTS, 5, h, at(900)), "cpu-idle", 5, 3);
        }
    }

    @Nested
    class BrokenOrUncoveredWindow {

        @Test
        void oneSampleUnderTheThresholdRestartsTheHold() {
            MetricHistory h = steady("cpu", 75, 0, 55);
            h.record("cpu", at(60), 65); // under the line from +60 s until the next sample at +65 s
            steady(h, "cpu", 75, 65, 600);
            assertNoChange(evaluate(DEFAULTS, 3, h, at(120)));
            assertNoChange(evaluate(DEFAULTS, 3, h, at(184))); // the window starts at +64 s, still in the dip
            assertChange(evaluate(DEFAULTS, 3, h, at(185)), "cpu-high", 3, 4);
        }

        @Test
        void aHistoryYoungerThanTheHoldDoesNotFire() {
            MetricHistory h = steady("cpu", 75, 30, 600);
            assertNoChange(evaluate(DEFAULTS, 3, h, at(120)));
            assertNoChange(evaluate(DEFAULTS, 3, h, at(149)));
            assertChange(evaluate(DEFAULTS, 3, h, at(150)), "cpu-high", 3, 4);
        }

        @Test
        void samplesThatStoppedDoNotFire() {
            MetricHistory h = steady("cpu", 75, 0, 120);
            assertChange(evaluate(DEFAULTS, 3, h, at(150)), "cpu-high", 3, 4);
            Decision stale = evaluate(DEFAULTS, 3, h, at(151));
            assertNoChange(stale);
            assertThat(stale.rule()).isEqualTo(Decision.NO_RULE);
            assertThat(stale.inputs()).doesNotContainKey("cpu");
        }
    }

    @Test
    void scaleOutWinsOverScaleIn() {
        MetricHistory h = steady("cpu", 15, 0, 1200);
        steady(h, "queueDepth", 150, 0, 1200);
        assertChange(evaluate(DEFAULTS, 5, h, at(900)), "queue-deep", 5, 10);
    }

    @Test
    void theLargestScaleOutWinsAmongSeveral() {
        MetricHistory h = steady("cpu", 90, 0, 600);
        steady(h, "queueDepth", 150, 0, 600);
        assertChange(evaluate(DEFAULTS, 3, h, at(60)), "cpu-surge", 3, 6);
        assertChange(evaluate(DEFAULTS, 3, h, at(120)), "queue-deep", 3, 8); // +5 over +3 and +1
    }
}
