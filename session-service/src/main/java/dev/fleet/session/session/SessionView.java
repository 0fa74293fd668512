package dev.fleet.session.session;

import java.time.Instant;
import java.util.Map;
import java.util.UUID;

import dev.fleet.platform.time.Timestamps;
import dev.fleet.session.config.SessionConfig;
import dev.fleet.session.lease.Resources;
import io.vertx.core.json.JsonObject;
import io.vertx.mutiny.sqlclient.Row;

/**
 * A session as the API shows it. {@code runnerId}, {@code runnerEndpoint} and {@code resources}
 * tell the gateway where its traffic goes (affinity) and the runner what it holds.
 */
public record SessionView(
        UUID id,
        String pool,
        Map<String, Object> labels,
        String owner,
        SessionKind kind,
        SessionState state,
        String stateReason,
        UUID runnerId,
        String runnerEndpoint,
        String host,
        Resources resources,
        Instant createdAt,
        Instant updatedAt,
        Instant startedAt,
        Instant endedAt,
        boolean autoPause,
        boolean autoPaused,
        long idleHumanMs,
        long idleAgentMs,
        Instant lastHumanActivityAt,
        Instant lastAgentActivityAt,
        long events) {

    /** Selects a session with its runner's endpoint and the leases it holds on its current host. */
    static final String SELECT = "SELECT s.*, r.endpoint AS runner_endpoint,"
            + " (SELECT json_object_agg(l.kind, l.value) FROM session.resource_leases l"
            + "  WHERE l.session_id = s.id AND l.host = s.host) AS leases"
            + " FROM session.sessions s LEFT JOIN session.runners r ON r.id = s.runner_id";

    static SessionView from(Row row, SessionConfig.Leases ranges) {
        JsonObject labels = (JsonObject) row.getValue("labels");
        return new SessionView(row.getUUID("id"), row.getString("pool"), labels == null ? Map.of() : labels.getMap(),
                row.getString("owner"), SessionKind.valueOf(row.getString("kind")),
                SessionState.valueOf(row.getString("state")), row.getString("state_reason"), row.getUUID("runner_id"),
                row.getString("runner_endpoint"), row.getString("host"),
                Resources.fromLeases((JsonObject) row.getValue("leases"), ranges),
                Timestamps.column(row, "created_at"), Timestamps.column(row, "updated_at"),
                Timestamps.column(row, "started_at"), Timestamps.column(row, "ended_at"), row.getBoolean("auto_pause"),
                row.getBoolean("auto_paused"), row.getLong("idle_human_ms"), row.getLong("idle_agent_ms"),
                Timestamps.column(row, "last_human_activity_at"), Timestamps.column(row, "last_agent_activity_at"),
                row.getLong("event_seq"));
    }
}
