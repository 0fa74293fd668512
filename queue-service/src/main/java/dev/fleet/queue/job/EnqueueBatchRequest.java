package dev.fleet.queue.job;

import java.util.List;

import jakarta.validation.Valid;
import jakarta.validation.constraints.NotEmpty;

/** Body of a batch enqueue: all jobs go into one queue in one transaction. */
public record EnqueueBatchRequest(@NotEmpty List<@Valid EnqueueJobRequest> jobs) {
}
