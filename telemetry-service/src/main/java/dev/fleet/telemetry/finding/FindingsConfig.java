package dev.fleet.telemetry.finding;

import java.time.Duration;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

/**
 * Findings ({@code fleet.telemetry.findings.*}): how often and over what window the indicators are
 * evaluated, and the capacity thresholds (warning / critical / emergency) of the indicators measured
 * from samples: response time (p95 per feature, ms) and error rate (share of samples with outcome error).
 */
@ConfigMapping(prefix = "fleet.telemetry.findings")
public interface FindingsConfig {

    /** How often the indicators are evaluated (a finding opens within one interval of holding). */
    @WithDefault("30s")
    Duration interval();

    /** The window of samples one evaluation reads. */
    @WithDefault("5m")
    Duration window();

    /** Fewest samples of a feature in the window for its indicators to count (too few say nothing). */
    @WithDefault("20")
    int minSamples();

    /** p95 response time thresholds, ms. */
    Levels responseTimeMs();

    /** Error-rate thresholds, share 0–1. */
    ErrorLevels errorRate();

    /** Three ascending levels. */
    interface Levels {
        @WithDefault("1000")
        double warning();

        @WithDefault("2000")
        double critical();

        @WithDefault("5000")
        double emergency();
    }

    /** Three ascending levels of an error rate. */
    interface ErrorLevels {
        @WithDefault("0.01")
        double warning();

        @WithDefault("0.05")
        double critical();

        @WithDefault("0.10")
        double emergency();
    }
}
