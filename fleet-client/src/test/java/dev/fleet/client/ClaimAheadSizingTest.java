package dev.fleet.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;

import org.junit.jupiter.api.Test;

class ClaimAheadSizingTest {

    @Test
    void anAdaptiveBufferHoldsTheHorizonsWorthOfJobsBetweenTheSlotsAndItsCeiling() {
        ClaimAheadSizing sizing = ClaimAheadSizing.adaptive(12, Duration.ofMillis(200));
        assertThat(sizing.adapts()).isTrue();
        assertThat(sizing.aheadFor(0)).isEqualTo(12); // nothing finished yet: one more round of work
        assertThat(sizing.aheadFor(10)).isEqualTo(12); // 1 s jobs: never fewer than the slots
        assertThat(sizing.aheadFor(1000)).isEqualTo(200); // 10 ms jobs on 12 slots (~1000/s): 200 ms of them
        assertThat(sizing.aheadFor(1001)).isEqualTo(201); // rounded up
        assertThat(sizing.aheadFor(50_000)).isEqualTo(500); // the ceiling
    }

    @Test
    void aFixedBufferIgnoresTheRate() {
        ClaimAheadSizing sizing = ClaimAheadSizing.fixed(3);
        assertThat(sizing.adapts()).isFalse();
        assertThat(sizing.aheadFor(0)).isEqualTo(3);
        assertThat(sizing.aheadFor(100_000)).isEqualTo(3);
        assertThat(ClaimAheadSizing.adaptive(800, Duration.ofMillis(200)).aheadFor(1e9)).isEqualTo(800);
    }

    @Test
    void impossibleBoundsAreRefused() {
        assertThatThrownBy(() -> new ClaimAheadSizing(5, 4, Duration.ZERO)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new ClaimAheadSizing(-1, 4, Duration.ZERO)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new ClaimAheadSizing(1, 4, Duration.ofMillis(-1)))
                .isInstanceOf(IllegalArgumentException.class);
    }
}
