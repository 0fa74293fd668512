package dev.fleet.session.session;

import java.time.Instant;
import java.util.UUID;

import dev.fleet.platform.time.Timestamps;
import io.vertx.core.json.JsonObject;
import io.vertx.mutiny.sqlclient.Row;

/** A locked session row: what lifecycle and idle decisions read. */
public record SessionRow(
        UUID id,
        String pool,
        JsonObject labels,
        SessionState state,
        UUID runnerId,
        String host,
        boolean autoPause,
        long idleHumanMs,
        long idleAgentMs,
        Instant lastHumanActivityAt,
        Instant lastAgentActivityAt,
        boolean autoPaused,
        Instant pausedAt,
        Instant resumedAt,
        Instant activitySince) {

    static SessionRow from(Row row) {
        return new SessionRow(row.getUUID("id"), row.getString("pool"), (JsonObject) row.getValue("labels"),
                SessionState.valueOf(row.getString("state")), row.getUUID("runner_id"), row.getString("host"),
                row.getBoolean("auto_pause"), row.getLong("idle_human_ms"), row.getLong("idle_agent_ms"),
                Timestamps.column(row, "last_human_activity_at"), Timestamps.column(row, "last_agent_activity_at"),
                row.getBoolean("auto_paused"), Timestamps.column(row, "paused_at"), Timestamps.column(row, "resumed_at"),
                Timestamps.column(row, "activity_since"));
    }

    /** The same row seen after it moved to another runner. */
    SessionRow onRunner(UUID runner, String newHost) {
        return new SessionRow(id, pool, labels, state, runner, newHost, autoPause, idleHumanMs, idleAgentMs,
                lastHumanActivityAt, lastAgentActivityAt, autoPaused, pausedAt, resumedAt, activitySince);
    }

    /** The later of the human's and the agent's last activity. */
    public Instant lastActivityAt() {
        return lastHumanActivityAt.isAfter(lastAgentActivityAt) ? lastHumanActivityAt : lastAgentActivityAt;
    }
}
