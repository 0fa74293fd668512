package dev.fleet.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.util.concurrent.atomic.AtomicLong;

import org.junit.jupiter.api.Test;

class SampleBudgetTest {

    private final AtomicLong now = new AtomicLong(1_000_000_000L);
    private final SampleBudget budget = new SampleBudget(100, now::get);

    @Test
    void everySampleIsKeptUpToTheBudgetThenEachWithTheChanceThatKeepsTheSecondNearIt() {
        for (int i = 1; i <= 100; i++) {
            assertThat(budget.keepRate("job.noop")).isEqualTo(1.0);
        }
        assertThat(budget.keepRate("job.noop")).isCloseTo(100 / 101.0, within(1e-12));
        double expectedKept = 100;
        for (int i = 102; i <= 10_000; i++) {
            expectedKept += budget.keepRate("job.noop");
        }
        // A burst from its start: about perSecond × (1 + ln(n / perSecond)) kept, not 10,000.
        assertThat(expectedKept).isBetween(500.0, 600.0);
    }

    @Test
    void aSteadyRateIsThinnedEvenlyFromTheSecondAfterItsFirst() {
        for (int i = 0; i < 1_000; i++) {
            budget.keepRate("job.noop");
        }
        now.addAndGet(1_000_000_000L);
        assertThat(budget.keepRate("job.noop")).isCloseTo(0.1, within(1e-12));
        double expectedKept = 0.1;
        for (int i = 1; i < 1_000; i++) {
            expectedKept += budget.keepRate("job.noop");
        }
        assertThat(expectedKept).isCloseTo(100.0, within(1e-6));
    }

    @Test
    void featuresHaveBudgetsOfTheirOwnAndAQuietSpellResetsOne() {
        for (int i = 0; i < 1_000; i++) {
            budget.keepRate("job.noop");
        }
        assertThat(budget.keepRate("http.health")).isEqualTo(1.0);
        now.addAndGet(2_500_000_000L);
        assertThat(budget.keepRate("job.noop")).isEqualTo(1.0);
    }

    @Test
    void zeroKeepsEverythingAndANegativeBudgetIsRefused() {
        SampleBudget unlimited = new SampleBudget(0, now::get);
        for (int i = 0; i < 10_000; i++) {
            assertThat(unlimited.keepRate("job.noop")).isEqualTo(1.0);
        }
        assertThatThrownBy(() -> new SampleBudget(-1)).isInstanceOf(IllegalArgumentException.class);
    }
}
