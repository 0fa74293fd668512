package dev.fleet.client;

/**
 * What a runner reports in each heartbeat; session-service derives its health from it and the
 * gateway its routing weight. Null fields are left out.
 */
public record RunnerLoad(Double cpuPercent, Double memoryPercent, Integer activeSessions, Integer activeConnections,
        Double avgResponseMs, Double avgThinkingMs, Integer queueDepth, Boolean healthy) {
}
