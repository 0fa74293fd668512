package dev.fleet.queue.claim;

import java.time.Instant;
import java.util.UUID;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonRawValue;

import dev.fleet.queue.job.JobView;
import dev.fleet.queue.job.Priority;
import io.vertx.mutiny.sqlclient.Row;

/** A job handed to a runner by a claim, with the lease token every later action on it needs. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record ClaimedJob(
        long id,
        String queue,
        String kind,
        @JsonRawValue String payload,
        Priority priority,
        int attempt,
        int maxAttempts,
        String fairnessKey,
        int cost,
        UUID leaseToken,
        Instant leaseExpiresAt,
        Instant runAt,
        Instant createdAt,
        @JsonRawValue String errors) {

    static ClaimedJob from(Row row) {
        JobView job = JobView.from(row);
        return new ClaimedJob(job.id(), job.queue(), job.kind(), job.payload(), job.priority(), job.attempt(),
                job.maxAttempts(), job.fairnessKey(), job.cost(), row.getUUID("lease_token"), job.leaseExpiresAt(),
                job.runAt(), job.createdAt(), job.errors());
    }
}
