package dev.fleet.session.runner;

import jakarta.validation.constraints.DecimalMax;
import jakarta.validation.constraints.DecimalMin;
import jakarta.validation.constraints.PositiveOrZero;

/**
 * What a runner reports every few seconds. Every figure is optional; {@code healthy=false} is the
 * runner's own verdict that it cannot take work (it becomes {@code unhealthy}).
 */
public record HeartbeatRequest(
        @DecimalMin("0") @DecimalMax("100") Double cpuPercent,
        @DecimalMin("0") @DecimalMax("100") Double memoryPercent,
        @PositiveOrZero Integer activeSessions,
        @PositiveOrZero Integer activeConnections,
        @PositiveOrZero Double avgResponseMs,
        @PositiveOrZero Double avgThinkingMs,
        @PositiveOrZero Integer queueDepth,
        Boolean healthy) {
}
