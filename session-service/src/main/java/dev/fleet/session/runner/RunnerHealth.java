package dev.fleet.session.runner;

import dev.fleet.session.config.SessionConfig;

/**
 * A runner's health, derived from its heartbeats (docs/session-states.md). An on-time heartbeat
 * sets it from what the runner reports; lateness only ever makes it worse, up to {@code gone}.
 */
public enum RunnerHealth {
    healthy, degraded, unhealthy, gone;

    /** Health from an on-time heartbeat: overloaded is degraded, a runner calling itself unhealthy is. */
    public static RunnerHealth fromHeartbeat(HeartbeatRequest beat, SessionConfig.Runners rules) {
        if (Boolean.FALSE.equals(beat.healthy())) {
            return unhealthy;
        }
        boolean overloaded = at(beat.cpuPercent(), rules.overloadCpuPercent())
                || at(beat.memoryPercent(), rules.overloadMemoryPercent());
        return overloaded ? degraded : healthy;
    }

    private static boolean at(Double value, double threshold) {
        return value != null && value >= threshold;
    }
}
