package dev.fleet.client;

import java.time.Duration;
import java.util.concurrent.ThreadLocalRandom;

/**
 * How long and how often a call is retried when a service cannot be reached or answers that it is
 * busy (connection refused or reset, timeout, 429, 502, 503, 504): exponential backoff with full
 * jitter between {@code initialDelay} and {@code maxDelay}, giving up after {@code giveUpAfter}.
 */
public record RetryPolicy(Duration initialDelay, Duration maxDelay, Duration giveUpAfter) {

    public static final RetryPolicy DEFAULT = new RetryPolicy(Duration.ofMillis(100), Duration.ofSeconds(5),
            Duration.ofSeconds(30));

    public RetryPolicy {
        if (initialDelay.isNegative() || initialDelay.isZero() || maxDelay.compareTo(initialDelay) < 0
                || giveUpAfter.isNegative()) {
            throw new IllegalArgumentException("retry policy needs 0 < initialDelay <= maxDelay and giveUpAfter >= 0");
        }
    }

    /** The same backoff, retrying for as long as {@code giveUpAfter}. */
    public RetryPolicy withGiveUpAfter(Duration giveUpAfter) {
        return new RetryPolicy(initialDelay, maxDelay, giveUpAfter);
    }

    /** The pause before retry number {@code retry} (1-based): random in [0, min(max, initial × 2^(retry−1))]. */
    public Duration delay(int retry) {
        long ceiling = initialDelay.toMillis() << Math.min(retry - 1, 20);
        long bound = Math.max(1, Math.min(maxDelay.toMillis(), ceiling));
        return Duration.ofMillis(ThreadLocalRandom.current().nextLong(bound / 2, bound + 1));
    }
}
