package dev.fleet.telemetry.finding;

import java.time.Duration;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

/**
 * Findings ({@code fleet.telemetry.findings.*}): how often and over what window the indicators are
 * evaluated, the capacity thresholds (warning / critical / emergency) of each indicator, how long an
 * indicator read from another service must hold, the bottleneck signatures' own thresholds, and the
 * cap on findings per kind. Levels must be ordered (checked at start, naming the key).
 */
@ConfigMapping(prefix = "fleet.telemetry.findings")
public interface FindingsConfig {

    /** How often the indicators are evaluated (a finding opens within one interval of holding). */
    @WithDefault("30s")
    Duration interval();

    /** The window of samples one evaluation reads. */
    @WithDefault("5m")
    Duration window();

    /** Fewest samples of a feature (or a pool's runners, or a queue's jobs) in the window for them to count. */
    @WithDefault("20")
    int minSamples();

    /**
     * Most findings of one kind an evaluation opens or updates, the worst first; the rest neither open
     * nor resolve (and are logged). Bounds {@code fleet_telemetry_finding_open}'s series as the fleet grows.
     */
    @WithDefault("50")
    int maxPerKind();

    /** p95 response time thresholds per feature, ms (over the window). */
    Levels responseTimeMs();

    /** Error-rate thresholds per feature, share 0–1 (over the window). */
    ErrorLevels errorRate();

    /** CPU % a runner reports in its heartbeats, per runner. */
    PercentLevels runnerCpuPercent();

    /** Memory % a runner reports in its heartbeats, per runner. */
    PercentLevels runnerMemoryPercent();

    /** Available (waiting, due) jobs per queue. */
    QueueDepthLevels queueDepth();

    /** Share of a pool's live runners that are not unhealthy; lower is worse. */
    HealthyShareLevels healthyShare();

    /** Thresholds only the bottleneck signatures use (the others reuse the warning levels above). */
    Signatures signatures();

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

    /** Three ascending levels of a percentage, and how long the reading must hold (the seed's "for 5 m"). */
    interface PercentLevels {
        @WithDefault("85")
        double warning();

        @WithDefault("95")
        double critical();

        @WithDefault("98")
        double emergency();

        @WithDefault("5m")
        Duration hold();
    }

    /** Three ascending levels of queue depth, and how long they must hold. */
    interface QueueDepthLevels {
        @WithDefault("100")
        double warning();

        @WithDefault("500")
        double critical();

        @WithDefault("1000")
        double emergency();

        @WithDefault("5m")
        Duration hold();
    }

    /** Three descending levels of a healthy share: below warning, below critical, at or below emergency. */
    interface HealthyShareLevels {
        @WithDefault("0.8")
        double warning();

        @WithDefault("0.5")
        double critical();

        @WithDefault("0")
        double emergency();

        @WithDefault("1m")
        Duration hold();
    }

    /** The signatures' own indicator thresholds. */
    interface Signatures {

        /** A pool's live sessions over its live runners' slots at or above this: the slots are busy. */
        @WithDefault("0.9")
        double slotsBusyShare();

        /** A queue's job wait (p95 of its job samples' waitMs, or its oldest waiting job) at or above this, ms. */
        @WithDefault("30000")
        double jobWaitMs();

        /** The average of a pool's runners' reported avgResponseMs at or above this: responses are slow. */
        @WithDefault("1000")
        double responseTimeMs();

        /** The pool's average CPU below this while responses are slow: the runners wait, not compute. */
        @WithDefault("50")
        double lowCpuPercent();
    }
}
