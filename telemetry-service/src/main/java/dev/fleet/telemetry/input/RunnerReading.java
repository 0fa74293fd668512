package dev.fleet.telemetry.input;

/**
 * One runner as session-service reports it ({@code GET /runners}); a figure the runner never sent
 * is NaN.
 */
public record RunnerReading(String id, String pool, String endpoint, String health, boolean draining,
        int liveSessions, int maxSessions, double cpuPercent, double memoryPercent, double avgResponseMs) {

    /** Not gone and not draining: a runner that should be taking work. */
    public boolean live() {
        return !draining && !health.equals("gone");
    }

    /** Live and not unhealthy (degraded ones still serve: they are loaded or a little late). */
    public boolean up() {
        return live() && !health.equals("unhealthy");
    }
}
