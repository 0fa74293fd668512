package dev.fleet.session.runner;

import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.UUID;

import dev.fleet.platform.time.Timestamps;
import io.vertx.core.json.JsonObject;
import io.vertx.mutiny.sqlclient.Row;

/** A runner as the API shows it: registration, health, latest figures and totals. */
public record RunnerView(
        UUID id,
        String pool,
        String endpoint,
        String host,
        int maxSessions,
        double weight,
        Map<String, Object> labels,
        String version,
        RunnerHealth health,
        boolean draining,
        Instant registeredAt,
        Instant lastHeartbeatAt,
        long uptimeMs,
        int liveSessions,
        long sessionsTotal,
        long failuresTotal,
        Double cpuPercent,
        Double memoryPercent,
        Integer activeSessions,
        Integer activeConnections,
        Double avgResponseMs,
        Double avgThinkingMs,
        Integer queueDepth) {

    static final String COLUMNS = "id, pool, endpoint, host, max_sessions, weight, labels, version, health, draining,"
            + " registered_at, last_heartbeat_at, live_sessions, sessions_total, failures_total, cpu_percent,"
            + " memory_percent, active_sessions, active_connections, avg_response_ms, avg_thinking_ms, queue_depth";

    static RunnerView from(Row row, Instant now) {
        Instant registered = Timestamps.column(row, "registered_at");
        JsonObject labels = (JsonObject) row.getValue("labels");
        return new RunnerView(row.getUUID("id"), row.getString("pool"), row.getString("endpoint"),
                row.getString("host"), row.getInteger("max_sessions"), row.getDouble("weight"),
                labels == null ? Map.of() : labels.getMap(), row.getString("version"),
                RunnerHealth.valueOf(row.getString("health")), row.getBoolean("draining"), registered,
                Timestamps.column(row, "last_heartbeat_at"), Math.max(0, Duration.between(registered, now).toMillis()),
                row.getInteger("live_sessions"), row.getLong("sessions_total"), row.getLong("failures_total"),
                row.getDouble("cpu_percent"), row.getDouble("memory_percent"), row.getInteger("active_sessions"),
                row.getInteger("active_connections"), row.getDouble("avg_response_ms"),
                row.getDouble("avg_thinking_ms"), row.getInteger("queue_depth"));
    }
}
