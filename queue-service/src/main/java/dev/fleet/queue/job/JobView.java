package dev.fleet.queue.job;

import java.time.Instant;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonRawValue;

import dev.fleet.platform.time.Timestamps;
import io.vertx.mutiny.sqlclient.Row;

/**
 * A job as the API shows it. JSON columns travel as raw JSON text (PostgreSQL renders them,
 * Jackson copies them), so a payload is never parsed on the way out. Lease tokens are not part
 * of it: only the claimer gets one, in {@code ClaimedJob}.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record JobView(
        long id,
        String queue,
        String kind,
        @JsonRawValue String payload,
        Priority priority,
        Priority basePriority,
        JobState state,
        Instant runAt,
        Instant expiresAt,
        String uniqueKey,
        String fairnessKey,
        int cost,
        int attempt,
        int maxAttempts,
        String runnerId,
        Instant leaseExpiresAt,
        @JsonRawValue String errors,
        @JsonRawValue String result,
        String deadReason,
        Instant createdAt,
        Instant attemptedAt,
        Instant finishedAt) {

    /** The columns {@link #from} reads, qualified by a table alias. */
    public static String columns(String alias) {
        String a = alias + ".";
        return a + "id, " + a + "queue, " + a + "kind, " + a + "payload::text AS payload, " + a + "priority, "
                + a + "base_priority, " + a + "state, " + a + "run_at, " + a + "expires_at, " + a + "unique_key, "
                + a + "fairness_key, " + a + "cost, " + a + "attempt, " + a + "max_attempts, " + a + "runner_id, "
                + a + "lease_expires_at, " + a + "errors::text AS errors, " + a + "result::text AS result, "
                + a + "dead_reason, " + a + "created_at, " + a + "attempted_at, " + a + "finished_at";
    }

    public static JobView from(Row row) {
        return new JobView(row.getLong("id"), row.getString("queue"), row.getString("kind"), row.getString("payload"),
                Priority.of(row.getShort("priority")), Priority.of(row.getShort("base_priority")),
                JobState.valueOf(row.getString("state")), Timestamps.column(row, "run_at"), Timestamps.column(row, "expires_at"),
                row.getString("unique_key"), row.getString("fairness_key"), row.getInteger("cost"),
                row.getInteger("attempt"), row.getInteger("max_attempts"), row.getString("runner_id"),
                Timestamps.column(row, "lease_expires_at"), row.getString("errors"), row.getString("result"),
                row.getString("dead_reason"), Timestamps.column(row, "created_at"), Timestamps.column(row, "attempted_at"),
                Timestamps.column(row, "finished_at"));
    }

}
