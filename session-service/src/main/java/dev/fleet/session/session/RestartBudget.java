package dev.fleet.session.session;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

import dev.fleet.session.config.SessionConfig;

/**
 * Component restart throttling, a pure rule: within the window at most {@code restartMaxPerWindow}
 * restarts, and after the n-th restart the next waits {@code base × 2^(n-1)}, capped at
 * {@code backoffMax}. A crash-looping component thus gets a few quick tries, then slower ones,
 * then none until the window moves on.
 */
final class RestartBudget {

    private RestartBudget() {
    }

    /** How long the caller must wait before the next restart; empty when it may restart now. */
    static Optional<Duration> waitBeforeRestart(List<Instant> recentNewestFirst, Instant now,
            SessionConfig.Operations rules) {
        if (recentNewestFirst.isEmpty()) {
            return Optional.empty();
        }
        if (recentNewestFirst.size() >= rules.restartMaxPerWindow()) {
            Instant oldest = recentNewestFirst.get(recentNewestFirst.size() - 1);
            return positive(Duration.between(now, oldest.plus(rules.restartWindow())));
        }
        Duration backoff = rules.restartBackoffBase().multipliedBy(1L << Math.min(recentNewestFirst.size() - 1, 30));
        if (backoff.compareTo(rules.restartBackoffMax()) > 0) {
            backoff = rules.restartBackoffMax();
        }
        return positive(Duration.between(now, recentNewestFirst.get(0).plus(backoff)));
    }

    static String reason(String component, int recent, Duration wait, SessionConfig.Operations rules) {
        return "Component " + component + " was restarted " + recent + " time(s) in the last "
                + rules.restartWindow().toSeconds() + " s (at most " + rules.restartMaxPerWindow()
                + " per window, with backoff); next restart allowed in " + Math.max(1, wait.toSeconds()) + " s.";
    }

    private static Optional<Duration> positive(Duration wait) {
        return wait.isNegative() || wait.isZero() ? Optional.empty() : Optional.of(wait);
    }
}
