package dev.fleet.gateway.pool;

/**
 * What a runner last reported about itself (session-service heartbeats), and the weight the field
 * formula gives it: capacity × (1 − cpu) × (1 − memory) × 1/(1 + responseMs/1000) ×
 * 1/(1 + activeConnections/10) × 1/(1 + thinkingMs/5000), floored at {@link #MIN_WEIGHT}.
 * Unknown figures count as zero load.
 *
 * @param capacity          the runner's configured weight (relative capacity), 1 by default
 * @param cpuPercent        0–100
 * @param memoryPercent     0–100
 * @param responseMs        the runner's own average response time
 * @param activeConnections connections the runner reports open
 * @param thinkingMs        an agent's average thinking time
 */
public record ReportedLoad(double capacity, double cpuPercent, double memoryPercent, double responseMs,
        double activeConnections, double thinkingMs) {

    public static final double MIN_WEIGHT = 0.1;

    /** A static upstream: its configured weight, no reported load. */
    public static ReportedLoad ofCapacity(double capacity) {
        return new ReportedLoad(capacity, 0, 0, 0, 0, 0);
    }

    /** The weight with the runner's own response time replaced by what the gateway measured, if it measured any. */
    public double weight(double measuredResponseMs) {
        double responseTime = measuredResponseMs > 0 ? measuredResponseMs : responseMs;
        double weight = capacity
                * (1 - fraction(cpuPercent))
                * (1 - fraction(memoryPercent))
                / (1 + Math.max(0, responseTime) / 1000)
                / (1 + Math.max(0, activeConnections) / 10)
                / (1 + Math.max(0, thinkingMs) / 5000);
        return Math.max(MIN_WEIGHT, weight);
    }

    private static double fraction(double percent) {
        return Math.min(1, Math.max(0, percent / 100));
    }
}
