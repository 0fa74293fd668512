package dev.fleet.queue.periodic;

import java.time.Instant;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonRawValue;

import dev.fleet.queue.job.Priority;

/**
 * A periodic job definition as the API shows it, with its schedule's position: {@code lastTickAt}
 * is the latest tick handled (enqueued, or skipped as missed), absent until the first;
 * {@code nextTickAt} is the next tick to handle, absent while the definition is disabled. It is
 * in the past only while that tick is due and the enqueuer has not reached it yet. The payload
 * travels as raw JSON text, as in {@code JobView}.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record PeriodicJobView(
        String name,
        String queue,
        String kind,
        @JsonRawValue String payload,
        Priority priority,
        String cron,
        String timeZone,
        MissedPolicy missedPolicy,
        boolean enabled,
        Instant lastTickAt,
        Instant nextTickAt,
        Instant createdAt,
        Instant updatedAt) {
}
