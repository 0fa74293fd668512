package dev.fleet.telemetry.finding;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

/** The levels' order rule (checked at start) and how a value maps to a severity, both directions. */
class IndicatorLevelsTest {

    @Test
    void levelsOutOfOrderStopTheStartNamingTheKey() {
        assertThatThrownBy(() -> IndicatorLevels.rising("runner-cpu-percent", 95, 85, 98))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("fleet.telemetry.findings.runner-cpu-percent").hasMessageContaining("ascend");
        assertThatThrownBy(() -> IndicatorLevels.falling("healthy-share", 0.5, 0.8, 0))
                .hasMessageContaining("fleet.telemetry.findings.healthy-share").hasMessageContaining("descend");
        assertThatThrownBy(() -> IndicatorLevels.rising("queue-depth", Double.NaN, 500, 1000))
                .hasMessageContaining("fleet.telemetry.findings.queue-depth");
    }

    @Test
    void aRisingIndicatorIsAsBadAsTheHighestLevelItReaches() {
        IndicatorLevels cpu = IndicatorLevels.rising("runner-cpu-percent", 85, 95, 98);
        assertThat(cpu.level(84.9)).isNull();
        assertThat(cpu.level(85).severity()).isEqualTo("warning");
        assertThat(cpu.level(96)).isEqualTo(new IndicatorLevels.Level("critical", 95));
        assertThat(cpu.level(98).severity()).isEqualTo("emergency");
        assertThat(cpu.level(Double.NaN)).as("a figure nobody reports").isNull();
    }

    @Test
    void aHealthyShareIsBadBelowWarningAndCriticalAndAnEmergencyAtNone() {
        IndicatorLevels share = IndicatorLevels.falling("healthy-share", 0.8, 0.5, 0);
        assertThat(share.level(0.8)).isNull();
        assertThat(share.level(0.75).severity()).isEqualTo("warning");
        assertThat(share.level(0.4).severity()).isEqualTo("critical");
        assertThat(share.level(0).severity()).isEqualTo("emergency");
        assertThat(share.leastBad(0.4, 0.75)).isEqualTo(0.75);
    }
}
