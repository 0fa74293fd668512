package dev.fleet.queue.queue;

import dev.fleet.queue.job.Priority;
import io.vertx.mutiny.sqlclient.Row;

/** A queue's settings as stored in {@code queue.queues}; durations in milliseconds. */
public record QueueSettings(
        String name,
        boolean paused,
        int maxAttempts,
        long backoffBaseMs,
        long backoffMaxMs,
        long leaseMs,
        long ttlUrgentMs,
        long ttlNormalMs,
        long ttlBackgroundMs,
        Double ratePerSecond,
        Long costPerMinute,
        Integer fairnessLimit) {

    static final String COLUMNS = "name, paused, max_attempts, backoff_base_ms, backoff_max_ms, lease_ms, "
            + "ttl_urgent_ms, ttl_normal_ms, ttl_background_ms, rate_per_second, cost_per_minute, fairness_limit";

    public static QueueSettings from(Row row) {
        return new QueueSettings(row.getString("name"), row.getBoolean("paused"), row.getInteger("max_attempts"),
                row.getLong("backoff_base_ms"), row.getLong("backoff_max_ms"), row.getLong("lease_ms"),
                row.getLong("ttl_urgent_ms"), row.getLong("ttl_normal_ms"), row.getLong("ttl_background_ms"),
                row.getDouble("rate_per_second"), row.getLong("cost_per_minute"), row.getInteger("fairness_limit"));
    }

    /** The TTL of a job of this priority that has not started: P0-P1 urgent, P2-P4 normal, P5-P6 background. */
    public long ttlMsFor(Priority priority) {
        if (priority.level() <= 1) {
            return ttlUrgentMs;
        }
        return priority.level() <= 4 ? ttlNormalMs : ttlBackgroundMs;
    }

    /** Whether claims must go through the serialised path that enforces rate, cost and fairness limits. */
    public boolean hasClaimLimits() {
        return ratePerSecond != null || costPerMinute != null || fairnessLimit != null;
    }
}
