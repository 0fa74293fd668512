package dev.fleet.queue.deadletter;

import jakarta.validation.constraints.Size;

/** Which dead jobs a bulk replay or purge touches; null fields match any. */
public record DeadLetterFilter(@Size(max = 63) String queue, @Size(max = 200) String kind, @Size(max = 40) String reason) {
}
