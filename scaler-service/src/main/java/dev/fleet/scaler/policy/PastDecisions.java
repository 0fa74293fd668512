package dev.fleet.scaler.policy;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;

import dev.fleet.scaler.policy.Decision.Kind;

/**
 * The questions damping asks of a pool's past decisions, as of {@code now}. Windows are
 * {@code (now − d, now]}: a decision exactly {@code d} ago has just left the window, so a
 * 60-second cooldown lets the next change through at 60 s, not 61. Decisions of other pools and
 * from after {@code now} are ignored.
 */
final class PastDecisions {

    private final List<Decision> decisions;
    private final Instant now;

    PastDecisions(String pool, List<Decision> decisions, Instant now) {
        this.decisions = decisions.stream().filter(d -> d.pool().equals(pool) && !d.at().isAfter(now)).toList();
        this.now = now;
    }

    /** The newest decision that changed something (any direction, replace-all included). */
    Optional<Instant> lastChange() {
        return decisions.stream().filter(Decision::changes).map(Decision::at).max(Instant::compareTo);
    }

    /** How long a cooldown of {@code d} still has to run; empty when it has run out. */
    Optional<Duration> cooldownLeft(Duration d) {
        return lastChange().map(last -> Duration.between(now, last.plus(d))).filter(left -> left.isPositive());
    }

    /** Instances added ({@code SCALE_OUT}) or removed ({@code SCALE_IN}) within {@code per}, optionally by one rule only. */
    int changedWithin(Duration per, Kind kind, String rule) {
        return decisions.stream()
                .filter(d -> d.kind() == kind && within(d, per) && (rule == null || rule.equals(d.rule())))
                .mapToInt(d -> Math.abs(d.to() - d.from()))
                .sum();
    }

    /** The highest size any rule recommended within {@code window}. */
    OptionalInt highestRecommendationWithin(Duration window) {
        return decisions.stream().filter(d -> d.recommends() && within(d, window))
                .mapToInt(Decision::recommended).max();
    }

    private boolean within(Decision d, Duration window) {
        return d.at().isAfter(now.minus(window));
    }
}
