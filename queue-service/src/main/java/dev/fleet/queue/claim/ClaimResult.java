package dev.fleet.queue.claim;

import java.time.Duration;
import java.util.List;

/**
 * What one claim attempt got. When it got nothing because of a rate or cost limit,
 * {@code retryIn} says when tokens will allow the next job; otherwise it is null and a waiting
 * claimer sleeps until a notification.
 */
record ClaimResult(List<ClaimedJob> jobs, Duration retryIn) {

    static ClaimResult none(Duration retryIn) {
        return new ClaimResult(List.of(), retryIn);
    }
}
